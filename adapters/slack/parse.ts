// Slack payloads -> InboundMessages. Pure: no SDK, no I/O. Everything Slack sends is checked
// with zod here, even after Bolt has looked at it, because Bolt's types are promises, not checks.
//   Events API envelope: https://docs.slack.dev/apis/events-api/#callback-field
//   message.im:          https://docs.slack.dev/reference/events/message.im
//   app_mention:         https://docs.slack.dev/reference/events/app_mention
//   block_actions:       https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
//   text formatting:     https://docs.slack.dev/messaging/formatting-message-text

import { z } from 'zod';
import type { InboundMessage } from '../../src/conversation/types.ts';

export const CHANNEL_NAME = 'slack';

/** action_id of the n-th quick-reply button; render.ts writes them, parse reads them back. */
export const QUICK_REPLY_ACTION = /^quick_reply_\d{1,2}$/;
export const quickReplyActionId = (index: number): string => `quick_reply_${index}`;

// Slack ids are upper-case letters and digits (T…, U…/W…, C…/D…/G…); they never hold ':',
// which keeps a conversation reference splittable.
export const SlackId = z.string().regex(/^[A-Z0-9]{2,32}$/);
// A message timestamp, "1355517523.000005": unique per channel, and a message's id.
export const SlackTs = z.string().regex(/^\d{1,12}\.\d{1,8}$/);

// Request bodies ---------------------------------------------------------------------------------

const UrlVerificationSchema = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) });
const EventCallbackSchema = z.object({
  type: z.literal('event_callback'),
  team_id: z.string().min(1),
  event_id: z.string().min(1).max(256),
  event: z.object({ type: z.string().min(1) }).loose(),
});
// Interactivity payloads: https://docs.slack.dev/reference/interaction-payloads
// Every one names the user and the workspace: `team` (null for an org-wide install, where
// `user.team_id` names it instead). Bolt reads these fields without checking them, so a signed
// payload missing one would throw inside Bolt; refused here, it is a 400 instead of a 500.
const InteractivityUser = z.object({ id: SlackId, team_id: SlackId.optional() }).loose();
const InteractivityTeam = z.object({ id: SlackId }).loose().nullable().optional();
interface WorkspaceFields {
  team?: { id: string } | null;
  user: { team_id?: string };
}
const hasWorkspace = (payload: unknown): boolean => {
  const p = payload as WorkspaceFields;
  return Boolean(p.team?.id ?? p.user.team_id);
};
const interactivity = <T extends z.ZodRawShape>(type: string | [string, ...string[]], shape: T) =>
  z
    .object({ type: typeof type === 'string' ? z.literal(type) : z.enum(type), team: InteractivityTeam, user: InteractivityUser, ...shape })
    .loose()
    .refine(hasWorkspace, 'no workspace (team.id or user.team_id)');
const InteractivitySchemas = [
  interactivity('block_actions', { actions: z.array(z.object({ type: z.string().min(1), action_id: z.string().min(1) }).loose()).min(1).max(25) }),
  interactivity(['shortcut', 'message_action'], { callback_id: z.string().min(1), trigger_id: z.string().min(1) }),
  interactivity(['view_submission', 'view_closed'], { view: z.object({ id: z.string().min(1) }).loose() }),
  interactivity('block_suggestion', { action_id: z.string().min(1), value: z.string() }),
  interactivity(['interactive_message', 'dialog_submission', 'dialog_cancellation', 'dialog_suggestion'], { callback_id: z.string().min(1) }),
];
const INTERACTIVITY_TYPES = [
  'block_actions',
  'shortcut',
  'message_action',
  'view_submission',
  'view_closed',
  'block_suggestion',
  'interactive_message',
  'dialog_submission',
  'dialog_cancellation',
  'dialog_suggestion',
];
const KNOWN_TYPES = ['url_verification', 'event_callback', ...INTERACTIVITY_TYPES];
// Anything else Slack may send (app_rate_limited, ...) only needs a type; Bolt finds no
// listener for it and it is acknowledged.
const OtherRequestSchema = z.object({ type: z.string().min(1).refine((t) => !KNOWN_TYPES.includes(t)) }).loose();
const RequestSchema = z.union([UrlVerificationSchema, EventCallbackSchema, ...InteractivitySchemas, OtherRequestSchema]);

export type SlackRequestBody =
  | { type: 'url_verification'; challenge: string }
  | { type: string; [key: string]: unknown };

export type BodyParse = { ok: true; body: SlackRequestBody } | { ok: false; reason: 'malformed' };

/**
 * The request body as Slack meant it: Events API requests are JSON; interactivity requests
 * are `application/x-www-form-urlencoded` with the JSON in a `payload` field.
 * https://docs.slack.dev/interactivity/handling-user-interaction/#payloads
 * The object handed on is the parsed JSON itself (zod only checks it), so Bolt sees every field.
 */
