// The shared backend: PostgreSQL through a pg Pool, for several bot instances behind one
// database (DATABASE_URL).
//
// Every guarantee of the Store contract holds across instances, so each one rests on a single
// statement or a transaction, never on state kept in this process:
// - message claims: one INSERT ... ON CONFLICT upsert that only takes over a stale claim;
// - ticket numbers: a counters row incremented in the ticket's own transaction;
// - transitions: an UPDATE whose WHERE re-checks the status under the row lock;
// - the audit log: triggers refuse UPDATE, DELETE and TRUNCATE for every client.
//
// Table names are qualified with the configured schema instead of relying on search_path, so
// the store also works behind poolers that drop session settings and startup options.

import pg from 'pg';
import { BotError } from '../errors.ts';
import {
  PURGED_CONTACT,
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

/** First half of the advisory lock key that serialises migrations ("priv"); the schema is the second. */
const MIGRATION_LOCK_CLASS = 0x70726976;
/** First half of a conversation's advisory lock key ("conv"); a hash of schema and conversation is the second. */
const CONVERSATION_LOCK_CLASS = 0x636f6e76;
/** A turn waits at most this long for its conversation's lock, then fails (and its message can be redelivered). */
const CONVERSATION_LOCK_TIMEOUT = '20s';
const CONNECT_TIMEOUT_MS = 10_000;

interface Migration {
  version: number;
  name: string;
  /** `s` is the quoted schema name, e.g. "public". */
  sql: (s: string) => string;
}

/**
 * Applied in order, each once, recorded in <schema>.schema_migrations. Never edit a step that
 * has shipped: add a new one. Same tables as the SQLite backend; status and request type are
 * left unconstrained so a new status in the code needs no migration.
 */
/** The function an append-only table's triggers call: it refuses the change, naming the table. */
function appendOnlyFunction(s: string, table: string): string {
  return `CREATE FUNCTION ${s}.${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '${table} is append-only (% refused)', TG_OP;
      END
      $$;`;
}

/** Makes `table` append-only for every client of the database, through `fn`'s function. */
function appendOnlyTriggers(s: string, table: string, fn: string): string {
  return `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${s}.${table}
        FOR EACH ROW EXECUTE FUNCTION ${s}.${fn}_append_only();
      CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${s}.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${fn}_append_only();`;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: (s) => `
      CREATE TABLE ${s}.message_claims (
        channel     text        NOT NULL,
        tenant      text        NOT NULL,
        message_id  text        NOT NULL,
        claimed_at  timestamptz NOT NULL,
        finished_at timestamptz,
        result      jsonb,
        PRIMARY KEY (channel, tenant, message_id)
      );
      CREATE INDEX message_claims_claimed_at ON ${s}.message_claims (claimed_at);

      CREATE TABLE ${s}.conversations (
        tenant           text        NOT NULL,
        channel          text        NOT NULL,
        conversation_ref text        NOT NULL,
        user_ref         text        NOT NULL,
        state            jsonb       NOT NULL,
        updated_at       timestamptz NOT NULL,
        PRIMARY KEY (tenant, channel, conversation_ref)
      );
      CREATE INDEX conversations_user ON ${s}.conversations (tenant, channel, user_ref);
      CREATE INDEX conversations_updated_at ON ${s}.conversations (updated_at);

      CREATE TABLE ${s}.transcript (
        id               bigserial   PRIMARY KEY,
        tenant           text        NOT NULL,
        channel          text        NOT NULL,
        conversation_ref text        NOT NULL,
        user_ref         text        NOT NULL,
        direction        text        NOT NULL CHECK (direction IN ('in', 'out')),
        text             text        NOT NULL,
        at               timestamptz NOT NULL
      );
      CREATE INDEX transcript_conversation ON ${s}.transcript (tenant, channel, conversation_ref, at, id);
      CREATE INDEX transcript_user ON ${s}.transcript (tenant, channel, user_ref);
      CREATE INDEX transcript_at ON ${s}.transcript (at);

      CREATE TABLE ${s}.ticket_counters (
        prefix text    NOT NULL,
        day    text    NOT NULL,
        value  integer NOT NULL,
        PRIMARY KEY (prefix, day)
      );

      CREATE TABLE ${s}.tickets (
        id                text        PRIMARY KEY,
        type              text        NOT NULL,
        tenant            text        NOT NULL,
        channel           text        NOT NULL,
        requester         text        NOT NULL,
        conversation_ref  text        NOT NULL,
        contact_encrypted text        NOT NULL,
        contact_masked    text        NOT NULL,
        details           jsonb       NOT NULL,
        clauses           jsonb       NOT NULL,
        status            text        NOT NULL,
        due_date          date        NOT NULL,
        deadline_source   text        NOT NULL CHECK (deadline_source IN ('policy', 'tenant_default')),
        language          text        NOT NULL CHECK (language IN ('zh', 'en')),
        origin_key        text        NOT NULL UNIQUE,
        created_at        timestamptz NOT NULL,
        updated_at        timestamptz NOT NULL
      );
      CREATE INDEX tickets_tenant ON ${s}.tickets (tenant, created_at);
      CREATE INDEX tickets_requester ON ${s}.tickets (channel, requester, created_at);
      CREATE INDEX tickets_created_at ON ${s}.tickets (created_at);

      CREATE TABLE ${s}.ticket_events (
        id          bigserial   PRIMARY KEY,
        ticket_id   text        NOT NULL REFERENCES ${s}.tickets (id),
        at          timestamptz NOT NULL,
        actor       text        NOT NULL,
        from_status text,
        to_status   text        NOT NULL,
        note        text
      );
      CREATE INDEX ticket_events_ticket ON ${s}.ticket_events (ticket_id, id);

      -- The audit log is append-only for every client of the database, not just for this code.
      ${appendOnlyFunction(s, 'ticket_events')}
      ${appendOnlyTriggers(s, 'ticket_events', 'ticket_events')}
    `,
  },
  {
    version: 2,
    name: 'identity verification, blind index, rejection reason, access log, retention',
    sql: (s) => `
      ALTER TABLE ${s}.tickets
        ADD COLUMN contact_index       text        NOT NULL DEFAULT '',
        ADD COLUMN identity_verified   boolean     NOT NULL DEFAULT false,
        ADD COLUMN verification_method text CHECK (verification_method IN ('email', 'sms', 'agent')),
        ADD COLUMN rejection           jsonb,
        ADD COLUMN purged_at           timestamptz;
      CREATE INDEX tickets_contact_index ON ${s}.tickets (tenant, contact_index);
      CREATE INDEX tickets_status_updated ON ${s}.tickets (status, updated_at);

      CREATE TABLE ${s}.ticket_access_log (
        id        bigserial   PRIMARY KEY,
        ticket_id text        NOT NULL REFERENCES ${s}.tickets (id),
        at        timestamptz NOT NULL,
        actor     text        NOT NULL,
        action    text        NOT NULL
      );
      CREATE INDEX ticket_access_log_ticket ON ${s}.ticket_access_log (ticket_id, id);
      ${appendOnlyTriggers(s, 'ticket_access_log', 'ticket_events')}

      CREATE TABLE ${s}.verification_codes (
        key           text        PRIMARY KEY,
        tenant        text        NOT NULL,
        ticket_id     text,
        contact_index text        NOT NULL,
        method        text        NOT NULL CHECK (method IN ('email', 'sms')),
        code_hash     text        NOT NULL,
        created_at    timestamptz NOT NULL,
        expires_at    timestamptz NOT NULL,
        attempts      integer     NOT NULL,
        consumed_at   timestamptz
      );
      CREATE INDEX verification_codes_expires_at ON ${s}.verification_codes (expires_at);
    `,
  },
  {
    version: 3,
    name: 'several instances: claim owners, request nonces, settings',
    sql: (s) => `
      ALTER TABLE ${s}.message_claims ADD COLUMN owner text;

      CREATE TABLE ${s}.request_nonces (
        scope      text        NOT NULL,
        timestamp  text        NOT NULL,
        nonce      text        NOT NULL,
        digest     text        NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (scope, timestamp, nonce)
      );
      CREATE INDEX request_nonces_expires_at ON ${s}.request_nonces (expires_at);

      CREATE TABLE ${s}.settings (
        name  text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'handoffs and outbox',
    sql: (s) => `
      CREATE TABLE ${s}.handoffs (
        id                   text        PRIMARY KEY,
        tenant               text        NOT NULL,
        channel              text        NOT NULL,
        conversation_ref     text        NOT NULL,
        user_ref             text        NOT NULL,
        language             text        NOT NULL CHECK (language IN ('zh', 'en')),
        reason               text        NOT NULL,
        state                text        NOT NULL CHECK (state IN ('bot', 'waiting_agent', 'agent', 'closed')),
        owner_id             text,
        owner_name           text,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        taken_at             timestamptz,
        first_agent_reply_at timestamptz,
        ended_at             timestamptz,
        user_unreachable     smallint    NOT NULL DEFAULT 0
      );
      -- At most one open handoff per conversation, whatever the callers do.
      CREATE UNIQUE INDEX handoffs_one_open ON ${s}.handoffs (tenant, channel, conversation_ref) WHERE state IN ('waiting_agent', 'agent');
      CREATE INDEX handoffs_conversation ON ${s}.handoffs (tenant, channel, conversation_ref, created_at);
      CREATE INDEX handoffs_state ON ${s}.handoffs (state, created_at);
      CREATE INDEX handoffs_updated_at ON ${s}.handoffs (updated_at);

      CREATE TABLE ${s}.handoff_events (
        id         bigserial   PRIMARY KEY,
        handoff_id text        NOT NULL REFERENCES ${s}.handoffs (id),
        type       text        NOT NULL,
        actor      text        NOT NULL,
        at         timestamptz NOT NULL,
        note       text
      );
      CREATE INDEX handoff_events_handoff ON ${s}.handoff_events (handoff_id, id);
      ${appendOnlyFunction(s, 'handoff_events')}
      ${appendOnlyTriggers(s, 'handoff_events', 'handoff_events')}

      CREATE TABLE ${s}.handoff_desk_refs (
        handoff_id text NOT NULL REFERENCES ${s}.handoffs (id),
        desk       text NOT NULL,
        ref        text NOT NULL,
        PRIMARY KEY (handoff_id, desk),
        UNIQUE (desk, ref)
      );

      CREATE TABLE ${s}.outbox (
        id               bigserial   PRIMARY KEY,
        target           text        NOT NULL,
        conversation_ref text        NOT NULL,
        payload          jsonb       NOT NULL,
        dedupe_key       text        NOT NULL UNIQUE,
        tenant           text        NOT NULL,
        handoff_id       text,
        state            text        NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts         integer     NOT NULL,
        next_attempt_at  timestamptz NOT NULL,
        last_error       text,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL
      );
      CREATE INDEX outbox_due ON ${s}.outbox (state, next_attempt_at, id);
      CREATE INDEX outbox_conversation ON ${s}.outbox (target, conversation_ref, id);
      CREATE INDEX outbox_handoff ON ${s}.outbox (handoff_id, id);
    `,
  },
  {
    version: 5,
    name: 'transcript citations',
    sql: (s) => `ALTER TABLE ${s}.transcript ADD COLUMN citations jsonb;`,
  },
];

/** timestamptz arrives as Date; jsonb is passed as text and cast, and arrives parsed. */
const CODEC: Codec<Date, string> = {
  time: (at) => at,
  readTime: (at) => at,
  json: (value) => storedJson(value),
  readJson: (value) => value,
};

interface ClaimRow {
  finished_at: Date | null;
  result: unknown;
}

interface ConversationRow {
  tenant: string;
  channel: string;
  conversation_ref: string;
  user_ref: string;
  state: unknown;
  updated_at: Date;
}

interface TranscriptRow {
  tenant: string;
  channel: string;
  conversation_ref: string;
  user_ref: string;
  direction: 'in' | 'out';
  text: string;
  at: Date;
  citations: TranscriptEntry['citations'] | null;
}

/** jsonb arrives parsed, timestamptz as Date. */
type TicketRow = TicketColumns<unknown, Date>;

interface CodeRow {
  key: string;
  tenant: string;
  ticket_id: string | null;
  contact_index: string;
  method: 'email' | 'sms';
  code_hash: string;
  created_at: Date;
  expires_at: Date;
  attempts: number;
  consumed_at: Date | null;
}

interface EventRow {
  ticket_id: string;
  at: Date;
  actor: string;
  from_status: TicketStatus | null;
  to_status: TicketStatus;
  note: string | null;
}

/**
 * The ticket columns as the code wants them. due_date is read as text: pg would turn a `date`
 * into a Date at local midnight, which shifts the calendar day in some time zones.
 */
const TICKET_COLUMNS = `id, type, tenant, channel, requester, conversation_ref, contact_encrypted, contact_masked, details, clauses,
  status, to_char(due_date, 'YYYY-MM-DD') AS due_date, deadline_source, language, origin_key, created_at, updated_at,
  contact_index, identity_verified, verification_method, rejection, purged_at`;

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  databaseUrl: string;
  /** Where the tables live; created when missing. Default "public". */
  schema?: string;
  /** Pool size per instance. Default 10. */
  poolSize?: number;
  /** An idle pooled connection failed (e.g. the server restarted); the pool replaces it. */
  onIdleError?: (error: Error) => void;
}

/** Thrown inside a transaction to roll it back; never escapes the store. */
class Rollback extends Error {}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  /** host:port/database, for messages (never the password). */
  readonly target: string;
  readonly #pool: pg.Pool;
  /**
   * Connections that only hold conversation locks. Kept apart from #pool so that turns
   * waiting for a lock can never take every connection the lock holders' queries need.
   */
  readonly #lockPool: pg.Pool;
  readonly #t: Record<'claims' | 'conversations' | 'transcript' | 'counters' | 'tickets' | 'events' | 'access' | 'codes' | 'nonces' | 'settings', string>;
  readonly #h: Tables;
  #closed = false;

  private constructor(pool: pg.Pool, lockPool: pg.Pool, schema: string, target: string) {
    this.#pool = pool;
    this.#lockPool = lockPool;
    this.schema = schema;
    this.target = target;
    const s = quoteIdent(schema);
    this.#t = {
      claims: `${s}.message_claims`,
      conversations: `${s}.conversations`,
      transcript: `${s}.transcript`,
      counters: `${s}.ticket_counters`,
      tickets: `${s}.tickets`,
      events: `${s}.ticket_events`,
      access: `${s}.ticket_access_log`,
      codes: `${s}.verification_codes`,
      nonces: `${s}.request_nonces`,
      settings: `${s}.settings`,
    };
    this.#h = { handoffs: `${s}.handoffs`, handoffEvents: `${s}.handoff_events`, deskRefs: `${s}.handoff_desk_refs`, outbox: `${s}.outbox` };
  }

  /** Connects, creates the schema when missing and applies pending migrations. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'public';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new BotError('invalid_config', `PostgreSQL schema name "${schema}" must be letters, digits and underscores (at most 63).`);
    }
    const target = describeDatabaseUrl(options.databaseUrl);
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'privacy-bot',
    });
    // Without a listener an idle connection's error (server restart) would crash the process.
    pool.on('error', (error) => options.onIdleError?.(error));
    try {
      await migrate(pool, schema);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new BotError(
        'storage_failed',
        `Could not open PostgreSQL at ${target} (DATABASE_URL), schema "${schema}": ${scrubPassword(messageOf(error), options.databaseUrl)}. ` +
          'Check that the server is running and reachable, and that the user may create tables in that schema.',
        { cause: error },
      );
    }
    const lockPool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'privacy-bot-locks',
    });
    lockPool.on('error', (error) => options.onIdleError?.(error));
    return new PostgresStore(pool, lockPool, schema, target);
  }

  async ping(): Promise<void> {
    this.#live();
    try {
      await this.#pool.query('SELECT 1');
    } catch (error) {
      throw new BotError('storage_failed', `PostgreSQL at ${this.target} (DATABASE_URL) does not answer: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.end(), this.#lockPool.end()]);
  }

  // Inbound message idempotency -------------------------------------------------------

  async claimMessage(key: MessageKey, now: Date, leaseMs: number, owner?: string): Promise<MessageClaim> {
    this.#live();
    const staleBefore = new Date(now.getTime() - leaseMs);
    // A release can delete the row between the two statements; then the claim is simply retried.
    for (let attempt = 0; attempt < 5; attempt++) {
      // One statement claims a new key or takes over a stale unfinished claim. Concurrent callers
      // queue on the row lock and re-check the WHERE against the winner's claimed_at, so exactly
      // one of them gets a row back.
      const claimed = await this.#pool.query(
        `INSERT INTO ${this.#t.claims} AS c (channel, tenant, message_id, claimed_at, owner) VALUES ($1, $2, $3, $4, $6)
         ON CONFLICT (channel, tenant, message_id) DO UPDATE SET claimed_at = excluded.claimed_at, owner = excluded.owner
         WHERE c.finished_at IS NULL AND c.claimed_at < $5
         RETURNING 1`,
        [key.channel, key.tenant, key.messageId, now, staleBefore, owner ?? null],
      );
      if (claimed.rowCount === 1) return { state: 'claimed' };
      const { rows } = await this.#pool.query<ClaimRow>(
        `SELECT finished_at, result FROM ${this.#t.claims} WHERE channel = $1 AND tenant = $2 AND message_id = $3`,
        [key.channel, key.tenant, key.messageId],
      );
      const row = rows[0];
      if (row) return row.finished_at === null ? { state: 'processing' } : { state: 'done', result: row.result };
    }
    // Claimed and released over and over by others: someone is on it.
    return { state: 'processing' };
  }

  async renewClaim(key: MessageKey, owner: string, now: Date): Promise<boolean> {
    this.#live();
    const renewed = await this.#pool.query(
      `UPDATE ${this.#t.claims} SET claimed_at = $4
       WHERE channel = $1 AND tenant = $2 AND message_id = $3 AND owner = $5 AND finished_at IS NULL`,
      [key.channel, key.tenant, key.messageId, now, owner],
    );
    return renewed.rowCount === 1;
  }

  async finishMessage(key: MessageKey, result: unknown, now: Date): Promise<void> {
    this.#live();
    // An upsert, so that finishing still records the outcome if the claim was purged meanwhile.
    await this.#pool.query(
      `INSERT INTO ${this.#t.claims} (channel, tenant, message_id, claimed_at, finished_at, result) VALUES ($1, $2, $3, $4, $4, $5::jsonb)
       ON CONFLICT (channel, tenant, message_id) DO UPDATE SET finished_at = excluded.finished_at, result = excluded.result`,
      [key.channel, key.tenant, key.messageId, now, toJson(result)],
    );
  }

  async releaseMessage(key: MessageKey, owner?: string): Promise<void> {
    this.#live();
    // Only an unfinished claim can be released: a handled message stays handled.
    await this.#pool.query(
      `DELETE FROM ${this.#t.claims} WHERE channel = $1 AND tenant = $2 AND message_id = $3 AND finished_at IS NULL AND ($4::text IS NULL OR owner = $4)`,
      [key.channel, key.tenant, key.messageId, owner ?? null],
    );
  }

  // Signed requests -------------------------------------------------------------------------

  async rememberRequest(entry: RequestNonce, now: Date): Promise<NonceCheck> {
    this.#live();
    const params = storedValues([entry.scope, entry.timestamp, entry.nonce, entry.digest, entry.expiresAt, now]);
    // As with claims: one upsert records a new pair or replaces an expired one; concurrent
    // callers queue on the row lock, so exactly one of them sees 'first'.
    for (let attempt = 0; attempt < 5; attempt++) {
      const inserted = await this.#pool.query(
        `INSERT INTO ${this.#t.nonces} AS n (scope, timestamp, nonce, digest, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, timestamp, nonce) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at
         WHERE n.expires_at < $6
         RETURNING 1`,
        params,
      );
      if (inserted.rowCount === 1) return 'first';
      const { rows } = await this.#pool.query<{ digest: string }>(
        `SELECT digest FROM ${this.#t.nonces} WHERE scope = $1 AND timestamp = $2 AND nonce = $3`,
        params.slice(0, 3),
      );
      if (rows[0]) return rows[0].digest === params[3] ? 'repeat' : 'conflict';
    }
    return 'conflict';
  }

  async purgeExpiredRequests(now: Date): Promise<number> {
    this.#live();
    return (await this.#pool.query(`DELETE FROM ${this.#t.nonces} WHERE expires_at < $1`, [now])).rowCount ?? 0;
  }

  // Settings ------------------------------------------------------------------------------------

  async adoptSetting(name: string, value: string): Promise<string> {
    this.#live();
    // One statement: the inserted row, or (on conflict) the existing one. DO UPDATE with no
    // change makes RETURNING see the existing row, which DO NOTHING would not.
    const { rows } = await this.#pool.query<{ value: string }>(
      `INSERT INTO ${this.#t.settings} AS s (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET value = s.value RETURNING value`,
      [name, value],
    );
    return rows[0]!.value;
  }

  // Conversations -------------------------------------------------------------------------

  async withConversationLock<T>(key: ConversationKey, work: () => Promise<T>): Promise<T> {
    this.#live();
    const client = await this.#lockPool.connect();
    let broken: Error | undefined;
    try {
      // A transaction-level advisory lock: committing (or the connection dying with its
      // instance) releases it; waiters are granted it in the order they asked.
      // One round trip for both (a simple query may hold several statements).
      await client.query(`BEGIN; SET LOCAL lock_timeout = '${CONVERSATION_LOCK_TIMEOUT}'`);
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        CONVERSATION_LOCK_CLASS,
        storedText(`${this.schema}\n${key.tenant}\n${key.channel}\n${key.conversationRef}`),
      ]);
      try {
        return await work();
      } finally {
        await client.query('COMMIT');
      }
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async loadConversation(tenant: string, channel: string, conversationRef: string): Promise<ConversationRecord | null> {
    this.#live();
    const { rows } = await this.#pool.query<ConversationRow>(
      `SELECT * FROM ${this.#t.conversations} WHERE tenant = $1 AND channel = $2 AND conversation_ref = $3`,
      [tenant, channel, conversationRef],
    );
    const r = rows[0];
    return r
      ? { tenant: r.tenant, channel: r.channel, conversationRef: r.conversation_ref, userRef: r.user_ref, state: r.state, updatedAt: r.updated_at }
      : null;
  }

  async saveConversation(record: ConversationRecord): Promise<void> {
    this.#live();
    await this.#pool.query(
      `INSERT INTO ${this.#t.conversations} (tenant, channel, conversation_ref, user_ref, state, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (tenant, channel, conversation_ref)
       DO UPDATE SET user_ref = excluded.user_ref, state = excluded.state, updated_at = excluded.updated_at`,
      storedValues([record.tenant, record.channel, record.conversationRef, record.userRef, toJson(record.state), record.updatedAt]),
    );
  }

  async appendTranscript(entries: TranscriptEntry[]): Promise<void> {
    this.#live();
    if (entries.length === 0) return;
    // One statement for the whole batch; ORDER BY n keeps the ids (the tie-break for equal
    // timestamps) in the order the entries were given.
    await this.#pool.query(
      `INSERT INTO ${this.#t.transcript} (tenant, channel, conversation_ref, user_ref, direction, text, at, citations)
       SELECT tenant, channel, conversation_ref, user_ref, direction, text, at, citations::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
         WITH ORDINALITY AS e (tenant, channel, conversation_ref, user_ref, direction, text, at, citations, n)
       ORDER BY n`,
      [
        entries.map((e) => e.tenant),
        entries.map((e) => e.channel),
        entries.map((e) => e.conversationRef),
        entries.map((e) => e.userRef),
        entries.map((e) => e.direction),
        entries.map((e) => storedText(e.text)),
        entries.map((e) => e.at),
        entries.map((e) => (e.citations?.length ? storedJson(e.citations) : null)),
      ],
    );
  }

  async transcript(tenant: string, channel: string, conversationRef: string): Promise<TranscriptEntry[]> {
    this.#live();
    const { rows } = await this.#pool.query<TranscriptRow>(
      `SELECT tenant, channel, conversation_ref, user_ref, direction, text, at, citations FROM ${this.#t.transcript}
       WHERE tenant = $1 AND channel = $2 AND conversation_ref = $3 ORDER BY at, id`,
      [tenant, channel, conversationRef],
    );
    return rows.map((r) => ({
      tenant: r.tenant,
      channel: r.channel,
      conversationRef: r.conversation_ref,
      userRef: r.user_ref,
      direction: r.direction,
      text: r.text,
      at: r.at,
      ...(r.citations !== null && { citations: r.citations }),
    }));
  }

  async eraseUserHistory(tenant: string, channel: string, userRef: string): Promise<{ messages: number; conversations: number }> {
    return this.#transaction(async (c) => {
      const params = [tenant, channel, userRef];
      const messages = await c.query(`DELETE FROM ${this.#t.transcript} WHERE tenant = $1 AND channel = $2 AND user_ref = $3`, params);
      const conversations = await c.query(`DELETE FROM ${this.#t.conversations} WHERE tenant = $1 AND channel = $2 AND user_ref = $3`, params);
      return { messages: messages.rowCount ?? 0, conversations: conversations.rowCount ?? 0 };
    });
  }

  async purgeBefore(before: Date, limit?: number): Promise<{ messages: number; conversations: number; claims: number }> {
    // LIMIT NULL is no limit.
    const purge = (c: pg.PoolClient, table: string, column: string) =>
      c.query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT $2)`, [before, limit ?? null]);
    return this.#transaction(async (c) => {
      const messages = await purge(c, this.#t.transcript, 'at');
      const conversations = await purge(c, this.#t.conversations, 'updated_at');
      const claims = await purge(c, this.#t.claims, 'claimed_at');
      // Delivered or abandoned pushes carry message text too: they expire like the transcript.
      await c.query(
        `DELETE FROM ${this.#h.outbox} WHERE id IN (SELECT id FROM ${this.#h.outbox} WHERE state IN ('sent', 'failed') AND updated_at < $1 LIMIT $2)`,
        [before, limit ?? null],
      );
      return { messages: messages.rowCount ?? 0, conversations: conversations.rowCount ?? 0, claims: claims.rowCount ?? 0 };
    });
  }

  // Tickets ---------------------------------------------------------------------------------

  async createTicket(draft: TicketDraft, event: Omit<TicketEvent, 'ticketId'>, outbox?: (ticket: TicketRecord) => OutboxDraft[]): Promise<{ ticket: TicketRecord; created: boolean }> {
    try {
      return await this.#transaction(async (c) => {
        const existing = await this.#ticketByOrigin(c, draft.originKey);
        if (existing) return { ticket: existing, created: false };

        // The counter row stays locked until commit, so tickets of one prefix and day are
        // numbered one after the other, and a rollback gives the number back.
        const day = ticketDay(draft.createdAt);
        const counter = await c.query<{ value: number }>(
          `INSERT INTO ${this.#t.counters} AS k (prefix, day, value) VALUES ($1, $2, 1)
           ON CONFLICT (prefix, day) DO UPDATE SET value = k.value + 1 RETURNING value`,
          [draft.idPrefix, day],
        );
        const id = formatTicketId(draft.idPrefix, day, counter.rows[0]!.value);
        const inserted = await c.query<TicketRow>(
          `INSERT INTO ${this.#t.tickets} (${TICKET_INSERT_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12::date, $13, $14, $15, $16, $17, $18, $19, $20, $21::jsonb, $22)
           ON CONFLICT (origin_key) DO NOTHING
           RETURNING ${TICKET_COLUMNS}`,
          ticketInsertValues(id, draft, (at) => at),
        );
        // A concurrent redelivery filed the same origin first: undo our number, return theirs.
        if (inserted.rowCount !== 1) throw new Rollback();
        await this.#insertEvent(c, { ...event, ticketId: id });
        const ticket = toTicket(inserted.rows[0]!);
        for (const d of outbox?.(ticket) ?? []) await c.query(sql.outboxInsert(this.#h), sql.outboxInsertValues(d, draft.createdAt, CODEC));
        return { ticket, created: true };
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
      const existing = await this.#ticketByOrigin(this.#pool, draft.originKey);
      if (!existing) throw new Error(`ticket with origin ${draft.originKey} vanished`);
      return { ticket: existing, created: false };
    }
  }

  async getTicket(id: string): Promise<TicketRecord | null> {
    this.#live();
    const { rows } = await this.#pool.query<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM ${this.#t.tickets} WHERE id = $1`, [id]);
    return rows[0] ? toTicket(rows[0]) : null;
  }

  async listTickets(filter: TicketFilter = {}): Promise<TicketRecord[]> {
    this.#live();
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filter.tenant !== undefined) where.push(`tenant = ${param(filter.tenant)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    if (filter.requester !== undefined) {
      where.push(`channel = ${param(filter.requester.channel)} AND requester = ${param(filter.requester.userRef)}`);
    }
    if (filter.contactIndex !== undefined) where.push(`contact_index = ${param(filter.contactIndex)} AND contact_index <> ''`);
    if (filter.since !== undefined) where.push(`created_at >= ${param(filter.since)}`);
    if (filter.unindexed) where.push(`contact_index = '' AND contact_encrypted <> ''`);
    const { rows } = await this.#pool.query<TicketRow>(
      `SELECT ${TICKET_COLUMNS} FROM ${this.#t.tickets} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC`,
      params,
    );
    return rows.map(toTicket);
  }

  async transitionTicket(event: TicketEvent, patch: TicketPatch = {}, outbox: OutboxDraft[] = []): Promise<TicketRecord | null> {
    this.#live();
    const from = event.from;
    if (from === null) return null; // a ticket always has a status, so nothing moves from "none"
    return this.#transaction(async (c) => {
      // Compare-and-set: a concurrent transition waits for our row lock, then re-evaluates
      // `status = from` against the committed status and updates nothing.
      const updated = await c.query<TicketRow>(
        `UPDATE ${this.#t.tickets} SET status = $1, updated_at = $2,
           identity_verified = identity_verified OR $5::text IS NOT NULL,
           verification_method = COALESCE($5::text, verification_method),
           rejection = COALESCE($6::jsonb, rejection)
         WHERE id = $3 AND status = $4 RETURNING ${TICKET_COLUMNS}`,
        [event.to, event.at, event.ticketId, from, patch.identityVerified ?? null, patch.rejection ? JSON.stringify(patch.rejection) : null],
      );
      const row = updated.rows[0];
      if (!row) return null;
      await this.#insertEvent(c, event);
      for (const draft of outbox) await c.query(sql.outboxInsert(this.#h), sql.outboxInsertValues(draft, event.at, CODEC));
      return toTicket(row);
    });
  }

  async indexTicketContacts(entries: { ticketId: string; contactIndex: string }[]): Promise<number> {
    this.#live();
    if (entries.length === 0) return 0;
    const { rowCount } = await this.#pool.query(
      `UPDATE ${this.#t.tickets} AS t SET contact_index = e.contact_index
       FROM unnest($1::text[], $2::text[]) AS e (id, contact_index)
       WHERE t.id = e.id AND t.contact_index = '' AND t.contact_encrypted <> ''`,
      [entries.map((e) => e.ticketId), entries.map((e) => e.contactIndex)],
    );
    return rowCount ?? 0;
  }

  async recordTicketAccess(entry: TicketAccess): Promise<void> {
    this.#live();
    await this.#pool.query(`INSERT INTO ${this.#t.access} (ticket_id, at, actor, action) VALUES ($1, $2, $3, $4)`, [
      entry.ticketId,
      entry.at,
      entry.actor,
      entry.action,
    ]);
  }

  async ticketAccessLog(ticketId: string): Promise<TicketAccess[]> {
    this.#live();
    const { rows } = await this.#pool.query<{ ticket_id: string; at: Date; actor: string; action: TicketAccess['action'] }>(
      `SELECT ticket_id, at, actor, action FROM ${this.#t.access} WHERE ticket_id = $1 ORDER BY id`,
      [ticketId],
    );
    return rows.map((r) => ({ ticketId: r.ticket_id, at: r.at, actor: r.actor, action: r.action }));
  }

  async purgeClosedTickets(before: Date, statuses: readonly TicketStatus[], at: Date, limit?: number): Promise<number> {
    this.#live();
    if (statuses.length === 0) return 0;
    // jsonb minus text[] drops the sealed keys in the database, so no detail is read back here.
    const { rowCount } = await this.#pool.query(
      `UPDATE ${this.#t.tickets} SET contact_encrypted = '', contact_index = '', contact_masked = $1, purged_at = $2,
         details = details - COALESCE((SELECT array_agg(k) FROM jsonb_object_keys(details) AS k WHERE k LIKE '%.sealed'), ARRAY[]::text[])
       WHERE id IN (SELECT id FROM ${this.#t.tickets} WHERE purged_at IS NULL AND updated_at < $3 AND status = ANY($4::text[]) LIMIT $5)`,
      [PURGED_CONTACT, at, before, [...statuses], limit ?? null],
    );
    return rowCount ?? 0;
  }

  // Identity verification codes --------------------------------------------------------------

  async saveVerificationCode(code: VerificationCodeRecord): Promise<void> {
    this.#live();
    await this.#pool.query(
      `INSERT INTO ${this.#t.codes} (key, tenant, ticket_id, contact_index, method, code_hash, created_at, expires_at, attempts, consumed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (key) DO UPDATE SET tenant = excluded.tenant, ticket_id = excluded.ticket_id, contact_index = excluded.contact_index,
         method = excluded.method, code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at,
         attempts = excluded.attempts, consumed_at = excluded.consumed_at`,
      [code.key, code.tenant, code.ticketId, code.contactIndex, code.method, code.codeHash, code.createdAt, code.expiresAt, code.attempts, code.consumedAt],
    );
  }

  async verificationCode(key: string): Promise<VerificationCodeRecord | null> {
    this.#live();
    const { rows } = await this.#pool.query<CodeRow>(`SELECT * FROM ${this.#t.codes} WHERE key = $1`, [key]);
    return rows[0] ? toCode(rows[0]) : null;
  }

  async countVerificationAttempt(key: string, maxAttempts: number): Promise<VerificationCodeRecord | null> {
    this.#live();
    const { rows } = await this.#pool.query<CodeRow>(
      `UPDATE ${this.#t.codes} SET attempts = attempts + 1 WHERE key = $1 AND consumed_at IS NULL AND attempts < $2 RETURNING *`,
      [key, maxAttempts],
    );
    return rows[0] ? toCode(rows[0]) : null;
  }

  async consumeVerificationCode(key: string, at: Date): Promise<boolean> {
    this.#live();
    const { rowCount } = await this.#pool.query(`UPDATE ${this.#t.codes} SET consumed_at = $2 WHERE key = $1 AND consumed_at IS NULL`, [key, at]);
    return rowCount === 1;
  }

  async purgeVerificationCodes(before: Date): Promise<number> {
    this.#live();
    const { rowCount } = await this.#pool.query(`DELETE FROM ${this.#t.codes} WHERE expires_at < $1`, [before]);
    return rowCount ?? 0;
  }

  async ticketEvents(ticketId: string): Promise<TicketEvent[]> {
    this.#live();
    const { rows } = await this.#pool.query<EventRow>(
      `SELECT ticket_id, at, actor, from_status, to_status, note FROM ${this.#t.events} WHERE ticket_id = $1 ORDER BY id`,
      [ticketId],
    );
    return rows.map((r) => ({ ticketId: r.ticket_id, at: r.at, actor: r.actor, from: r.from_status, to: r.to_status, note: r.note }));
  }

  // Handoffs --------------------------------------------------------------------------------

  async createHandoff(handoff: Handoff, events: HandoffEvent[], outbox: OutboxDraft[]): Promise<{ handoff: Handoff; created: boolean }> {
    const t = this.#h;
    return this.#transaction(async (c) => {
      // The partial unique index decides between concurrent escalations of one conversation.
      const inserted = await c.query(sql.handoffInsert(t), sql.handoffInsertValues(handoff, CODEC));
      if (inserted.rowCount !== 1) {
        const open = await c.query<HandoffColumns<Date>>(sql.openHandoffSelect(t), [handoff.tenant, handoff.channel, handoff.conversationRef]);
        if (!open.rows[0]) throw new BotError('storage_failed', `Handoff ${handoff.id} could not be inserted.`);
        return { handoff: sql.handoffFromColumns(open.rows[0], CODEC), created: false };
      }
      for (const event of events) await c.query(sql.eventInsert(t), sql.eventInsertValues(event, CODEC));
      for (const draft of outbox) await c.query(sql.outboxInsert(t), sql.outboxInsertValues(draft, handoff.createdAt, CODEC));
      return { handoff, created: true };
    });
  }

  async getHandoff(id: string): Promise<Handoff | null> {
    return this.#handoffById(this.#pool, id);
  }

  async openHandoff(tenant: string, channel: string, conversationRef: string): Promise<Handoff | null> {
    this.#live();
    const { rows } = await this.#pool.query<HandoffColumns<Date>>(sql.openHandoffSelect(this.#h), [tenant, channel, conversationRef]);
    return rows[0] ? sql.handoffFromColumns(rows[0], CODEC) : null;
  }

  async latestHandoff(tenant: string, channel: string, conversationRef: string): Promise<Handoff | null> {
    this.#live();
    const { rows } = await this.#pool.query<HandoffColumns<Date>>(sql.latestHandoffSelect(this.#h), [tenant, channel, conversationRef]);
    return rows[0] ? sql.handoffFromColumns(rows[0], CODEC) : null;
  }

  async listHandoffs(filter: HandoffFilter = {}): Promise<Handoff[]> {
    this.#live();
    const q = sql.listHandoffsQuery(this.#h, filter, CODEC);
    const { rows } = await this.#pool.query<HandoffColumns<Date>>(q.sql, q.params);
    return rows.map((r) => sql.handoffFromColumns(r, CODEC));
  }

  async changeHandoff(change: HandoffChange): Promise<HandoffChangeResult> {
    const t = this.#h;
    try {
      return await this.#transaction(async (c): Promise<HandoffChangeResult> => {
        // The conditional UPDATE takes the row lock first: every change of one handoff (and so
        // every duplicate of one change) runs after the previous one committed, and the
        // dedupe check below sees its outbox rows.
        const q = sql.handoffUpdateQuery(t, change.handoffId, change.expect, change.set, CODEC);
        const updated = await c.query<HandoffColumns<Date>>(q.sql, q.params);
        const row = updated.rows[0];
        if (!row) return { outcome: 'refused', handoff: await this.#handoffById(c, change.handoffId) };
        if (change.dedupeKey !== undefined && (await c.query(sql.outboxExistsSelect(t), [change.dedupeKey])).rowCount) throw new Rollback();
        for (const event of change.events) await c.query(sql.eventInsert(t), sql.eventInsertValues(event, CODEC));
        for (const draft of change.outbox) await c.query(sql.outboxInsert(t), sql.outboxInsertValues(draft, change.set.updatedAt, CODEC));
        for (const e of change.transcript ?? []) {
          await c.query(
            `INSERT INTO ${this.#t.transcript} (tenant, channel, conversation_ref, user_ref, direction, text, at, citations) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
            storedValues([e.tenant, e.channel, e.conversationRef, e.userRef, e.direction, storedText(e.text), e.at, e.citations?.length ? storedJson(e.citations) : null]),
          );
        }
        return { outcome: 'applied', handoff: sql.handoffFromColumns(row, CODEC) };
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
      const handoff = await this.#handoffById(this.#pool, change.handoffId);
      return handoff ? { outcome: 'duplicate', handoff } : { outcome: 'refused', handoff: null };
    }
  }

  async handoffEvents(handoffId: string): Promise<HandoffEvent[]> {
    this.#live();
    const { rows } = await this.#pool.query<HandoffEventColumns<Date>>(sql.eventsSelect(this.#h), [handoffId]);
    return rows.map((r) => sql.eventFromColumns(r, CODEC));
  }

  async setHandoffDeskRef(handoffId: string, desk: string, ref: string): Promise<void> {
    this.#live();
    await this.#pool.query(sql.deskRefUpsert(this.#h), [handoffId, desk, ref]);
  }

  async handoffDeskRef(handoffId: string, desk: string): Promise<string | null> {
    this.#live();
    const { rows } = await this.#pool.query<{ ref: string }>(sql.deskRefSelect(this.#h), [handoffId, desk]);
    return rows[0]?.ref ?? null;
  }

  async findHandoffByDeskRef(desk: string, ref: string): Promise<Handoff | null> {
    this.#live();
    const { rows } = await this.#pool.query<HandoffColumns<Date>>(sql.handoffByDeskRefSelect(this.#h), [desk, ref]);
    return rows[0] ? sql.handoffFromColumns(rows[0], CODEC) : null;
  }

  // Outbox ----------------------------------------------------------------------------------

  async enqueueOutbox(drafts: OutboxDraft[], now: Date): Promise<number> {
    if (drafts.length === 0) return 0;
    return this.#transaction(async (c) => {
      let queued = 0;
      for (const d of drafts) queued += (await c.query(sql.outboxInsert(this.#h), sql.outboxInsertValues(d, now, CODEC))).rowCount ?? 0;
      return queued;
    });
  }

  async claimOutbox(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    this.#live();
    // SKIP LOCKED: concurrent workers pass over each other's rows instead of waiting for them.
    const { rows } = await this.#pool.query<OutboxColumns<Date, unknown>>(sql.outboxClaim(this.#h, 'FOR UPDATE SKIP LOCKED'), [
      now,
      new Date(now.getTime() + leaseMs),
      limit,
    ]);
    return rows.map((r) => sql.outboxFromColumns(r, CODEC as unknown as Codec<Date, unknown>)).sort((a, b) => a.id - b.id);
  }

  async markOutboxSent(id: number, now: Date): Promise<void> {
    this.#live();
    await this.#pool.query(sql.outboxSent(this.#h), [id, now]);
  }

  async retryOutbox(id: number, nextAttemptAt: Date, error: string, now: Date): Promise<void> {
    this.#live();
    await this.#pool.query(sql.outboxRetry(this.#h), [id, nextAttemptAt, error, now]);
  }

  async failOutbox(id: number, error: string, now: Date): Promise<void> {
    this.#live();
    await this.#pool.query(sql.outboxFail(this.#h), [id, error, now]);
  }

  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxItem[]> {
    this.#live();
    const q = sql.listOutboxQuery(this.#h, filter);
    const { rows } = await this.#pool.query<OutboxColumns<Date, unknown>>(q.sql, q.params);
    return rows.map((r) => sql.outboxFromColumns(r, CODEC as unknown as Codec<Date, unknown>));
  }

  // Internals -------------------------------------------------------------------------------

  async #handoffById(db: pg.Pool | pg.PoolClient, id: string): Promise<Handoff | null> {
    this.#live();
    const { rows } = await db.query<HandoffColumns<Date>>(`SELECT * FROM ${this.#h.handoffs} WHERE id = $1`, [id]);
    return rows[0] ? sql.handoffFromColumns(rows[0], CODEC) : null;
  }

  async #ticketByOrigin(db: pg.Pool | pg.PoolClient, originKey: string): Promise<TicketRecord | null> {
    const { rows } = await db.query<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM ${this.#t.tickets} WHERE origin_key = $1`, [originKey]);
    return rows[0] ? toTicket(rows[0]) : null;
  }

  async #insertEvent(c: pg.PoolClient, event: TicketEvent): Promise<void> {
    await c.query(
      `INSERT INTO ${this.#t.events} (ticket_id, at, actor, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)`,
      [event.ticketId, event.at, event.actor, event.from, event.to, event.note],
    );
  }

  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#live();
    return transaction(this.#pool, fn);
  }

  #live(): void {
    if (this.#closed) throw new BotError('storage_failed', `The PostgreSQL store (${this.target}) is closed.`);
  }
}

async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is dropped from the pool rather than reused.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Creates the schema and applies pending steps in one transaction. The advisory lock makes a
 * second instance starting at the same moment wait, then find everything applied.
 */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await transaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema]);
    // Checked first: CREATE SCHEMA IF NOT EXISTS still demands CREATE on the database, which a
    // user limited to an existing schema does not have.
    const exists = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await c.query(`CREATE SCHEMA ${s}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Set((await c.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map((r) => r.version));
    for (const step of MIGRATIONS) {
      if (applied.has(step.version)) continue;
      await c.query(step.sql(s));
      await c.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [step.version, step.name]);
    }
  });
}

function toCode(r: CodeRow): VerificationCodeRecord {
  return {
    key: r.key,
    tenant: r.tenant,
    ticketId: r.ticket_id,
    contactIndex: r.contact_index,
    method: r.method,
    codeHash: r.code_hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    attempts: r.attempts,
    consumedAt: r.consumed_at,
  };
}

function toTicket(r: TicketRow): TicketRecord {
  return ticketFromColumns(r, { json: (value) => value, time: (at) => at });
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function toJson(value: unknown): string {
  return storedJson(value);
}

/** "host:port/database" of a postgres:// URL, without user or password. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    // postgres:///db?host=/var/run/postgresql connects through a Unix socket.
    const host = url.hostname || url.searchParams.get('host') || 'localhost';
    return `${host}:${url.port || '5432'}${url.pathname || '/'}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Belt and braces: drivers do not echo passwords, but nothing here will either. */
function scrubPassword(message: string, databaseUrl: string): string {
  let password = '';
  try {
    password = new URL(databaseUrl).password;
  } catch {
    return message.replaceAll(databaseUrl, '(DATABASE_URL)');
  }
  if (!password) return message;
  let scrubbed = message.replaceAll(password, '***');
  try {
    const decoded = decodeURIComponent(password);
    if (decoded) scrubbed = scrubbed.replaceAll(decoded, '***');
  } catch {
    // A malformed %-escape: the raw form was already replaced.
  }
  return scrubbed;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node reports "localhost" failures (IPv4 and IPv6 both refused) as an AggregateError with an empty message.
    return error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  return error instanceof Error ? error.message || error.name : String(error);
}
