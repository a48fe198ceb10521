// One storage interface for everything the bot keeps about people and requests. Two
// backends implement it (SQLite embedded by default, PostgreSQL with DATABASE_URL) and pass
// the same contract suite (test/store/store-contract.test.ts).
//
// The store holds opaque values where the core protects them: contact details arrive here
// already encrypted, conversation state is JSON the core owns.

import { wellFormed } from '../knowledge/text.ts';
import type { Citation } from '../answer/answerer.ts';
import type { Handoff, HandoffEvent, HandoffState } from '../handoff/types.ts';
import type { OutboxDraft, OutboxFilter, OutboxItem } from '../outbox/types.ts';
import { chinaDay } from '../tickets/deadline.ts';
import type {
  Rejection,
  TicketAccess,
  TicketClause,
  TicketDraft,
  TicketEvent,
  TicketFilter,
  TicketPatch,
  TicketRecord,
  TicketStatus,
  VerificationMethod,
} from '../tickets/ticket.ts';
import type { VerificationCodeRecord } from '../tickets/verification-code.ts';

// The ticket shapes belong to src/tickets/; re-exported for the modules that reach them here.
export { TICKET_STATUSES } from '../tickets/ticket.ts';
export type { TicketAccess, TicketClause, TicketDraft, TicketEvent, TicketFilter, TicketPatch, TicketRecord, TicketStatus } from '../tickets/ticket.ts';
export type { VerificationCodeRecord } from '../tickets/verification-code.ts';

/** Identifies one inbound message across redeliveries. */
export interface MessageKey {
  channel: string;
  tenant: string;
  messageId: string;
}

export type MessageClaim =
  /** The caller owns the message now and must finish or release it. */
  | { state: 'claimed' }
  /** Another caller (or instance) is handling it right now. */
  | { state: 'processing' }
  /** Already handled; `result` is what finishMessage stored. */
  | { state: 'done'; result: unknown };

/** Names one conversation (the unit turns are serialised on). */
export interface ConversationKey {
  tenant: string;
  channel: string;
  conversationRef: string;
}

/** A signed request's replay key and what it carried, remembered until `expiresAt`. */
export interface RequestNonce {
  /** Whose signature it is, e.g. "wechat:<tenant>": two accounts' nonces never collide. */
  scope: string;
  timestamp: string;
  nonce: string;
  /** A digest of the authenticated body. */
  digest: string;
  expiresAt: Date;
}

/** first: never seen; repeat: seen with the same body (a redelivery); conflict: seen with another body (a replay). */
export type NonceCheck = 'first' | 'repeat' | 'conflict';

export interface ConversationRecord {
  tenant: string;
  channel: string;
  conversationRef: string;
  userRef: string;
  /** JSON-serialisable state owned by the conversation core. */
  state: unknown;
  updatedAt: Date;
}

export interface TranscriptEntry {
  tenant: string;
  channel: string;
  conversationRef: string;
  userRef: string;
  direction: 'in' | 'out';
  text: string;
  at: Date;
  /** The clauses an outbound answer cited (so a reloaded chat shows them again); absent when none. */
  citations?: Citation[];
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Inbound message idempotency -------------------------------------------------------
  /**
   * Claims a message for processing: a lease held by `owner` (a token unique to this attempt)
   * for `leaseMs` from `now`. A claim that was neither finished nor renewed for longer than
   * `leaseMs` (its instance died) may be taken over.
   */
  claimMessage(key: MessageKey, now: Date, leaseMs: number, owner?: string): Promise<MessageClaim>;
  /**
   * The heartbeat of a running turn: restarts the lease of an unfinished claim `owner` still
   * holds. False when the message was finished or the claim was taken over meanwhile.
   */
  renewClaim(key: MessageKey, owner: string, now: Date): Promise<boolean>;
  finishMessage(key: MessageKey, result: unknown, now: Date): Promise<void>;
  /** Gives up a claim after a failure, so a redelivery can try again; with `owner`, only if it still holds it. */
  releaseMessage(key: MessageKey, owner?: string): Promise<void>;

  // Signed requests (webhook replay protection, shared by every instance) ----------------
  /** Remembers a signed request's (scope, timestamp, nonce) and says whether it came before, with which body. */
  rememberRequest(entry: RequestNonce, now: Date): Promise<NonceCheck>;
  /** Forgets the nonces that expired before `now`; returns how many. */
  purgeExpiredRequests(now: Date): Promise<number>;