export function parseRequestBody(rawBody: string, contentType: string | undefined): BodyParse {
  let value: unknown;
  try {
    if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const payload = new URLSearchParams(rawBody).get('payload');
      if (payload === null) return { ok: false, reason: 'malformed' };
      value = JSON.parse(payload);
    } else {
      value = JSON.parse(rawBody);
    }
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const checked = RequestSchema.safeParse(value);
  if (!checked.success) return { ok: false, reason: 'malformed' };
  if (checked.data.type === 'url_verification' && 'challenge' in checked.data) {
    return { ok: true, body: { type: 'url_verification', challenge: checked.data.challenge as string } };
  }
  return { ok: true, body: value as SlackRequestBody };
}

// Conversation references --------------------------------------------------------------------------

/** Where replies go: a channel and the thread (the ts of its first message); no thread = top level. */
export interface SlackThread {
  channel: string;
  threadTs?: string;
}

/**
 * One serializable string per conversation. A direct message channel is ONE conversation
 * (`slack:D024BE91L`): people type the next answer of a form as a new message, not in the
 * thread, and the form must still continue. In a public channel each thread is its own
 * conversation (`slack:C0LAN2Q65:1515449522.000016`), so two people's forms never mix.
 */
export function toConversationRef({ channel, threadTs }: SlackThread): string {
  return threadTs && !isDirectChannelId(channel) ? `${CHANNEL_NAME}:${channel}:${threadTs}` : `${CHANNEL_NAME}:${channel}`;
}

export function parseConversationRef(ref: string): SlackThread | null {
  const match = /^slack:([A-Z0-9]{2,32})(?::(\d{1,12}\.\d{1,8}))?$/.exec(ref);
  if (!match) return null;
  return match[2] ? { channel: match[1]!, threadTs: match[2] } : { channel: match[1]! };
}

/** Direct message channel ids start with D. */
export function isDirectChannelId(channel: string): boolean {
  return channel.startsWith('D');
}

// Text -------------------------------------------------------------------------------------------

const ENTITY: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&' };

/**
 * Slack's wire format -> what the person typed. Mentions of the bot go; other `<...>` tokens
 * become their label: an email typed as `alice@example.com` arrives as
 * `<mailto:alice@example.com|alice@example.com>`, a URL as `<https://...>`, a channel as
 * `<#C123|general>`. Then `&lt; &gt; &amp;` are unescaped (only those three are escaped).
 */
export function decodeSlackText(text: string, botUserId?: string): string {
  const decoded = text.replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_whole, target: string, label: string | undefined) => {
    if (target.startsWith('@')) {
      const user = target.slice(1);
      if (botUserId && user === botUserId) return ' ';
      return label ? `@${label.replace(/^@/, '')}` : target;
    }
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) {
      // <!here>, <!channel>, <!subteam^S123|@team>, <!date^1392734382^{date}|Feb 18th>
      if (label) return label;
      const word = target.slice(1).split('^')[0] ?? '';
      return ['here', 'channel', 'everyone'].includes(word) ? `@${word}` : '';
    }
    if (label) return label;
    return target.replace(/^(mailto|tel):/i, '');
  });
  return decoded
    .replace(/&(lt|gt|amp);/g, (entity) => ENTITY[entity] ?? entity)
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

// Events -----------------------------------------------------------------------------------------

const MessageEventSchema = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  channel: SlackId,
  channel_type: z.string().optional(),
  user: SlackId.optional(),
  bot_id: z.string().optional(),
  team: SlackId.optional(),
  text: z.string().max(100_000).optional(),
  ts: SlackTs,
  thread_ts: SlackTs.optional(),
  client_msg_id: z.string().min(1).max(128).optional(),
});

const EventEnvelopeSchema = z.object({
  type: z.literal('event_callback'),
  team_id: SlackId,
  event_id: z.string().min(1).max(256),
  event: z.unknown(),
  authorizations: z.array(z.object({ user_id: z.string().optional(), is_bot: z.boolean().optional() }).loose()).optional(),
});

/** A user's message for the core, and the thread its replies go to. */
export interface SlackTurn {
  message: InboundMessage;
  thread: SlackThread;
}

export type SkipReason = 'malformed' | 'unsupported_event' | 'from_bot' | 'subtype' | 'not_direct' | 'dm_mention' | 'unsupported_action';
export type TurnParse = { ok: true; turn: SlackTurn } | { ok: false; reason: SkipReason };

const isDirectChannel = (event: { channel: string; channel_type?: string }): boolean =>
  event.channel_type === 'im' || (event.channel_type === undefined && event.channel.startsWith('D'));

