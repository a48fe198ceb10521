// The handoff domain: a chat a person (a support agent) takes over from the bot. This module
// owns the states, the record and the append-only audit events; the store keeps them, the
// HandoffService (handoff-service.ts) holds the rules, desks (agent-desk.ts) show them to agents.

export const HANDOFF_STATES = ['bot', 'waiting_agent', 'agent', 'closed'] as const;
/**
 * `waiting_agent` → `agent` (one owner) → `bot` (handed back) or `closed`. A waiting chat may
 * also go back to `bot` (the user cancelled) or to `closed` (timed out, or closed by an agent).
 */
export type HandoffState = (typeof HANDOFF_STATES)[number];

/** The states in which the bot stays silent and the user's messages go to the agents. */
export const OPEN_HANDOFF_STATES: readonly HandoffState[] = ['waiting_agent', 'agent'];

export const HANDOFF_REASONS = ['human_agent', 'complaint', 'refusals', 'identity_failed', 'topic'] as const;
/** Why the chat was escalated: asked for a person; a complaint; two refusals in a row; contact given wrong twice; a topic the tenant always escalates. */
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

export interface Handoff {
  id: string;
  tenant: string;
  channel: string;
  conversationRef: string;
  userRef: string;
  language: 'zh' | 'en';
  reason: HandoffReason;
  state: HandoffState;
  /** The owning agent's stable id (e.g. "slack:U123", "console:alice"), while or after an agent owned the chat. */
  ownerId: string | null;
  /** The owning agent's display name, shown to other agents ("taken by Alice"). */
  ownerName: string | null;
  createdAt: Date;
  updatedAt: Date;
  takenAt: Date | null;
  firstAgentReplyAt: Date | null;
  /** When the chat left waiting/agent (handed back, closed, cancelled, timed out). */
  endedAt: Date | null;
  /** Set when a message for the user could not be delivered (e.g. WeChat's 48-hour window); cleared when the user writes again. */
  userUnreachable: boolean;
}

export const HANDOFF_EVENT_TYPES = [
  'escalated',
  'taken',
  'relayed_to_user',
  'relayed_to_agent',
  'handed_back',
  'closed',
  'timed_out',
  'delivery_failed',
] as const;
export type HandoffEventType = (typeof HANDOFF_EVENT_TYPES)[number];

/** One line of the append-only audit log. Never carries message text: relays are in the transcript. */
export interface HandoffEvent {
  handoffId: string;
  type: HandoffEventType;
  /** "user:<ref>", "agent:<id>", "system". */
  actor: string;
  at: Date;
  /** A short note (hand-back note, why it closed); no personal data. */
  note: string | null;
}

/** Someone acting on a desk. `id` is stable and unique across desks ("slack:U123"); `name` is for display. */
export interface Agent {
  id: string;
  name: string;
}

/** A transcript line as agents see it (contacts already masked). */
export interface TranscriptLine {
  direction: 'in' | 'out';
  text: string;
  at: Date;
}
