// The handoff and outbox tables as both backends see them: one SQL text per statement where
// SQLite and PostgreSQL agree (written with $1-style parameters; the SQLite backend turns them
// into positional ones), and the row mapping, so the two backends cannot drift apart.
// Dialect differences stay in the backends: column types, time encoding, row locking.

import type { Handoff, HandoffEvent } from '../handoff/types.ts';
import type { OutboxDraft, OutboxFilter, OutboxItem, OutboxState } from '../outbox/types.ts';
import type { HandoffFilter, HandoffUpdate } from './store.ts';

/** Table names, qualified the backend's way. */
export type Tables = Record<'handoffs' | 'handoffEvents' | 'deskRefs' | 'outbox', string>;

/** How a backend writes and reads times and JSON. */
export interface Codec<Time, Json> {
  time: (at: Date) => Time;
  readTime: (value: Time) => Date;
  json: (value: unknown) => Json;
  readJson: (value: Json) => unknown;
}

export interface HandoffColumns<Time> {
  id: string;
  tenant: string;
  channel: string;
  conversation_ref: string;
  user_ref: string;
  language: Handoff['language'];
  reason: Handoff['reason'];
  state: Handoff['state'];
  owner_id: string | null;
  owner_name: string | null;
  created_at: Time;
  updated_at: Time;
  taken_at: Time | null;
  first_agent_reply_at: Time | null;
  ended_at: Time | null;
  user_unreachable: number;
}

export interface HandoffEventColumns<Time> {
  handoff_id: string;
  type: HandoffEvent['type'];
  actor: string;
  at: Time;
  note: string | null;
}

export interface OutboxColumns<Time, Json> {
  id: number | string;
  target: string;
  conversation_ref: string;
  payload: Json;
  dedupe_key: string;
  tenant: string;
  handoff_id: string | null;
  state: OutboxState;
  attempts: number;
  next_attempt_at: Time;
  last_error: string | null;
  created_at: Time;
  updated_at: Time;
}

export const OPEN_STATES_SQL = `('waiting_agent', 'agent')`;

export function handoffInsert(t: Tables): string {
  return `INSERT INTO ${t.handoffs} (id, tenant, channel, conversation_ref, user_ref, language, reason, state, owner_id, owner_name,
      created_at, updated_at, taken_at, first_agent_reply_at, ended_at, user_unreachable)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
    ON CONFLICT DO NOTHING`;
}

export function handoffInsertValues<Time>(h: Handoff, codec: Pick<Codec<Time, unknown>, 'time'>): unknown[] {
  const time = (at: Date | null) => (at === null ? null : codec.time(at));
  return [
    h.id,
    h.tenant,
    h.channel,
    h.conversationRef,
    h.userRef,
    h.language,
    h.reason,
    h.state,
    h.ownerId,
    h.ownerName,
    time(h.createdAt),
    time(h.updatedAt),
    time(h.takenAt),
    time(h.firstAgentReplyAt),
    time(h.endedAt),
    h.userUnreachable ? 1 : 0,
  ];
}

export function handoffFromColumns<Time>(r: HandoffColumns<Time>, codec: Pick<Codec<Time, unknown>, 'readTime'>): Handoff {
  const time = (value: Time | null) => (value === null ? null : codec.readTime(value));
  return {
    id: r.id,
    tenant: r.tenant,
    channel: r.channel,
    conversationRef: r.conversation_ref,
    userRef: r.user_ref,
    language: r.language,
    reason: r.reason,
    state: r.state,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    createdAt: codec.readTime(r.created_at),
    updatedAt: codec.readTime(r.updated_at),
    takenAt: time(r.taken_at),
    firstAgentReplyAt: time(r.first_agent_reply_at),
    endedAt: time(r.ended_at),
    userUnreachable: Number(r.user_unreachable) === 1,
  };
}

export function eventInsert(t: Tables): string {
  return `INSERT INTO ${t.handoffEvents} (handoff_id, type, actor, at, note) VALUES ($1, $2, $3, $4, $5)`;
}

export function eventInsertValues<Time>(e: HandoffEvent, codec: Pick<Codec<Time, unknown>, 'time'>): unknown[] {
  return [e.handoffId, e.type, e.actor, codec.time(e.at), e.note];
}