  // Settings every instance must agree on ---------------------------------------------------
  /** Stores `value` under `name` unless a value is stored already; returns the stored value. */
  adoptSetting(name: string, value: string): Promise<string>;

  // Conversations -------------------------------------------------------------------------
  /**
   * Runs `work` while holding the conversation's lock: across every instance sharing the
   * database, one turn of a conversation runs at a time, the waiting ones in arrival order.
   */
  withConversationLock<T>(key: ConversationKey, work: () => Promise<T>): Promise<T>;
  loadConversation(tenant: string, channel: string, conversationRef: string): Promise<ConversationRecord | null>;
  saveConversation(record: ConversationRecord): Promise<void>;
  appendTranscript(entries: TranscriptEntry[]): Promise<void>;
  /** Oldest first. */
  transcript(tenant: string, channel: string, conversationRef: string): Promise<TranscriptEntry[]>;
  /** Erases the user's transcript and conversation state (not their tickets). */
  eraseUserHistory(tenant: string, channel: string, userRef: string): Promise<{ messages: number; conversations: number }>;
  /**
   * Deletes transcript entries (and idle conversations and message claims) older than
   * `before`; at most `limit` rows of each when given, so a large purge runs in small batches.
   */
  purgeBefore(before: Date, limit?: number): Promise<{ messages: number; conversations: number; claims: number }>;

  // Tickets ---------------------------------------------------------------------------------
  /**
   * Numbers and inserts a ticket, with its first audit event, in one transaction. When a
   * ticket with the same originKey exists, returns it with created=false and inserts nothing.
   */
  createTicket(
    draft: TicketDraft,
    event: Omit<TicketEvent, 'ticketId'>,
    /** Outbox rows for the new ticket (desk announcements), queued in its transaction; not called for a repeat. */
    outbox?: (ticket: TicketRecord) => OutboxDraft[],
  ): Promise<{ ticket: TicketRecord; created: boolean }>;
  getTicket(id: string): Promise<TicketRecord | null>;
  /** Newest first. */
  listTickets(filter?: TicketFilter): Promise<TicketRecord[]>;
  /**
   * Moves a ticket from `event.from` to `event.to`, applies `patch` and appends the event,
   * atomically. Returns the updated ticket, or null when its status is no longer `event.from`
   * (a concurrent change). `outbox` rows (the requester's notification) are queued in the same
   * transaction, so a change is never recorded without its notification, nor the reverse.
   */
  transitionTicket(event: TicketEvent, patch?: TicketPatch, outbox?: OutboxDraft[]): Promise<TicketRecord | null>;
  /** The append-only audit log of a ticket, oldest first. */
  ticketEvents(ticketId: string): Promise<TicketEvent[]>;
  /** Sets the blind index of tickets that have none (and still have a contact). Returns how many changed. */
  indexTicketContacts(entries: { ticketId: string; contactIndex: string }[]): Promise<number>;
  /** Appends to the append-only access log (who saw personal data in clear). */
  recordTicketAccess(entry: TicketAccess): Promise<void>;
  /** A ticket's access log, oldest first. */
  ticketAccessLog(ticketId: string): Promise<TicketAccess[]>;
  /**
   * Removes the personal data (encrypted contact, blind index, sealed details) of tickets in
   * one of `statuses` last changed before `before` and not yet purged; the record stays.
   * Returns how many were purged.
   */
  purgeClosedTickets(before: Date, statuses: readonly TicketStatus[], at: Date, limit?: number): Promise<number>;

  // Identity verification codes (one live code per key) ------------------------------------
  /** Stores a code, replacing any earlier one under the same key. */
  saveVerificationCode(code: VerificationCodeRecord): Promise<void>;
  verificationCode(key: string): Promise<VerificationCodeRecord | null>;
  /**
   * Counts one attempt against an unconsumed code, atomically, unless `maxAttempts` were
   * used already. Returns the record after counting, or null when no attempt was counted.
   */
  countVerificationAttempt(key: string, maxAttempts: number): Promise<VerificationCodeRecord | null>;
  /** Marks the code used; false when it was used already (only one caller wins). */
  consumeVerificationCode(key: string, at: Date): Promise<boolean>;
  /** Deletes codes that expired before `before`. */
  purgeVerificationCodes(before: Date): Promise<number>;

