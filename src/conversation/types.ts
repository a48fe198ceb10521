// The channel-agnostic shapes of a conversation turn. Channels turn their payloads into an
// InboundMessage and render the TurnResult's replies; nothing here knows about any platform.

import { z } from 'zod';
import type { Citation } from '../answer/answerer.ts';

export const INTENTS = [
  'question',
  'delete_data',
  'access_data',
  'correct_data',
  'cancel_account',
  'withdraw_consent',
  'port_data',
  'complaint',
  'human_agent',
  'request_status',
  'greeting',
  'other',
] as const;
export type Intent = (typeof INTENTS)[number];

/** The intents that start a rights-request form and end in a ticket. */
export const REQUEST_INTENTS = [
  'delete_data',
  'access_data',
  'correct_data',
  'cancel_account',
  'withdraw_consent',
  'port_data',
  'complaint',
] as const satisfies readonly Intent[];
export type RequestType = (typeof REQUEST_INTENTS)[number];

/**
 * What a ticket can be: a rights request, or a follow-up a person owes the user when no agent
 * could take their chat (outside business hours, timed out, unreachable).
 */
export type TicketType = RequestType | 'human_agent';

export function isRequestType(intent: string): intent is RequestType {
  return (REQUEST_INTENTS as readonly string[]).includes(intent);
}

export const InboundMessageSchema = z.object({
  /** Channel name: "wechat", "wechaty", "slack", "web", "cli". */
  channel: z.string().min(1).max(32),
  tenant: z.string().min(1).max(64),
  /** Pseudonymous, stable reference to the person within the channel (e.g. a WeChat OpenID). */
  userRef: z.string().min(1).max(256),
  /** One serializable string naming where replies go, e.g. "slack:C123:1234.5678". */
  conversationRef: z.string().min(1).max(512),
  /** The channel's id of this message; redeliveries carry the same id. */
  messageId: z.string().min(1).max(256),
  text: z.string(),
  /** When the channel says the message was sent. Informational only: the server stamps transcripts with its own receive time. */
  time: z.date(),
  /**
   * Set when the channel stands in for an event (a WeChat "subscribe" sent as a greeting):
   * the person typed nothing, so nothing is kept in their transcript for it.
   */
  synthetic: z.boolean().optional(),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

export type ReplyKind =
  | 'answer' // cited answer from the policy
  | 'refusal' // the policy does not cover it
  | 'form' // a step of a rights-request form (asks for something)
  | 'ticket' // a ticket was created / changed
  | 'status' // the user's tickets
  | 'greeting'
  | 'handoff' // about a human taking over (waiting, joined, back to the bot)
  | 'agent' // a support agent's own message, relayed
  | 'info' // anything else the bot says (cancelled form, erased history, ...)
  | 'error'; // the input was refused (too long, control characters, ...)

export interface QuickReply {
  /** What the button shows. */
  label: string;
  /** What the channel sends back as the user's text when it is pressed. */
  value: string;
}

export interface OutboundReply {
  kind: ReplyKind;
  text: string;
  citations: Citation[];
  quickReplies: QuickReply[];
}

export interface TurnResult {
  replies: OutboundReply[];
  intent: Intent;
  /** Set when this turn created a ticket. */
  ticketId?: string;
  /** True when the message id was already processed: the channel must not reply again. */
  duplicate: boolean;
  /** The language the replies are in (quoted policy text may be in another). */
  language?: 'zh' | 'en';
}