export function eventFromColumns<Time>(r: HandoffEventColumns<Time>, codec: Pick<Codec<Time, unknown>, 'readTime'>): HandoffEvent {
  return { handoffId: r.handoff_id, type: r.type, actor: r.actor, at: codec.readTime(r.at), note: r.note };
}

export function eventsSelect(t: Tables): string {
  return `SELECT handoff_id, type, actor, at, note FROM ${t.handoffEvents} WHERE handoff_id = $1 ORDER BY id`;
}

export function openHandoffSelect(t: Tables): string {
  return `SELECT * FROM ${t.handoffs} WHERE tenant = $1 AND channel = $2 AND conversation_ref = $3 AND state IN ${OPEN_STATES_SQL}`;
}

export function latestHandoffSelect(t: Tables): string {
  return `SELECT * FROM ${t.handoffs} WHERE tenant = $1 AND channel = $2 AND conversation_ref = $3 ORDER BY created_at DESC, id DESC LIMIT 1`;
}

export function listHandoffsQuery<Time>(t: Tables, filter: HandoffFilter, codec: Pick<Codec<Time, unknown>, 'time'>): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  if (filter.tenant !== undefined) where.push(`tenant = ${param(filter.tenant)}`);
  if (filter.states !== undefined) {
    where.push(filter.states.length === 0 ? '1 = 0' : `state IN (${filter.states.map((s) => param(s)).join(', ')})`);
  }
  if (filter.updatedSince !== undefined) where.push(`updated_at >= ${param(codec.time(filter.updatedSince))}`);
  const limit = filter.limit !== undefined ? ` LIMIT ${param(filter.limit)}` : '';
  return {
    sql: `SELECT * FROM ${t.handoffs} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC${limit}`,
    params,
  };
}

/**
 * The compare-and-set of a handoff change: updates only when the state (and owner) still is
 * what the caller saw. Concurrent changes queue on the row lock and re-check the WHERE, so of
 * two take-overs exactly one gets a row back.
 */
export function handoffUpdateQuery<Time>(
  t: Tables,
  id: string,
  expect: { states: readonly string[]; ownerId?: string },
  set: HandoffUpdate,
  codec: Pick<Codec<Time, unknown>, 'time'>,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  const time = (at: Date | null) => (at === null ? null : codec.time(at));
  const sets: string[] = [`updated_at = ${param(codec.time(set.updatedAt))}`];
  if (set.state !== undefined) sets.push(`state = ${param(set.state)}`);
  if (set.ownerId !== undefined) sets.push(`owner_id = ${param(set.ownerId)}`);
  if (set.ownerName !== undefined) sets.push(`owner_name = ${param(set.ownerName)}`);
  if (set.takenAt !== undefined) sets.push(`taken_at = ${param(time(set.takenAt))}`);
  if (set.firstAgentReplyAt !== undefined) sets.push(`first_agent_reply_at = COALESCE(first_agent_reply_at, ${param(time(set.firstAgentReplyAt))})`);
  if (set.endedAt !== undefined) sets.push(`ended_at = ${param(time(set.endedAt))}`);
  if (set.userUnreachable !== undefined) sets.push(`user_unreachable = ${param(set.userUnreachable ? 1 : 0)}`);
  const where = [`id = ${param(id)}`, expect.states.length === 0 ? '1 = 0' : `state IN (${expect.states.map((s) => param(s)).join(', ')})`];
  if (expect.ownerId !== undefined) where.push(`owner_id = ${param(expect.ownerId)}`);
  return { sql: `UPDATE ${t.handoffs} SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`, params };
}

export function deskRefUpsert(t: Tables): string {
  return `INSERT INTO ${t.deskRefs} (handoff_id, desk, ref) VALUES ($1, $2, $3)
    ON CONFLICT (handoff_id, desk) DO UPDATE SET ref = excluded.ref`;
}

export function deskRefSelect(t: Tables): string {
  return `SELECT ref FROM ${t.deskRefs} WHERE handoff_id = $1 AND desk = $2`;
}