  // Handoffs (src/handoff/) -------------------------------------------------------------------
  /**
   * Inserts a handoff with its first audit events and outbox rows in one transaction. A
   * conversation has at most one open handoff (waiting_agent or agent): when it already has
   * one, nothing is inserted and that one is returned with created=false.
   */
  createHandoff(handoff: Handoff, events: HandoffEvent[], outbox: OutboxDraft[]): Promise<{ handoff: Handoff; created: boolean }>;
  getHandoff(id: string): Promise<Handoff | null>;
  /** The conversation's open handoff (waiting_agent or agent), if any. */
  openHandoff(tenant: string, channel: string, conversationRef: string): Promise<Handoff | null>;
  /** The conversation's most recent handoff in any state. */
  latestHandoff(tenant: string, channel: string, conversationRef: string): Promise<Handoff | null>;
  /** Newest first. */
  listHandoffs(filter?: HandoffFilter): Promise<Handoff[]>;
  /**
   * The one way a handoff changes after creation: atomically, when it is in one of
   * `expect.states` (and owned by `expect.ownerId` when given), applies `set`, appends the
   * events, queues the outbox rows and appends the transcript entries. `refused` (with the
   * handoff as it is now) when the expectation does not hold — e.g. a second take-over;
   * `duplicate` when an outbox row with `dedupeKey` already exists (nothing is applied).
   */
  changeHandoff(change: HandoffChange): Promise<HandoffChangeResult>;
  /** The append-only audit log of a handoff, oldest first. */
  handoffEvents(handoffId: string): Promise<HandoffEvent[]>;
  /** Remembers what a desk calls a handoff (e.g. the Slack message ts of its thread); one per desk. */
  setHandoffDeskRef(handoffId: string, desk: string, ref: string): Promise<void>;
  handoffDeskRef(handoffId: string, desk: string): Promise<string | null>;
  /** The handoff a desk reference belongs to (a thread reply → its handoff). */
  findHandoffByDeskRef(desk: string, ref: string): Promise<Handoff | null>;

  // Outbox (src/outbox/) ----------------------------------------------------------------------
  /** Queues deliveries outside any other change; a draft whose dedupeKey exists is skipped. Returns how many were queued. */
  enqueueOutbox(drafts: OutboxDraft[], now: Date): Promise<number>;
  /**
   * Claims up to `limit` due rows for delivery (pending and due, or sending with an expired
   * lease), at most one per (target, conversationRef) and never one with an older undelivered
   * row before it, so each conversation gets its messages in order. A claimed row is
   * `sending`, its attempts counted, leased until now + leaseMs. Concurrent workers never claim
   * the same row.
   */
  claimOutbox(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Marks a claimed row delivered. */
  markOutboxSent(id: number, now: Date): Promise<void>;
  /** Puts a claimed row back for another attempt at `nextAttemptAt`. */
  retryOutbox(id: number, nextAttemptAt: Date, error: string, now: Date): Promise<void>;
  /** Gives up on a row for good. */
  failOutbox(id: number, error: string, now: Date): Promise<void>;
  /** Oldest first. */
  listOutbox(filter?: OutboxFilter): Promise<OutboxItem[]>;
}

export interface HandoffFilter {
  tenant?: string;
  states?: readonly HandoffState[];
  /** Only handoffs updated at or after this instant. */
  updatedSince?: Date;
  limit?: number;
}

/** The fields a change may set; `firstAgentReplyAt` is only ever set once (a later value is ignored). */
export type HandoffUpdate = Partial<Pick<Handoff, 'state' | 'ownerId' | 'ownerName' | 'takenAt' | 'firstAgentReplyAt' | 'endedAt' | 'userUnreachable'>> & {
  updatedAt: Date;
};

export interface HandoffChange {
  handoffId: string;
  expect: { states: readonly HandoffState[]; ownerId?: string };
  set: HandoffUpdate;
  events: HandoffEvent[];
  outbox: OutboxDraft[];
  transcript?: TranscriptEntry[];
  /** Idempotency: when an outbox row with this key exists the change is a duplicate and nothing happens. */
  dedupeKey?: string;
}

export type HandoffChangeResult =
  | { outcome: 'applied'; handoff: Handoff }
  | { outcome: 'duplicate'; handoff: Handoff }
  | { outcome: 'refused'; handoff: Handoff | null };

// Helpers both backends share, so their ticket numbers cannot drift apart.

/**
 * The YYYYMMDD day of `createdAt` in China time (UTC+8, whatever the server's zone), e.g.
 * 2026-11-21T17:00Z -> "20261122": ticket numbers restart on the day due dates count from.
 */
export function ticketDay(createdAt: Date): string {
  return chinaDay(createdAt).replaceAll('-', '');
}

/** DEL + 20261122 + 7 -> "DEL-20261122-0007" (a 5th digit appears after 9999 tickets a day). */
export function formatTicketId(prefix: string, day: string, sequence: number): string {
  return `${prefix}-${day}-${String(sequence).padStart(4, '0')}`;
}

/** What a purged ticket shows where its contact was. */
export const PURGED_CONTACT = '(purged)';

/** Request details without the sealed originals (what remains after the retention purge). */
export function withoutSealed(details: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !key.endsWith('.sealed')));
}