/** Without the bot's id (auth.test not answered yet), an app_mention's leading mention is the bot's. */
function mentionless(type: 'message' | 'app_mention', text: string, botUserId: string | undefined): string {
  return type === 'app_mention' && !botUserId ? text.replace(/^\s*<@[A-Z0-9]+(?:\|[^<>]*)?>/, '') : text;
}

export function tsToDate(ts: string): Date {
  return new Date(Math.round(Number(ts) * 1000));
}

/**
 * A direct message (`message` in an `im`, typed by a person) or a mention of the bot
 * (`app_mention`) -> a turn; everything else is skipped with the reason.
 *
 * One user message must never become two turns. A mention inside a DM arrives twice, as
 * `message` (channel_type im) and as `app_mention`; the DM copy is taken and the mention
 * skipped, and both carry the same ts and client_msg_id, so the message id agrees as well and
 * the engine's dedupe would catch it even so. In channels only `app_mention` is taken.
 */
export function parseEventCallback(body: unknown, options: { tenant: string; botUserId?: string }): TurnParse {
  const envelope = EventEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, reason: 'malformed' };
  const rawType = (envelope.data.event as { type?: unknown } | null)?.type;
  if (rawType !== 'message' && rawType !== 'app_mention') return { ok: false, reason: 'unsupported_event' };
  const parsed = MessageEventSchema.safeParse(envelope.data.event);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const event = parsed.data;
  // The bot's own user id: from auth.test (Bolt's context), else the envelope's bot authorization.
  const botUserId = options.botUserId ?? envelope.data.authorizations?.find((a) => a.is_bot)?.user_id;

  // Edits, deletions, joins, bot posts and our own replies all come as subtypes or with bot_id.
  if (event.subtype !== undefined) return { ok: false, reason: 'subtype' };
  if (event.bot_id !== undefined || event.user === undefined || event.user === botUserId) return { ok: false, reason: 'from_bot' };
  if (event.type === 'message' && !isDirectChannel(event)) return { ok: false, reason: 'not_direct' };
  if (event.type === 'app_mention' && isDirectChannel(event)) return { ok: false, reason: 'dm_mention' };

  const thread = { channel: event.channel, threadTs: event.thread_ts ?? event.ts };
  const team = event.team ?? envelope.data.team_id;
  return {
    ok: true,
    turn: {
      thread,
      message: {
        channel: CHANNEL_NAME,
        tenant: options.tenant,
        userRef: `${team}:${event.user}`,
        conversationRef: toConversationRef(thread),
        messageId: event.client_msg_id ?? `${event.channel}:${event.ts}`,
        text: decodeSlackText(mentionless(event.type, event.text ?? '', botUserId), botUserId),
        time: tsToDate(event.ts),
      },
    },
  };
}

// Interactivity ------------------------------------------------------------------------------------

const BlockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: SlackId, team_id: SlackId.optional() }).loose(),
  team: z.object({ id: SlackId }).loose().nullable().optional(),
  channel: z.object({ id: SlackId }).loose().optional(),
  container: z
    .object({ type: z.string(), channel_id: SlackId.optional(), message_ts: SlackTs.optional(), thread_ts: SlackTs.optional() })
    .loose(),
  message: z.object({ ts: SlackTs, thread_ts: SlackTs.optional() }).loose().optional(),
  actions: z
    .array(z.object({ type: z.string(), action_id: z.string(), value: z.string().optional(), action_ts: SlackTs }).loose())
    .min(1),
});

/**
 * A quick-reply button press -> the person sending the button's value in that thread. The
 * message id is the press's `action_ts` with the action_id, so a redelivered press is deduped
 * while a second, deliberate press is a new message.
 */
export function parseBlockAction(body: unknown, options: { tenant: string }): TurnParse {
  const parsed = BlockActionsSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const payload = parsed.data;
  const action = payload.actions[0]!;
  if (action.type !== 'button' || !QUICK_REPLY_ACTION.test(action.action_id) || !action.value) {
    return { ok: false, reason: 'unsupported_action' };
  }
  const channel = payload.container.channel_id ?? payload.channel?.id;
  // Our buttons sit in a thread reply; a top-level message is its own thread.
  const threadTs = payload.message?.thread_ts ?? payload.container.thread_ts ?? payload.message?.ts ?? payload.container.message_ts;
  if (!channel || !threadTs) return { ok: false, reason: 'malformed' };
  const team = payload.user.team_id ?? payload.team?.id;
  if (!team) return { ok: false, reason: 'malformed' };
  const thread = { channel, threadTs };
  return {
    ok: true,
    turn: {
      thread,
      message: {
        channel: CHANNEL_NAME,
        tenant: options.tenant,
        userRef: `${team}:${payload.user.id}`,
        conversationRef: toConversationRef(thread),
        messageId: `${channel}:${action.action_ts}:${action.action_id}`,
        text: action.value,
        time: tsToDate(action.action_ts),
      },
    },
  };
}
