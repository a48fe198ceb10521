// The embedded backend: one SQLite file in the data directory, nothing to run beside the bot.
//
// better-sqlite3 is synchronous; the methods are async only to honour the Store interface.
// Within one process every call therefore runs to completion before the next one starts, and
// write transactions begin IMMEDIATE so that two processes sharing the file queue on the
// write lock (busy_timeout) instead of failing halfway through a read-then-write.
//
// Timestamps are INTEGER milliseconds since the epoch; JSON values are TEXT.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BotError } from '../errors.ts';
import {
  PURGED_CONTACT,
  withoutSealed,
  formatTicketId,
  storedJson,
  storedText,
  storedValues,
  ticketDay,
  ticketFromColumns,
  ticketInsertValues,
  TICKET_INSERT_COLUMNS,
  type ConversationKey,
  type ConversationRecord,
  type NonceCheck,
  type RequestNonce,
  type MessageClaim,
  type MessageKey,
  type Store,
  type TicketColumns,
  type TicketDraft,
  type TicketEvent,
  type TicketFilter,
  type TicketAccess,
  type TicketPatch,
  type TicketRecord,
  type TicketStatus,
  type TranscriptEntry,
  type VerificationCodeRecord,
} from './store.ts';
import type { HandoffChange, HandoffChangeResult, HandoffFilter } from './store.ts';
import type { Handoff, HandoffEvent } from '../handoff/types.ts';
import type { OutboxDraft, OutboxFilter, OutboxItem } from '../outbox/types.ts';
import * as sql from './handoff-sql.ts';
import type { Codec, HandoffColumns, HandoffEventColumns, OutboxColumns, Tables } from './handoff-sql.ts';

export const SQLITE_FILE_NAME = 'privacy-bot.sqlite';

