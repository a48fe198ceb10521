// Slack payloads of the agent desk -> what an agent did. Pure: no SDK, no I/O; zod checks
// every field used. Two inputs: a press of a desk button (block_actions), and a message in
// the agent channel (message.channels / message.groups). A reply in an escalation card's
// thread is an agent writing to the user; everything else in the agent channel (top-level
// chatter, bot posts, edits) is not for the bot. Agent messages never become user turns.
//   block_actions: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
//   message.channels: https://docs.slack.dev/reference/events/message.channels
//   threads: https://docs.slack.dev/messaging#threading

import { z } from 'zod';
import { decodeSlackText, SlackId, SlackTs } from './parse.ts';
import { DESK_ACTION_ID, DESK_ACTIONS, type DeskActionName } from './desk-render.ts';

/** Who acted in Slack. `name` is the Slack username of a button press (messages carry none). */
export interface SlackActor {
  userId: string;
  name: string | null;
}

export interface DeskActionPress {
  action: DeskActionName;
  handoffId: string;
  actor: SlackActor;
  channel: string;
  /** The message holding the button (the card, or the take-over notice in its thread). */
  messageTs: string;
  /** The card's ts: the thread the press belongs to. */
  threadTs: string;
  /** Unique per press: a redelivered press repeats it. */
  actionTs: string;
}

const DeskActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: SlackId, username: z.string().max(200).optional(), name: z.string().max(200).optional() }).loose(),
  channel: z.object({ id: SlackId }).loose().optional(),
  container: z.object({ channel_id: SlackId.optional(), message_ts: SlackTs.optional(), thread_ts: SlackTs.optional() }).loose(),
  message: z.object({ ts: SlackTs, thread_ts: SlackTs.optional() }).loose().optional(),
  actions: z
    .array(z.object({ type: z.literal('button'), action_id: z.string().regex(DESK_ACTION_ID), value: z.string().min(1).max(200), action_ts: SlackTs }).loose())
    .min(1),
});

const ACTION_BY_ID = new Map(Object.entries(DESK_ACTIONS).map(([name, id]) => [id as string, name as DeskActionName]));

/** A press of Take over / Close / Hand back, or null when the payload is not one. */
export function parseDeskAction(body: unknown): DeskActionPress | null {
  const parsed = DeskActionsSchema.safeParse(body);
  if (!parsed.success) return null;
  const payload = parsed.data;
  const action = payload.actions[0]!;
  const name = ACTION_BY_ID.get(action.action_id);
  const channel = payload.container.channel_id ?? payload.channel?.id;
  const messageTs = payload.message?.ts ?? payload.container.message_ts;
  if (!name || !channel || !messageTs) return null;
  return {
    action: name,
    handoffId: action.value,
    actor: { userId: payload.user.id, name: payload.user.name ?? payload.user.username ?? null },
    channel,
    messageTs,
    threadTs: payload.message?.thread_ts ?? payload.container.thread_ts ?? messageTs,
    actionTs: action.action_ts,
  };
}

const ChannelMessageSchema = z.object({
  type: z.literal('message'),
  // thread_broadcast: a reply also sent to the channel; still a reply in the thread.
  subtype: z.string().optional(),
  channel: SlackId,
  user: SlackId.optional(),
  bot_id: z.string().optional(),
  text: z.string().max(100_000).optional(),
  ts: SlackTs,
  thread_ts: SlackTs.optional(),
});

const EnvelopeSchema = z.object({ type: z.literal('event_callback'), event_id: z.string().min(1).max(256), event: z.unknown() });

export interface AgentThreadMessage {
  actor: SlackActor;
  channel: string;
  /** The card's ts. */
  threadTs: string;
  ts: string;
  /** Unique per Slack message (a redelivered event repeats it): the relay's dedupe id. */
  messageId: string;
  text: string;
}

export type AgentMessageParse =
  | { ok: true; message: AgentThreadMessage }
  | { ok: false; reason: 'malformed' | 'other_channel' | 'not_a_reply' | 'from_bot' | 'subtype' | 'empty' };

/** Whether an Events API body is an event in the agent channel (the desk's, not a user's). */
export function isAgentChannelEvent(body: unknown, agentChannel: string): boolean {
  const event = (body as { type?: unknown; event?: { channel?: unknown } } | null)?.event;
  return (body as { type?: unknown } | null)?.type === 'event_callback' && event?.channel === agentChannel;
}

/** A person's reply in a thread of the agent channel, or why the event is not one. */
export function parseAgentMessage(body: unknown, options: { agentChannel: string; botUserId?: string }): AgentMessageParse {
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, reason: 'malformed' };
  const parsed = ChannelMessageSchema.safeParse(envelope.data.event);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const event = parsed.data;
  if (event.channel !== options.agentChannel) return { ok: false, reason: 'other_channel' };
  if (event.subtype !== undefined && event.subtype !== 'thread_broadcast') return { ok: false, reason: 'subtype' };
  if (event.bot_id !== undefined || event.user === undefined || event.user === options.botUserId) return { ok: false, reason: 'from_bot' };
  if (!event.thread_ts || event.thread_ts === event.ts) return { ok: false, reason: 'not_a_reply' };
  const text = decodeSlackText(event.text ?? '', options.botUserId);
  if (text === '') return { ok: false, reason: 'empty' };
  return {
    ok: true,
    message: { actor: { userId: event.user, name: null }, channel: event.channel, threadTs: event.thread_ts, ts: event.ts, messageId: `${event.channel}:${event.ts}`, text },
  };
}

/**
 * `handback`, `handback: note`, `handback cancel` and `handback cancel: note` (also `交还`,
 * `交还：备注`, `交还 取消`): the owner returns the chat to the bot. `cancel` also cancels a
 * form the handoff paused (by default it resumes). Anything else is a message for the user.
 */
export function parseHandbackCommand(text: string): { note: string | null; resumeForm: boolean } | null {
  const match = /^(?:handback|hand back|交还)(?:\s+(cancel|取消))?\s*(?:[:：]\s*([\s\S]*))?$/i.exec(text.trim());
  if (!match) return null;
  const note = match[2]?.trim() || null;
  return { note, resumeForm: match[1] === undefined };
}
