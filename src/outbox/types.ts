// The durable outbox: every message the bot pushes outside a request (agent replies to users,
// notifications to agent desks, later ticket notifications) is first a row in the store,
// written in the same transaction as the event that causes it, then delivered by the
// OutboxWorker (outbox-worker.ts) with retries. A restart or an API failure delays a message;
// it never loses it, and the dedupe key stops it from being queued twice.

export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** A delivery to queue. */
export interface OutboxDraft {
  /**
   * Where it goes: a channel name ("wechat", "web", ...) for a user, "desk:<name>" for an
   * agent desk. The worker looks the deliverer up by this name.
   */
  target: string;
  /** For a channel: the conversation reference; for a desk: whatever the desk keys on (the handoff id). */
  conversationRef: string;
  /** What to deliver, JSON: OutboundReply[] for a channel, a DeskNotification for a desk. */
  payload: unknown;
  /** Unique across the outbox: a second draft with the same key is ignored (redelivered events, double clicks). */
  dedupeKey: string;
  tenant: string;
  /** The handoff it belongs to, if any (a permanent failure is recorded on it). */
  handoffId?: string | null;
  /** Earliest delivery time; defaults to the creation time. */
  notBefore?: Date;
}

export interface OutboxItem {
  id: number;
  target: string;
  conversationRef: string;
  payload: unknown;
  dedupeKey: string;
  tenant: string;
  handoffId: string | null;
  state: OutboxState;
  /** Delivery attempts started so far (the current one included while `sending`). */
  attempts: number;
  nextAttemptAt: Date;
  /** A short error code of the last failed attempt (never message text). */
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OutboxFilter {
  state?: OutboxState;
  handoffId?: string;
  target?: string;
}