/** How long a writer waits for another process's write lock before giving up. */
const BUSY_TIMEOUT_MS = 5000;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Applied in order, each once, recorded in schema_migrations. Never edit a step that has
 * shipped: add a new one. Status and request type have no CHECK constraint on purpose, so
 * that adding a status in the code does not need a table rebuild (SQLite cannot alter a
 * CHECK); the closed sets (direction, language, deadline source) do.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE message_claims (
        channel     TEXT    NOT NULL,
        tenant      TEXT    NOT NULL,
        message_id  TEXT    NOT NULL,
        claimed_at  INTEGER NOT NULL,
        finished_at INTEGER,
        result      TEXT,
        PRIMARY KEY (channel, tenant, message_id)
      );
      CREATE INDEX message_claims_claimed_at ON message_claims (claimed_at);

      CREATE TABLE conversations (
        tenant           TEXT    NOT NULL,
        channel          TEXT    NOT NULL,
        conversation_ref TEXT    NOT NULL,
        user_ref         TEXT    NOT NULL,
        state            TEXT    NOT NULL,
        updated_at       INTEGER NOT NULL,
        PRIMARY KEY (tenant, channel, conversation_ref)
      );
      CREATE INDEX conversations_user ON conversations (tenant, channel, user_ref);
      CREATE INDEX conversations_updated_at ON conversations (updated_at);

      CREATE TABLE transcript (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant           TEXT    NOT NULL,
        channel          TEXT    NOT NULL,
        conversation_ref TEXT    NOT NULL,
        user_ref         TEXT    NOT NULL,
        direction        TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
        text             TEXT    NOT NULL,
        at               INTEGER NOT NULL
      );
      CREATE INDEX transcript_conversation ON transcript (tenant, channel, conversation_ref, at, id);
      CREATE INDEX transcript_user ON transcript (tenant, channel, user_ref);
      CREATE INDEX transcript_at ON transcript (at);

      CREATE TABLE ticket_counters (
        prefix TEXT    NOT NULL,
        day    TEXT    NOT NULL,
        value  INTEGER NOT NULL,
        PRIMARY KEY (prefix, day)
      );

      CREATE TABLE tickets (
        id                TEXT    PRIMARY KEY,
        type              TEXT    NOT NULL,
        tenant            TEXT    NOT NULL,
        channel           TEXT    NOT NULL,
        requester         TEXT    NOT NULL,
        conversation_ref  TEXT    NOT NULL,
        contact_encrypted TEXT    NOT NULL,
        contact_masked    TEXT    NOT NULL,
        details           TEXT    NOT NULL,
        clauses           TEXT    NOT NULL,
        status            TEXT    NOT NULL,
        due_date          TEXT    NOT NULL,
        deadline_source   TEXT    NOT NULL CHECK (deadline_source IN ('policy', 'tenant_default')),
        language          TEXT    NOT NULL CHECK (language IN ('zh', 'en')),
        origin_key        TEXT    NOT NULL UNIQUE,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL
      );
      CREATE INDEX tickets_tenant ON tickets (tenant, created_at);
      CREATE INDEX tickets_requester ON tickets (channel, requester, created_at);
      CREATE INDEX tickets_created_at ON tickets (created_at);

      CREATE TABLE ticket_events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id   TEXT    NOT NULL REFERENCES tickets (id),
        at          INTEGER NOT NULL,
        actor       TEXT    NOT NULL,
        from_status TEXT,
        to_status   TEXT    NOT NULL,
        note        TEXT
      );
      CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

      -- The audit log is append-only for every client of the file, not just for this code.
      CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
      BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
      CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
      BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'identity verification, blind index, rejection reason, access log, retention',
    sql: `
      ALTER TABLE tickets ADD COLUMN contact_index       TEXT    NOT NULL DEFAULT '';
      ALTER TABLE tickets ADD COLUMN identity_verified   INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE tickets ADD COLUMN verification_method TEXT CHECK (verification_method IN ('email', 'sms', 'agent'));
      ALTER TABLE tickets ADD COLUMN rejection           TEXT;
      ALTER TABLE tickets ADD COLUMN purged_at           INTEGER;
      CREATE INDEX tickets_contact_index ON tickets (tenant, contact_index);
      CREATE INDEX tickets_status_updated ON tickets (status, updated_at);

      CREATE TABLE ticket_access_log (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id TEXT    NOT NULL REFERENCES tickets (id),
        at        INTEGER NOT NULL,
        actor     TEXT    NOT NULL,
        action    TEXT    NOT NULL
      );
      CREATE INDEX ticket_access_log_ticket ON ticket_access_log (ticket_id, id);
      CREATE TRIGGER ticket_access_log_no_update BEFORE UPDATE ON ticket_access_log
      BEGIN SELECT RAISE(ABORT, 'ticket_access_log is append-only'); END;
      CREATE TRIGGER ticket_access_log_no_delete BEFORE DELETE ON ticket_access_log
      BEGIN SELECT RAISE(ABORT, 'ticket_access_log is append-only'); END;

      CREATE TABLE verification_codes (
        key           TEXT    PRIMARY KEY,
        tenant        TEXT    NOT NULL,
        ticket_id     TEXT,
        contact_index TEXT    NOT NULL,
        method        TEXT    NOT NULL CHECK (method IN ('email', 'sms')),
        code_hash     TEXT    NOT NULL,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER NOT NULL,
        attempts      INTEGER NOT NULL,
        consumed_at   INTEGER
      );
      CREATE INDEX verification_codes_expires_at ON verification_codes (expires_at);
    `,
  },
  {
    version: 3,
    name: 'several instances: claim owners, request nonces, settings',
    sql: `
      ALTER TABLE message_claims ADD COLUMN owner TEXT;

      CREATE TABLE request_nonces (
        scope      TEXT    NOT NULL,
        timestamp  TEXT    NOT NULL,
        nonce      TEXT    NOT NULL,
        digest     TEXT    NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (scope, timestamp, nonce)
      );
      CREATE INDEX request_nonces_expires_at ON request_nonces (expires_at);

      CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'handoffs and outbox',
    sql: `
      CREATE TABLE handoffs (
        id                   TEXT    PRIMARY KEY,
        tenant               TEXT    NOT NULL,
        channel              TEXT    NOT NULL,
        conversation_ref     TEXT    NOT NULL,
        user_ref             TEXT    NOT NULL,
        language             TEXT    NOT NULL CHECK (language IN ('zh', 'en')),
        reason               TEXT    NOT NULL,
        state                TEXT    NOT NULL CHECK (state IN ('bot', 'waiting_agent', 'agent', 'closed')),
        owner_id             TEXT,
        owner_name           TEXT,
        created_at           INTEGER NOT NULL,
        updated_at           INTEGER NOT NULL,
        taken_at             INTEGER,
        first_agent_reply_at INTEGER,
        ended_at             INTEGER,
        user_unreachable     INTEGER NOT NULL DEFAULT 0
      );
      -- At most one open handoff per conversation, whatever the callers do.
      CREATE UNIQUE INDEX handoffs_one_open ON handoffs (tenant, channel, conversation_ref) WHERE state IN ('waiting_agent', 'agent');
      CREATE INDEX handoffs_conversation ON handoffs (tenant, channel, conversation_ref, created_at);
      CREATE INDEX handoffs_state ON handoffs (state, created_at);
      CREATE INDEX handoffs_updated_at ON handoffs (updated_at);

      CREATE TABLE handoff_events (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        handoff_id TEXT    NOT NULL REFERENCES handoffs (id),
        type       TEXT    NOT NULL,
        actor      TEXT    NOT NULL,
        at         INTEGER NOT NULL,
        note       TEXT
      );
      CREATE INDEX handoff_events_handoff ON handoff_events (handoff_id, id);
      CREATE TRIGGER handoff_events_no_update BEFORE UPDATE ON handoff_events
      BEGIN SELECT RAISE(ABORT, 'handoff_events is append-only'); END;
      CREATE TRIGGER handoff_events_no_delete BEFORE DELETE ON handoff_events
      BEGIN SELECT RAISE(ABORT, 'handoff_events is append-only'); END;

      CREATE TABLE handoff_desk_refs (
        handoff_id TEXT NOT NULL REFERENCES handoffs (id),
        desk       TEXT NOT NULL,
        ref        TEXT NOT NULL,
        PRIMARY KEY (handoff_id, desk),
        UNIQUE (desk, ref)
      );

      CREATE TABLE outbox (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        target           TEXT    NOT NULL,
        conversation_ref TEXT    NOT NULL,
        payload          TEXT    NOT NULL,
        dedupe_key       TEXT    NOT NULL UNIQUE,
        tenant           TEXT    NOT NULL,
        handoff_id       TEXT,
        state            TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts         INTEGER NOT NULL,
        next_attempt_at  INTEGER NOT NULL,
        last_error       TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      );
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
      CREATE INDEX outbox_conversation ON outbox (target, conversation_ref, id);
      CREATE INDEX outbox_handoff ON outbox (handoff_id, id);
    `,
  },
  {
    version: 5,
    name: 'transcript citations',
    sql: `ALTER TABLE transcript ADD COLUMN citations TEXT;`,
  },
];

const TABLES: Tables = { handoffs: 'handoffs', handoffEvents: 'handoff_events', deskRefs: 'handoff_desk_refs', outbox: 'outbox' };

/** Times as milliseconds, JSON as text. */
const CODEC: Codec<number, string> = {
  time: (at) => at.getTime(),
  readTime: (ms) => new Date(ms),
  json: (value) => storedJson(value),
  readJson: (text) => JSON.parse(text) as unknown,
};

interface ClaimRow {
  claimed_at: number;
  finished_at: number | null;
  result: string | null;
}

interface ConversationRow {
  tenant: string;
  channel: string;
  conversation_ref: string;
  user_ref: string;
  state: string;
  updated_at: number;
}

interface TranscriptRow {
  tenant: string;
  channel: string;
  conversation_ref: string;
  user_ref: string;
  direction: 'in' | 'out';
  text: string;
  at: number;
  citations: string | null;
}

/** JSON is stored as text, times as milliseconds. */
type TicketRow = TicketColumns<string, number>;

interface CodeRow {
  key: string;
  tenant: string;
  ticket_id: string | null;
  contact_index: string;
  method: 'email' | 'sms';
  code_hash: string;
  created_at: number;
  expires_at: number;
  attempts: number;
  consumed_at: number | null;
}

interface EventRow {
  ticket_id: string;
  at: number;
  actor: string;
  from_status: TicketStatus | null;
  to_status: TicketStatus;
  note: string | null;
}

export interface SqliteStoreOptions {
  dataDir: string;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #closed = false;

  private constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.path = path;
  }

  /** Opens (creating if needed) `<dataDir>/privacy-bot.sqlite` and brings its schema up to date. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const path = join(options.dataDir, SQLITE_FILE_NAME);
    let db: Database.Database | undefined;
    try {
      mkdirSync(options.dataDir, { recursive: true });
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // WAL makes NORMAL durable against application crashes; only a power cut can lose the
      // last transactions, which is the usual trade-off for WAL.
      db.pragma('synchronous = NORMAL');
      migrate(db);
      return new SqliteStore(db, path);
    } catch (error) {
      db?.close();
      throw new BotError(
        'storage_failed',
        `Could not open the SQLite database at ${path}: ${messageOf(error)}. Check that DATA_DIR (${options.dataDir}) is a writable directory.`,
        { cause: error },
      );
    }
  }

  async ping(): Promise<void> {
    this.#live();
    try {
      this.#prepare('SELECT 1').get();
    } catch (error) {
      throw new BotError('storage_failed', `The SQLite database at ${this.path} does not answer: ${messageOf(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  // Inbound message idempotency -------------------------------------------------------

  async claimMessage(key: MessageKey, now: Date, leaseMs: number, owner?: string): Promise<MessageClaim> {
    return this.#write(() => {
      const row = this.#prepare<[string, string, string], ClaimRow>(
        'SELECT claimed_at, finished_at, result FROM message_claims WHERE channel = ? AND tenant = ? AND message_id = ?',
      ).get(key.channel, key.tenant, key.messageId);
      if (!row) {
        this.#prepare('INSERT INTO message_claims (channel, tenant, message_id, claimed_at, owner) VALUES (?, ?, ?, ?, ?)').run(
          key.channel,
          key.tenant,
          key.messageId,
          now.getTime(),
          owner ?? null,
        );
        return { state: 'claimed' };
      }
      if (row.finished_at !== null) return { state: 'done', result: parseJson(row.result) };
      // Strictly older than the lease: a claim renewed exactly that long ago still belongs to its owner.
      if (row.claimed_at < now.getTime() - leaseMs) {
        this.#prepare('UPDATE message_claims SET claimed_at = ?, owner = ? WHERE channel = ? AND tenant = ? AND message_id = ?').run(
          now.getTime(),
          owner ?? null,
          key.channel,
          key.tenant,
          key.messageId,
        );
        return { state: 'claimed' };
      }
      return { state: 'processing' };
    });
  }

  async renewClaim(key: MessageKey, owner: string, now: Date): Promise<boolean> {
    this.#live();
    const renewed = this.#prepare(
      'UPDATE message_claims SET claimed_at = ? WHERE channel = ? AND tenant = ? AND message_id = ? AND owner = ? AND finished_at IS NULL',
    ).run(now.getTime(), key.channel, key.tenant, key.messageId, owner);
    return renewed.changes === 1;
  }

  async finishMessage(key: MessageKey, result: unknown, now: Date): Promise<void> {
    // An upsert, so that finishing still records the outcome if the claim was purged meanwhile.
    this.#live();
    this.#prepare(
      `INSERT INTO message_claims (channel, tenant, message_id, claimed_at, finished_at, result) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (channel, tenant, message_id) DO UPDATE SET finished_at = excluded.finished_at, result = excluded.result`,
    ).run(key.channel, key.tenant, key.messageId, now.getTime(), now.getTime(), toJson(result));
  }

  async releaseMessage(key: MessageKey, owner?: string): Promise<void> {
    // Only an unfinished claim can be released: a handled message stays handled.
    this.#live();
    this.#prepare(
      'DELETE FROM message_claims WHERE channel = ? AND tenant = ? AND message_id = ? AND finished_at IS NULL AND (? IS NULL OR owner = ?)',
    ).run(key.channel, key.tenant, key.messageId, owner ?? null, owner ?? null);
  }

  // Signed requests -------------------------------------------------------------------------

  async rememberRequest(entry: RequestNonce, now: Date): Promise<NonceCheck> {
    return this.#write(() => {
      const row = this.#prepare<[string, string, string], { digest: string; expires_at: number }>(
        'SELECT digest, expires_at FROM request_nonces WHERE scope = ? AND timestamp = ? AND nonce = ?',
      ).get(entry.scope, entry.timestamp, entry.nonce);
      if (row && row.expires_at >= now.getTime()) return row.digest === entry.digest ? 'repeat' : 'conflict';
      this.#prepare(
        `INSERT INTO request_nonces (scope, timestamp, nonce, digest, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scope, timestamp, nonce) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at`,
      ).run(...storedValues([entry.scope, entry.timestamp, entry.nonce, entry.digest, entry.expiresAt.getTime()]));
      return 'first';
    });
  }

  async purgeExpiredRequests(now: Date): Promise<number> {
    this.#live();
    return this.#prepare('DELETE FROM request_nonces WHERE expires_at < ?').run(now.getTime()).changes;
  }

  // Settings ------------------------------------------------------------------------------------

  async adoptSetting(name: string, value: string): Promise<string> {
    return this.#write(() => {
      this.#prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, value);
      return this.#prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?').get(name)!.value;
    });
  }

  // Conversations -------------------------------------------------------------------------

  /**
   * One process owns the file's conversations (several processes may share it only for
   * short write transactions), so the engine's in-process queue already serialises turns.
   */
  async withConversationLock<T>(_key: ConversationKey, work: () => Promise<T>): Promise<T> {
    this.#live();
    return work();
  }

  async loadConversation(tenant: string, channel: string, conversationRef: string): Promise<ConversationRecord | null> {
    this.#live();
    const row = this.#prepare<[string, string, string], ConversationRow>(
      'SELECT * FROM conversations WHERE tenant = ? AND channel = ? AND conversation_ref = ?',
    ).get(tenant, channel, conversationRef);
    return row ? toConversation(row) : null;
  }

  async saveConversation(record: ConversationRecord): Promise<void> {
    this.#live();
    this.#prepare(
      `INSERT INTO conversations (tenant, channel, conversation_ref, user_ref, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, channel, conversation_ref)
       DO UPDATE SET user_ref = excluded.user_ref, state = excluded.state, updated_at = excluded.updated_at`,
    ).run(...storedValues([record.tenant, record.channel, record.conversationRef, record.userRef, toJson(record.state), record.updatedAt.getTime()]));
  }

  async appendTranscript(entries: TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.#write(() => {
      for (const e of entries) this.#insertTranscript(e);
    });
  }

  async transcript(tenant: string, channel: string, conversationRef: string): Promise<TranscriptEntry[]> {
    this.#live();
    const rows = this.#prepare<[string, string, string], TranscriptRow>(
      `SELECT tenant, channel, conversation_ref, user_ref, direction, text, at, citations FROM transcript
       WHERE tenant = ? AND channel = ? AND conversation_ref = ? ORDER BY at, id`,
    ).all(tenant, channel, conversationRef);
    return rows.map((r) => ({
      tenant: r.tenant,
      channel: r.channel,
      conversationRef: r.conversation_ref,
      userRef: r.user_ref,
      direction: r.direction,
      text: r.text,
      at: new Date(r.at),
      ...(r.citations !== null && { citations: JSON.parse(r.citations) as TranscriptEntry['citations'] }),
    }));
  }

  async eraseUserHistory(tenant: string, channel: string, userRef: string): Promise<{ messages: number; conversations: number }> {
    return this.#write(() => ({
      messages: this.#prepare('DELETE FROM transcript WHERE tenant = ? AND channel = ? AND user_ref = ?').run(tenant, channel, userRef).changes,
      conversations: this.#prepare('DELETE FROM conversations WHERE tenant = ? AND channel = ? AND user_ref = ?').run(tenant, channel, userRef)
        .changes,
    }));
  }

  async purgeBefore(before: Date, limit = -1): Promise<{ messages: number; conversations: number; claims: number }> {
    const t = before.getTime();
    // LIMIT -1 is no limit in SQLite.
    const purge = (table: string, column: string, where = '') =>
      this.#prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? ${where} LIMIT ?)`).run(t, limit).changes;
    return this.#write(() => {
      // Delivered or abandoned pushes carry message text too: they expire like the transcript.
      purge('outbox', 'updated_at', "AND state IN ('sent', 'failed')");
      return {
        messages: purge('transcript', 'at'),
        conversations: purge('conversations', 'updated_at'),
        claims: purge('message_claims', 'claimed_at'),
      };
    });
  }

  // Tickets ---------------------------------------------------------------------------------

  async createTicket(draft: TicketDraft, event: Omit<TicketEvent, 'ticketId'>, outbox?: (ticket: TicketRecord) => OutboxDraft[]): Promise<{ ticket: TicketRecord; created: boolean }> {
    return this.#write(() => {
      const existing = this.#prepare<[string], TicketRow>('SELECT * FROM tickets WHERE origin_key = ?').get(draft.originKey);
      if (existing) return { ticket: toTicket(existing), created: false };

      const day = ticketDay(draft.createdAt);
      const counter = this.#prepare<[string, string], { value: number }>(
        `INSERT INTO ticket_counters (prefix, day, value) VALUES (?, ?, 1)
         ON CONFLICT (prefix, day) DO UPDATE SET value = value + 1 RETURNING value`,
      ).get(draft.idPrefix, day);
      const id = formatTicketId(draft.idPrefix, day, counter!.value);
      const row = this.#prepare<unknown[], TicketRow>(
        `INSERT INTO tickets (${TICKET_INSERT_COLUMNS}) VALUES (${TICKET_INSERT_COLUMNS.split(',').map(() => '?').join(', ')}) RETURNING *`,
      ).get(...ticketInsertValues(id, draft, (at) => at.getTime(), (v) => (v ? 1 : 0)));
      this.#insertEvent({ ...event, ticketId: id });
      const ticket = toTicket(row!);
      for (const d of outbox?.(ticket) ?? []) this.#run(sql.outboxInsert(TABLES), sql.outboxInsertValues(d, draft.createdAt, CODEC));
      return { ticket, created: true };
    });
  }

  async getTicket(id: string): Promise<TicketRecord | null> {
    this.#live();
    const row = this.#prepare<[string], TicketRow>('SELECT * FROM tickets WHERE id = ?').get(id);
    return row ? toTicket(row) : null;
  }

  async listTickets(filter: TicketFilter = {}): Promise<TicketRecord[]> {
    this.#live();
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.tenant !== undefined) {
      where.push('tenant = ?');
      params.push(filter.tenant);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.requester !== undefined) {
      where.push('channel = ? AND requester = ?');
      params.push(filter.requester.channel, filter.requester.userRef);
    }
    if (filter.contactIndex !== undefined) {
      where.push("contact_index = ? AND contact_index <> ''");
      params.push(filter.contactIndex);
    }
    if (filter.since !== undefined) {
      where.push('created_at >= ?');
      params.push(filter.since.getTime());
    }
    if (filter.unindexed) where.push("contact_index = '' AND contact_encrypted <> ''");
    const sql = `SELECT * FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`;
    return this.#prepare<unknown[], TicketRow>(sql).all(...params).map(toTicket);
  }

  async transitionTicket(event: TicketEvent, patch: TicketPatch = {}, outbox: OutboxDraft[] = []): Promise<TicketRecord | null> {
    const from = event.from;
    if (from === null) return null; // a ticket always has a status, so nothing moves from "none"
    return this.#write(() => {
      // The status test in the WHERE clause is the compare-and-set: a concurrent change makes it miss.
      const row = this.#prepare<unknown[], TicketRow>(
        `UPDATE tickets SET status = ?, updated_at = ?,
           identity_verified = CASE WHEN ? IS NULL THEN identity_verified ELSE 1 END,
           verification_method = COALESCE(?, verification_method),
           rejection = COALESCE(?, rejection)
         WHERE id = ? AND status = ? RETURNING *`,
      ).get(
        event.to,
        event.at.getTime(),
        patch.identityVerified ?? null,
        patch.identityVerified ?? null,
        patch.rejection ? JSON.stringify(patch.rejection) : null,
        event.ticketId,
        from,
      );
      if (!row) return null;
      this.#insertEvent(event);
      for (const draft of outbox) this.#run(sql.outboxInsert(TABLES), sql.outboxInsertValues(draft, event.at, CODEC));
      return toTicket(row);
    });
  }

  async indexTicketContacts(entries: { ticketId: string; contactIndex: string }[]): Promise<number> {
    return this.#write(() => {
      const update = this.#prepare("UPDATE tickets SET contact_index = ? WHERE id = ? AND contact_index = '' AND contact_encrypted <> ''");
      return entries.reduce((n, e) => n + update.run(e.contactIndex, e.ticketId).changes, 0);
    });
  }

  async recordTicketAccess(entry: TicketAccess): Promise<void> {
    this.#live();
    this.#prepare('INSERT INTO ticket_access_log (ticket_id, at, actor, action) VALUES (?, ?, ?, ?)').run(entry.ticketId, entry.at.getTime(), entry.actor, entry.action);
  }

  async ticketAccessLog(ticketId: string): Promise<TicketAccess[]> {
    this.#live();
    return this.#prepare<[string], { ticket_id: string; at: number; actor: string; action: TicketAccess['action'] }>(
      'SELECT ticket_id, at, actor, action FROM ticket_access_log WHERE ticket_id = ? ORDER BY id',
    )
      .all(ticketId)
      .map((r) => ({ ticketId: r.ticket_id, at: new Date(r.at), actor: r.actor, action: r.action }));
  }

  async purgeClosedTickets(before: Date, statuses: readonly TicketStatus[], at: Date, limit = -1): Promise<number> {
    if (statuses.length === 0) return 0;
    return this.#write(() => {
      const rows = this.#prepare<unknown[], { id: string; details: string }>(
        `SELECT id, details FROM tickets WHERE purged_at IS NULL AND updated_at < ? AND status IN (${statuses.map(() => '?').join(', ')}) LIMIT ?`,
      ).all(before.getTime(), ...statuses, limit);
      const update = this.#prepare(
        "UPDATE tickets SET contact_encrypted = '', contact_index = '', contact_masked = ?, details = ?, purged_at = ? WHERE id = ?",
      );
      for (const row of rows) update.run(PURGED_CONTACT, JSON.stringify(withoutSealed(JSON.parse(row.details) as Record<string, string>)), at.getTime(), row.id);
      return rows.length;
    });
  }

  // Identity verification codes --------------------------------------------------------------

  async saveVerificationCode(code: VerificationCodeRecord): Promise<void> {
    this.#live();
    this.#prepare(
      `INSERT INTO verification_codes (key, tenant, ticket_id, contact_index, method, code_hash, created_at, expires_at, attempts, consumed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET tenant = excluded.tenant, ticket_id = excluded.ticket_id, contact_index = excluded.contact_index,
         method = excluded.method, code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at,
         attempts = excluded.attempts, consumed_at = excluded.consumed_at`,
    ).run(
      code.key,
      code.tenant,
      code.ticketId,
      code.contactIndex,
      code.method,
      code.codeHash,
      code.createdAt.getTime(),
      code.expiresAt.getTime(),
      code.attempts,
      code.consumedAt?.getTime() ?? null,
    );
  }

  async verificationCode(key: string): Promise<VerificationCodeRecord | null> {
    this.#live();
    const row = this.#prepare<[string], CodeRow>('SELECT * FROM verification_codes WHERE key = ?').get(key);
    return row ? toCode(row) : null;
  }

  async countVerificationAttempt(key: string, maxAttempts: number): Promise<VerificationCodeRecord | null> {
    this.#live();
    const row = this.#prepare<[string, number], CodeRow>(
      'UPDATE verification_codes SET attempts = attempts + 1 WHERE key = ? AND consumed_at IS NULL AND attempts < ? RETURNING *',
    ).get(key, maxAttempts);
    return row ? toCode(row) : null;
  }

  async consumeVerificationCode(key: string, at: Date): Promise<boolean> {
    this.#live();
    return this.#prepare('UPDATE verification_codes SET consumed_at = ? WHERE key = ? AND consumed_at IS NULL').run(at.getTime(), key).changes === 1;
  }

  async purgeVerificationCodes(before: Date): Promise<number> {
    this.#live();
    return this.#prepare('DELETE FROM verification_codes WHERE expires_at < ?').run(before.getTime()).changes;
  }

  async ticketEvents(ticketId: string): Promise<TicketEvent[]> {
    this.#live();
    return this.#prepare<[string], EventRow>(
      'SELECT ticket_id, at, actor, from_status, to_status, note FROM ticket_events WHERE ticket_id = ? ORDER BY id',
    )
      .all(ticketId)
      .map((r) => ({ ticketId: r.ticket_id, at: new Date(r.at), actor: r.actor, from: r.from_status, to: r.to_status, note: r.note }));
  }

  // Handoffs --------------------------------------------------------------------------------

  async createHandoff(handoff: Handoff, events: HandoffEvent[], outbox: OutboxDraft[]): Promise<{ handoff: Handoff; created: boolean }> {
    return this.#write(() => {
      const inserted = this.#run(sql.handoffInsert(TABLES), sql.handoffInsertValues(handoff, CODEC));
      if (inserted === 0) {
        const open = this.#one<HandoffColumns<number>>(sql.openHandoffSelect(TABLES), [handoff.tenant, handoff.channel, handoff.conversationRef]);
        if (!open) throw new BotError('storage_failed', `Handoff ${handoff.id} could not be inserted.`);
        return { handoff: sql.handoffFromColumns(open, CODEC), created: false };
      }
      for (const event of events) this.#run(sql.eventInsert(TABLES), sql.eventInsertValues(event, CODEC));
      for (const draft of outbox) this.#run(sql.outboxInsert(TABLES), sql.outboxInsertValues(draft, handoff.createdAt, CODEC));
      return { handoff, created: true };
    });
  }

  async getHandoff(id: string): Promise<Handoff | null> {
    this.#live();
    const row = this.#one<HandoffColumns<number>>(`SELECT * FROM handoffs WHERE id = $1`, [id]);
    return row ? sql.handoffFromColumns(row, CODEC) : null;
  }

  async openHandoff(tenant: string, channel: string, conversationRef: string): Promise<Handoff | null> {
    this.#live();
    const row = this.#one<HandoffColumns<number>>(sql.openHandoffSelect(TABLES), [tenant, channel, conversationRef]);
    return row ? sql.handoffFromColumns(row, CODEC) : null;
  }

  async latestHandoff(tenant: string, channel: string, conversationRef: string): Promise<Handoff | null> {
    this.#live();
    const row = this.#one<HandoffColumns<number>>(sql.latestHandoffSelect(TABLES), [tenant, channel, conversationRef]);
    return row ? sql.handoffFromColumns(row, CODEC) : null;
  }

  async listHandoffs(filter: HandoffFilter = {}): Promise<Handoff[]> {
    this.#live();
    const q = sql.listHandoffsQuery(TABLES, filter, CODEC);
    return this.#all<HandoffColumns<number>>(q.sql, q.params).map((r) => sql.handoffFromColumns(r, CODEC));
  }

  async changeHandoff(change: HandoffChange): Promise<HandoffChangeResult> {
    return this.#write((): HandoffChangeResult => {
      const current = () => {
        const row = this.#one<HandoffColumns<number>>(`SELECT * FROM handoffs WHERE id = $1`, [change.handoffId]);
        return row ? sql.handoffFromColumns(row, CODEC) : null;
      };
      if (change.dedupeKey !== undefined && this.#one(sql.outboxExistsSelect(TABLES), [change.dedupeKey])) {
        const handoff = current();
        return handoff ? { outcome: 'duplicate', handoff } : { outcome: 'refused', handoff: null };
      }
      const q = sql.handoffUpdateQuery(TABLES, change.handoffId, change.expect, change.set, CODEC);
      const row = this.#one<HandoffColumns<number>>(q.sql, q.params);
      if (!row) return { outcome: 'refused', handoff: current() };
      this.#applyEffects(change, change.set.updatedAt);
      return { outcome: 'applied', handoff: sql.handoffFromColumns(row, CODEC) };
    });
  }

  async handoffEvents(handoffId: string): Promise<HandoffEvent[]> {
    this.#live();
    return this.#all<HandoffEventColumns<number>>(sql.eventsSelect(TABLES), [handoffId]).map((r) => sql.eventFromColumns(r, CODEC));
  }

  async setHandoffDeskRef(handoffId: string, desk: string, ref: string): Promise<void> {
    this.#live();
    this.#run(sql.deskRefUpsert(TABLES), [handoffId, desk, ref]);
  }

  async handoffDeskRef(handoffId: string, desk: string): Promise<string | null> {
    this.#live();
    return this.#one<{ ref: string }>(sql.deskRefSelect(TABLES), [handoffId, desk])?.ref ?? null;
  }

  async findHandoffByDeskRef(desk: string, ref: string): Promise<Handoff | null> {
    this.#live();
    const row = this.#one<HandoffColumns<number>>(sql.handoffByDeskRefSelect(TABLES), [desk, ref]);
    return row ? sql.handoffFromColumns(row, CODEC) : null;
  }

  // Outbox ----------------------------------------------------------------------------------

  async enqueueOutbox(drafts: OutboxDraft[], now: Date): Promise<number> {
    if (drafts.length === 0) return 0;
    return this.#write(() => drafts.reduce((n, d) => n + this.#run(sql.outboxInsert(TABLES), sql.outboxInsertValues(d, now, CODEC)), 0));
  }

  async claimOutbox(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return this.#write(() =>
      this.#all<OutboxColumns<number, string>>(sql.outboxClaim(TABLES, ''), [now.getTime(), now.getTime() + leaseMs, limit])
        .map((r) => sql.outboxFromColumns(r, CODEC))
        .sort((a, b) => a.id - b.id),
    );
  }

  async markOutboxSent(id: number, now: Date): Promise<void> {
    this.#live();
    this.#run(sql.outboxSent(TABLES), [id, now.getTime()]);
  }

  async retryOutbox(id: number, nextAttemptAt: Date, error: string, now: Date): Promise<void> {
    this.#live();
    this.#run(sql.outboxRetry(TABLES), [id, nextAttemptAt.getTime(), error, now.getTime()]);
  }

  async failOutbox(id: number, error: string, now: Date): Promise<void> {
    this.#live();
    this.#run(sql.outboxFail(TABLES), [id, error, now.getTime()]);
  }

  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxItem[]> {
    this.#live();
    const q = sql.listOutboxQuery(TABLES, filter);
    return this.#all<OutboxColumns<number, string>>(q.sql, q.params).map((r) => sql.outboxFromColumns(r, CODEC));
  }

  // Internals -------------------------------------------------------------------------------

  /** The events, outbox rows and transcript entries of an applied change (inside its transaction). */
  #applyEffects(change: HandoffChange, now: Date): void {
    for (const event of change.events) this.#run(sql.eventInsert(TABLES), sql.eventInsertValues(event, CODEC));
    for (const draft of change.outbox) this.#run(sql.outboxInsert(TABLES), sql.outboxInsertValues(draft, now, CODEC));
    for (const e of change.transcript ?? []) this.#insertTranscript(e);
  }

  #insertTranscript(e: TranscriptEntry): void {
    this.#prepare('INSERT INTO transcript (tenant, channel, conversation_ref, user_ref, direction, text, at, citations) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      ...storedValues([e.tenant, e.channel, e.conversationRef, e.userRef, e.direction, storedText(e.text), e.at.getTime(), e.citations?.length ? storedJson(e.citations) : null]),
    );
  }

  /** Runs a shared ($1-style) statement; returns the number of changed rows. */
  #run(text: string, params: readonly unknown[]): number {
    const [q, values] = sql.positional(text, params);
    return this.#prepare(q).run(...values).changes;
  }

  #one<R>(text: string, params: readonly unknown[]): R | undefined {
    const [q, values] = sql.positional(text, params);
    return this.#prepare<unknown[], R>(q).get(...values);
  }

  #all<R>(text: string, params: readonly unknown[]): R[] {
    const [q, values] = sql.positional(text, params);
    return this.#prepare<unknown[], R>(q).all(...values);
  }

  #insertEvent(event: TicketEvent): void {
    this.#prepare('INSERT INTO ticket_events (ticket_id, at, actor, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)').run(
      event.ticketId,
      event.at.getTime(),
      event.actor,
      event.from,
      event.to,
      event.note,
    );
  }

  /** Runs `fn` in a write transaction taken up front (BEGIN IMMEDIATE). */
  #write<T>(fn: () => T): T {
    this.#live();
    return this.#db.transaction(fn).immediate();
  }

  #prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  #live(): void {
    if (this.#closed) throw new BotError('storage_failed', `The SQLite store at ${this.path} is closed.`);
  }
}

function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  // IMMEDIATE: a second process opening the same file waits here and then sees the steps done.
  db.transaction(() => {
    const applied = new Set(db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all().map((r) => r.version));
    for (const step of MIGRATIONS) {
      if (applied.has(step.version)) continue;
      db.exec(step.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(step.version, step.name, Date.now());
    }
  }).immediate();
}

function toConversation(r: ConversationRow): ConversationRecord {
  return {
    tenant: r.tenant,
    channel: r.channel,
    conversationRef: r.conversation_ref,
    userRef: r.user_ref,
    state: parseJson(r.state),
    updatedAt: new Date(r.updated_at),
  };
}

function toCode(r: CodeRow): VerificationCodeRecord {
  return {
    key: r.key,
    tenant: r.tenant,
    ticketId: r.ticket_id,
    contactIndex: r.contact_index,
    method: r.method,
    codeHash: r.code_hash,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    attempts: r.attempts,
    consumedAt: r.consumed_at === null ? null : new Date(r.consumed_at),
  };
}

function toTicket(r: TicketRow): TicketRecord {
  return ticketFromColumns(r, { json: (text) => JSON.parse(text) as unknown, time: (ms) => new Date(ms) });
}

function toJson(value: unknown): string {
  return storedJson(value);
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