export function handoffByDeskRefSelect(t: Tables): string {
  return `SELECT h.* FROM ${t.handoffs} h JOIN ${t.deskRefs} d ON d.handoff_id = h.id WHERE d.desk = $1 AND d.ref = $2`;
}

// Outbox ------------------------------------------------------------------------------------

export function outboxInsert(t: Tables): string {
  return `INSERT INTO ${t.outbox} (target, conversation_ref, payload, dedupe_key, tenant, handoff_id, state, attempts, next_attempt_at, last_error, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, NULL, $8, $8)
    ON CONFLICT (dedupe_key) DO NOTHING`;
}

export function outboxInsertValues<Time, Json>(d: OutboxDraft, now: Date, codec: Pick<Codec<Time, Json>, 'time' | 'json'>): unknown[] {
  return [d.target, d.conversationRef, codec.json(d.payload), d.dedupeKey, d.tenant, d.handoffId ?? null, codec.time(d.notBefore ?? now), codec.time(now)];
}

export function outboxExistsSelect(t: Tables): string {
  return `SELECT 1 AS found FROM ${t.outbox} WHERE dedupe_key = $1`;
}

/**
 * Claims due rows: `$1` now, `$2` lease end, `$3` limit. `lock` is the PostgreSQL row-locking
 * clause (FOR UPDATE SKIP LOCKED) so that concurrent workers skip each other's rows; SQLite
 * runs it inside a write transaction, which serialises workers already.
 */
export function outboxClaim(t: Tables, lock: string): string {
  return `UPDATE ${t.outbox} SET state = 'sending', attempts = attempts + 1, next_attempt_at = $2, updated_at = $1
    WHERE id IN (
      SELECT o.id FROM ${t.outbox} o
      WHERE (o.state = 'pending' OR o.state = 'sending') AND o.next_attempt_at <= $1
        AND NOT EXISTS (
          SELECT 1 FROM ${t.outbox} p
          WHERE p.target = o.target AND p.conversation_ref = o.conversation_ref AND p.id < o.id AND p.state IN ('pending', 'sending')
        )
      ORDER BY o.next_attempt_at, o.id
      LIMIT $3
      ${lock}
    )
    RETURNING *`;
}

export function outboxSent(t: Tables): string {
  return `UPDATE ${t.outbox} SET state = 'sent', last_error = NULL, updated_at = $2 WHERE id = $1 AND state = 'sending'`;
}

export function outboxRetry(t: Tables): string {
  return `UPDATE ${t.outbox} SET state = 'pending', next_attempt_at = $2, last_error = $3, updated_at = $4 WHERE id = $1 AND state = 'sending'`;
}

export function outboxFail(t: Tables): string {
  return `UPDATE ${t.outbox} SET state = 'failed', last_error = $2, updated_at = $3 WHERE id = $1 AND state <> 'sent'`;
}

export function listOutboxQuery(t: Tables, filter: OutboxFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  if (filter.state !== undefined) where.push(`state = ${param(filter.state)}`);
  if (filter.handoffId !== undefined) where.push(`handoff_id = ${param(filter.handoffId)}`);
  if (filter.target !== undefined) where.push(`target = ${param(filter.target)}`);
  return { sql: `SELECT * FROM ${t.outbox} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, params };
}

export function outboxFromColumns<Time, Json>(r: OutboxColumns<Time, Json>, codec: Pick<Codec<Time, Json>, 'readTime' | 'readJson'>): OutboxItem {
  return {
    id: Number(r.id),
    target: r.target,
    conversationRef: r.conversation_ref,
    payload: codec.readJson(r.payload),
    dedupeKey: r.dedupe_key,
    tenant: r.tenant,
    handoffId: r.handoff_id,
    state: r.state,
    attempts: Number(r.attempts),
    nextAttemptAt: codec.readTime(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: codec.readTime(r.created_at),
    updatedAt: codec.readTime(r.updated_at),
  };
}

/** `$1`-style SQL to SQLite's positional `?`, reordering the values to match. */
export function positional(sql: string, params: readonly unknown[]): [string, unknown[]] {
  const ordered: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(params[Number(n) - 1]);
    return '?';
  });
  return [text, ordered];
}