/** A tickets row, with the JSON and time columns as the backend stores them. */
export interface TicketColumns<Json, Time> {
  id: string;
  type: TicketRecord['type'];
  tenant: string;
  channel: string;
  requester: string;
  conversation_ref: string;
  contact_encrypted: string;
  contact_masked: string;
  details: Json;
  clauses: Json;
  status: TicketStatus;
  due_date: string;
  deadline_source: TicketRecord['deadlineSource'];
  language: TicketRecord['language'];
  origin_key: string;
  contact_index: string;
  identity_verified: boolean | number;
  verification_method: VerificationMethod | null;
  rejection: Json | null;
  purged_at: Time | null;
  created_at: Time;
  updated_at: Time;
}

/** The columns a new ticket is inserted with, in the order of ticketInsertValues. */
export const TICKET_INSERT_COLUMNS =
  'id, type, tenant, channel, requester, conversation_ref, contact_encrypted, contact_masked, details, clauses, status, due_date, deadline_source, language, origin_key, created_at, updated_at, contact_index, identity_verified, verification_method, rejection, purged_at';

/** The values of a new ticket in TICKET_INSERT_COLUMNS order; `time` writes a Date the backend's way. */
export function ticketInsertValues<Time>(id: string, draft: TicketDraft, time: (at: Date) => Time, bool: (value: boolean) => unknown = (v) => v): unknown[] {
  return storedValues([
    id,
    draft.type,
    draft.tenant,
    draft.channel,
    draft.requester,
    draft.conversationRef,
    draft.contactEncrypted,
    draft.contactMasked,
    storedJson(draft.details),
    storedJson(draft.clauses),
    draft.status,
    draft.dueDate,
    draft.deadlineSource,
    draft.language,
    draft.originKey,
    time(draft.createdAt),
    time(draft.updatedAt),
    draft.contactIndex,
    bool(draft.identityVerified),
    draft.verificationMethod,
    draft.rejection ? storedJson(draft.rejection) : null,
    draft.purgedAt ? time(draft.purgedAt) : null,
  ]);
}

/**
 * JSON text for a JSON column. Every string in it is made well-formed first: JSON.stringify
 * writes a lone surrogate as "\\ud83d", which PostgreSQL's jsonb refuses (22P02) and no UTF-8
 * reader can decode. `undefined` has no JSON form and is kept as null.
 */
export function storedJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v));
}

/** Text for a text column: well-formed, so both backends store exactly what they return. */
export function storedText(text: string): string {
  return wellFormed(text);
}

/** Statement parameters with their strings made well-formed. */
export function storedValues(values: unknown[]): unknown[] {
  return values.map((v) => (typeof v === 'string' ? wellFormed(v) : v));
}

/** A stored row back to a ticket; `decode` reads the backend's JSON and time columns. */
export function ticketFromColumns<Json, Time>(r: TicketColumns<Json, Time>, decode: { json: (value: Json) => unknown; time: (value: Time) => Date }): TicketRecord {
  return {
    id: r.id,
    type: r.type,
    tenant: r.tenant,
    channel: r.channel,
    requester: r.requester,
    conversationRef: r.conversation_ref,
    contactEncrypted: r.contact_encrypted,
    contactMasked: r.contact_masked,
    details: decode.json(r.details) as Record<string, string>,
    clauses: decode.json(r.clauses) as TicketClause[],
    status: r.status,
    dueDate: r.due_date,
    deadlineSource: r.deadline_source,
    language: r.language,
    originKey: r.origin_key,
    contactIndex: r.contact_index,
    identityVerified: Boolean(r.identity_verified),
    verificationMethod: r.verification_method,
    rejection: r.rejection === null ? null : (decode.json(r.rejection) as Rejection),
    purgedAt: r.purged_at === null ? null : decode.time(r.purged_at),
    createdAt: decode.time(r.created_at),
    updatedAt: decode.time(r.updated_at),
  };
}
