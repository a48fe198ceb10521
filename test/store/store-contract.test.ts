// One contract, two backends: every test below runs against SQLite and against PostgreSQL.
//
// PostgreSQL: postgres://postgres@127.0.0.1:5432/test (TEST_DATABASE_URL overrides), one
// throwaway schema per test, all dropped at the end. Without a server the PostgreSQL suite is
// skipped with a notice, except in CI (CI=true), where that is a failure.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dropPgSchema, dropPgSchemas, newPgSchema, PG_URL, probePostgres, rawPg } from '../helpers/postgres.ts';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { describeDatabaseUrl } from '../../src/store/postgres-store.ts';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite-store.ts';
import type { ConversationRecord, HandoffChange, MessageKey, Store, TicketDraft, TicketEvent, TicketStatus, TranscriptEntry, VerificationCodeRecord } from '../../src/store/store.ts';
import type { Handoff, HandoffEvent } from '../../src/handoff/types.ts';
import type { OutboxDraft } from '../../src/outbox/types.ts';

/** A database a test owns: open it (again), poke it directly, throw it away. */
interface TestDatabase {
  open(): Promise<Store>;
  /** Runs SQL over a separate direct connection, bypassing the store (for database-level guarantees). */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

// Backends -----------------------------------------------------------------------------------

const tempRoots: string[] = [];

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'privacy-bot-store-'));
  tempRoots.push(root);
  return root;
}

async function sqliteDatabase(): Promise<TestDatabase> {
  const root = tempRoot();
  const dataDir = join(root, 'data', 'nested'); // does not exist yet: the store creates it
  return {
    open: () => openStore({ dataDir }),
    raw: async (sql) => {
      const db = new Database(join(dataDir, SQLITE_FILE_NAME));
      try {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all() as Record<string, unknown>[];
        statement.run();
        return [];
      } finally {
        db.close();
      }
    },
    drop: async () => rmSync(root, { recursive: true, force: true }),
  };
}

async function postgresDatabase(): Promise<TestDatabase> {
  const schema = newPgSchema();
  const dataDir = join(tempRoot(), 'unused');
  return {
    open: () => openStore({ dataDir, databaseUrl: PG_URL, pgSchema: schema }),
    raw: (sql) => rawPg(schema, sql),
    drop: () => dropPgSchema(schema),
  };
}

afterAll(async () => {
  await dropPgSchemas();
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

// Fixtures -----------------------------------------------------------------------------------

const T0 = new Date('2026-11-21T09:30:00.123Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STALE = 60_000;

function ticketDraft(overrides: Partial<TicketDraft> = {}): TicketDraft {
  return {
    idPrefix: 'DEL',
    type: 'delete_data',
    tenant: 'acme',
    channel: 'wechat',
    requester: 'u-1',
    conversationRef: 'c-1',
    contactEncrypted: 'v1:Zm9vYmFy:c2VjcmV0IGNvbnRhY3Q=',
    contactMasked: '138****5678',
    details: { reason: '注销账户后请删除全部数据', scope: 'all "records" \\ 🗑️' },
    clauses: [
      { policyId: 'acme-privacy', clauseId: 'c-4-2', number: '4.2', title: '您的权利' },
      { policyId: 'acme-privacy', clauseId: 'c-7', number: '7', title: 'Retention' },
    ],
    status: 'submitted',
    dueDate: '2026-12-21',
    deadlineSource: 'policy',
    language: 'zh',
    originKey: `wechat|acme|${randomUUID()}`,
    contactIndex: 'idx-138',
    identityVerified: false,
    verificationMethod: null,
    rejection: null,
    purgedAt: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function firstEvent(draft: TicketDraft, note: string | null = null): Omit<TicketEvent, 'ticketId'> {
  return { at: draft.createdAt, actor: `user:${draft.requester}`, from: null, to: draft.status, note };
}

function withoutPrefix(draft: TicketDraft): Omit<TicketDraft, 'idPrefix'> {
  const { idPrefix: _prefix, ...rest } = draft;
  return rest;
}

function entry(conversationRef: string, userRef: string, text: string, ms: number, overrides: Partial<TranscriptEntry> = {}): TranscriptEntry {
  return { tenant: 'acme', channel: 'wechat', conversationRef, userRef, direction: 'in', text, at: at(ms), ...overrides };
}

function conversation(conversationRef: string, userRef: string, ms: number, overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return { tenant: 'acme', channel: 'wechat', conversationRef, userRef, state: { step: 'idle' }, updatedAt: at(ms), ...overrides };
}

function handoff(overrides: Partial<Handoff> = {}): Handoff {
  return {
    id: `h-${randomUUID()}`,
    tenant: 'acme',
    channel: 'wechat',
    conversationRef: 'c-1',
    userRef: 'u-1',
    language: 'zh',
    reason: 'human_agent',
    state: 'waiting_agent',
    ownerId: null,
    ownerName: null,
    createdAt: T0,
    updatedAt: T0,
    takenAt: null,
    firstAgentReplyAt: null,
    endedAt: null,
    userUnreachable: false,
    ...overrides,
  };
}

function handoffEvent(h: Handoff, type: HandoffEvent['type'], ms: number, actor = 'system', note: string | null = null): HandoffEvent {
  return { handoffId: h.id, type, actor, at: at(ms), note };
}

function outboxDraft(dedupeKey: string, overrides: Partial<OutboxDraft> = {}): OutboxDraft {
  return { target: 'wechat', conversationRef: 'c-1', payload: [{ kind: 'agent', text: `你好 ${dedupeKey}` }], dedupeKey, tenant: 'acme', ...overrides };
}

function take(h: Handoff, agent: string, ms: number): HandoffChange {
  return {
    handoffId: h.id,
    expect: { states: ['waiting_agent'] },
    set: { state: 'agent', ownerId: `slack:${agent}`, ownerName: agent, takenAt: at(ms), updatedAt: at(ms) },
    events: [handoffEvent(h, 'taken', ms, `agent:slack:${agent}`)],
    outbox: [outboxDraft(`taken:${h.id}`, { handoffId: h.id })],
  };
}

// The contract ---------------------------------------------------------------------------------

function describeStoreContract(name: string, createDatabase: () => Promise<TestDatabase>): void {
  describe(name, () => {
    let db: TestDatabase;
    let store: Store;

    beforeEach(async () => {
      db = await createDatabase();
      store = await db.open();
    });

    afterEach(async () => {
      await store.close();
      await db.drop();
    });

    describe('message claims', () => {
      const key: MessageKey = { channel: 'wechat', tenant: 'acme', messageId: 'm-1' };

      it('claims once, reports processing while unfinished, then done with the exact stored result', async () => {
        expect(await store.claimMessage(key, T0, STALE)).toEqual({ state: 'claimed' });
        expect(await store.claimMessage(key, at(1000), STALE)).toEqual({ state: 'processing' });
        const result = { replies: [{ text: '您好 👋 "quoted"\n', citations: ['4.2', '7'] }], score: 1.5, ok: true, none: null, nested: { a: [] } };
        await store.finishMessage(key, result, at(2000));
        expect(await store.claimMessage(key, at(3000), STALE)).toEqual({ state: 'done', result });
        // Done stays done, however old the claim is.
        expect(await store.claimMessage(key, at(100 * STALE), STALE)).toEqual({ state: 'done', result });
      });

      it('stores scalar and array results exactly', async () => {
        const results: unknown[] = ['plain text', 0, false, null, [], [1, 'two', { three: 3 }], {}];
        for (const [i, result] of results.entries()) {
          const k = { ...key, messageId: `scalar-${i}` };
          expect(await store.claimMessage(k, T0, STALE)).toEqual({ state: 'claimed' });
          await store.finishMessage(k, result, T0);
          expect(await store.claimMessage(k, at(1), STALE)).toEqual({ state: 'done', result });
        }
      });

      it('lets a claim strictly older than staleAfterMs be taken over, once', async () => {
        expect(await store.claimMessage(key, T0, STALE)).toEqual({ state: 'claimed' });
        expect(await store.claimMessage(key, at(STALE), STALE)).toEqual({ state: 'processing' });
        expect(await store.claimMessage(key, at(STALE + 1), STALE)).toEqual({ state: 'claimed' });
        // The takeover is a fresh claim: it is not stale again until STALE after the takeover.
        expect(await store.claimMessage(key, at(STALE + 2), STALE)).toEqual({ state: 'processing' });
        expect(await store.claimMessage(key, at(2 * STALE + 1), STALE)).toEqual({ state: 'processing' });
        expect(await store.claimMessage(key, at(2 * STALE + 2), STALE)).toEqual({ state: 'claimed' });
      });

      it('lets the next claim succeed after a release, but never releases a finished message', async () => {
        expect(await store.claimMessage(key, T0, STALE)).toEqual({ state: 'claimed' });
        await store.releaseMessage(key);
        expect(await store.claimMessage(key, at(1), STALE)).toEqual({ state: 'claimed' });
        expect(await store.claimMessage(key, at(2), STALE)).toEqual({ state: 'processing' });
        await store.finishMessage(key, 'handled', at(3));
        await store.releaseMessage(key);
        expect(await store.claimMessage(key, at(4), STALE)).toEqual({ state: 'done', result: 'handled' });
        await store.releaseMessage({ ...key, messageId: 'never-claimed' }); // harmless
      });

      it('keeps keys apart by channel, tenant and message id independently', async () => {
        const others: MessageKey[] = [
          { ...key, channel: 'slack' },
          { ...key, tenant: 'globex' },
          { ...key, messageId: 'm-2' },
        ];
        expect(await store.claimMessage(key, T0, STALE)).toEqual({ state: 'claimed' });
        for (const other of others) expect(await store.claimMessage(other, T0, STALE)).toEqual({ state: 'claimed' });
        await store.finishMessage(key, 'first', at(1));
        for (const other of others) expect(await store.claimMessage(other, at(2), STALE)).toEqual({ state: 'processing' });
        await store.releaseMessage(others[0]!);
        expect(await store.claimMessage(key, at(3), STALE)).toEqual({ state: 'done', result: 'first' });
        expect(await store.claimMessage(others[1]!, at(3), STALE)).toEqual({ state: 'processing' });
      });

      it('gives exactly one of 10 concurrent claims', async () => {
        const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimMessage(key, T0, STALE)));
        expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
        expect(claims.filter((c) => c.state === 'processing')).toHaveLength(9);
      });

      it('is a lease: renewed by its owner it stays theirs, left alone it expires and is taken over', async () => {
        const LEASE = 6000;
        expect(await store.claimMessage(key, T0, LEASE, 'owner-a')).toEqual({ state: 'claimed' });
        // The heartbeat of a running turn keeps the claim.
        expect(await store.renewClaim(key, 'owner-a', at(5000))).toBe(true);
        expect(await store.claimMessage(key, at(LEASE + 1000), LEASE, 'owner-b')).toEqual({ state: 'processing' });
        // Only the owner renews.
        expect(await store.renewClaim(key, 'owner-b', at(LEASE + 2000))).toBe(false);
        // No heartbeat for longer than the lease: the instance died, the next delivery takes over.
        expect(await store.claimMessage(key, at(5000 + LEASE + 1), LEASE, 'owner-b')).toEqual({ state: 'claimed' });
        expect(await store.renewClaim(key, 'owner-a', at(5000 + LEASE + 2))).toBe(false);
        expect(await store.renewClaim(key, 'owner-b', at(5000 + LEASE + 3))).toBe(true);
        await store.finishMessage(key, 'done by b', at(5000 + LEASE + 4));
        // A finished message has nothing left to renew.
        expect(await store.renewClaim(key, 'owner-b', at(5000 + LEASE + 5))).toBe(false);
        expect(await store.claimMessage(key, at(100 * LEASE), LEASE, 'owner-c')).toEqual({ state: 'done', result: 'done by b' });
      });

      it('gives a stale claim to exactly one of 10 concurrent takeovers', async () => {
        await store.claimMessage(key, T0, STALE);
        const later = at(STALE + 1000);
        const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimMessage(key, later, STALE)));
        expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
        expect(claims.filter((c) => c.state === 'processing')).toHaveLength(9);
      });
    });

    describe('request nonces', () => {
      const nonce = (overrides: Partial<Parameters<Store['rememberRequest']>[0]> = {}) => ({
        scope: 'wechat:acme',
        timestamp: '1700000000',
        nonce: 'n-1',
        digest: 'digest-a',
        expiresAt: at(600_000),
        ...overrides,
      });

      it('tells a first request, a redelivery with the same body, and a replay with another body apart', async () => {
        expect(await store.rememberRequest(nonce(), T0)).toBe('first');
        expect(await store.rememberRequest(nonce(), at(1000))).toBe('repeat');
        expect(await store.rememberRequest(nonce({ digest: 'digest-b' }), at(2000))).toBe('conflict');
        // Scope, timestamp and nonce each make another pair.
        expect(await store.rememberRequest(nonce({ scope: 'wechat:globex', digest: 'digest-b' }), at(3000))).toBe('first');
        expect(await store.rememberRequest(nonce({ timestamp: '1700000001', digest: 'digest-b' }), at(3000))).toBe('first');
        expect(await store.rememberRequest(nonce({ nonce: 'n-2', digest: 'digest-b' }), at(3000))).toBe('first');
      });

      it('forgets a pair once it expires, and purges expired pairs only', async () => {
        await store.rememberRequest(nonce(), T0);
        await store.rememberRequest(nonce({ nonce: 'n-2', expiresAt: at(900_000) }), T0);
        expect(await store.rememberRequest(nonce({ digest: 'digest-b' }), at(600_000))).toBe('conflict');
        expect(await store.rememberRequest(nonce({ digest: 'digest-b' }), at(600_001))).toBe('first');
        expect(await store.purgeExpiredRequests(at(1_000_000))).toBe(2);
        expect(await store.purgeExpiredRequests(at(1_000_000))).toBe(0);
      });

      it('gives "first" to exactly one of 10 concurrent identical requests', async () => {
        const checks = await Promise.all(Array.from({ length: 10 }, () => store.rememberRequest(nonce(), T0)));
        expect(checks.filter((c) => c === 'first')).toHaveLength(1);
        expect(checks.filter((c) => c === 'repeat')).toHaveLength(9);
      });
    });

    describe('settings', () => {
      it('keeps the first value stored under a name, for every instance', async () => {
        expect(await store.adoptSetting('key_fingerprint', 'aaa')).toBe('aaa');
        expect(await store.adoptSetting('key_fingerprint', 'bbb')).toBe('aaa');
        const other = await db.open();
        try {
          expect(await other.adoptSetting('key_fingerprint', 'ccc')).toBe('aaa');
          expect(await other.adoptSetting('other', 'ccc')).toBe('ccc');
        } finally {
          await other.close();
        }
      });
    });

    describe('conversations and transcript', () => {
      it('runs work under the conversation lock, returns its result and lets the next turn in after a failure', async () => {
        const key = { tenant: 'acme', channel: 'wechat', conversationRef: 'c-1' };
        expect(await store.withConversationLock(key, async () => 42)).toBe(42);
        await expect(store.withConversationLock(key, async () => Promise.reject(new Error('turn failed')))).rejects.toThrow('turn failed');
        expect(await store.withConversationLock(key, async () => 'next')).toBe('next');
      });

      it('stores lone surrogates (text cut through an emoji) as U+FFFD instead of failing', async () => {
        const cut = `${'a'.repeat(3)}\ud83d`;
        await store.saveConversation(conversation('c-1', 'u-1', 0, { state: { slots: { scope: cut }, list: ['\ude00x'] } }));
        expect((await store.loadConversation('acme', 'wechat', 'c-1'))!.state).toEqual({ slots: { scope: 'aaa\ufffd' }, list: ['\ufffdx'] });
        await store.appendTranscript([entry('c-1', 'u-1', cut, 0)]);
        expect((await store.transcript('acme', 'wechat', 'c-1')).map((e) => e.text)).toEqual(['aaa\ufffd']);
        const d = ticketDraft({ details: { scope: cut } });
        const { ticket } = await store.createTicket(d, firstEvent(d));
        expect((await store.getTicket(ticket.id))!.details).toEqual({ scope: 'aaa\ufffd' });
        const k = { channel: 'wechat', tenant: 'acme', messageId: 'surrogate' };
        await store.claimMessage(k, T0, STALE);
        await store.finishMessage(k, { text: cut }, T0);
        expect(await store.claimMessage(k, at(1), STALE)).toEqual({ state: 'done', result: { text: 'aaa\ufffd' } });
      });

      it('round-trips conversation state, upserts on save, and returns null for an unknown one', async () => {
        expect(await store.loadConversation('acme', 'wechat', 'c-1')).toBeNull();
        const record = conversation('c-1', 'u-1', 0, {
          state: {
            step: 'collecting',
            form: { type: 'delete_data', fields: { reason: '不再使用 — ünïcödé 🚀', empty: '' } },
            history: [1, 2.5, null, true, 'x'],
            escaped: 'He said "hi"\n\t\\',
          },
        });
        await store.saveConversation(record);
        expect(await store.loadConversation('acme', 'wechat', 'c-1')).toEqual(record);

        const updated = conversation('c-1', 'u-1', 5000, { state: { step: 'done', list: [] } });
        await store.saveConversation(updated);
        expect(await store.loadConversation('acme', 'wechat', 'c-1')).toEqual(updated);
        // The key is tenant + channel + conversation.
        expect(await store.loadConversation('acme', 'slack', 'c-1')).toBeNull();
        expect(await store.loadConversation('globex', 'wechat', 'c-1')).toBeNull();
      });

      it('reads a transcript back oldest first, with exact text, direction and millisecond timestamps', async () => {
        const first = [
          entry('c-1', 'u-1', '我想删除我的数据', 10),
          entry('c-1', 'u-1', 'Sure — which account?\n"quoted" \\ 🚀', 11, { direction: 'out' }),
          entry('c-1', 'u-1', '', 11), // same millisecond: kept in the order given
        ];
        const earlier = entry('c-1', 'u-1', 'sent earlier, stored later', 5);
        await store.appendTranscript(first);
        await store.appendTranscript([earlier, entry('c-2', 'u-1', 'another conversation', 0)]);
        await store.appendTranscript([]);
        expect(await store.transcript('acme', 'wechat', 'c-1')).toEqual([earlier, ...first]);
        expect(await store.transcript('acme', 'slack', 'c-1')).toEqual([]);
      });

      it('keeps the citations of an outbound entry, and none for the others', async () => {
        const citations = [{ policyId: 'p', policyTitle: '隐私政策', clauseId: 'p#8.3', number: '8.3', title: '删除', text: '您可以要求删除 "全部" 信息。' }];
        const lines = [entry('c-1', 'u-1', '怎么删除？', 0), entry('c-1', 'u-1', '可以删除 [1]', 1, { direction: 'out', citations }), entry('c-1', 'u-1', '还有吗', 2)];
        await store.appendTranscript(lines);
        const read = await store.transcript('acme', 'wechat', 'c-1');
        expect(read).toEqual(lines);
        expect(read[1]!.citations).toEqual(citations);
        expect('citations' in read[0]!).toBe(false);
      });

      it("erases one user's transcript and conversations in one tenant and channel only", async () => {
        await store.saveConversation(conversation('c-1', 'u-1', 0));
        await store.saveConversation(conversation('c-2', 'u-1', 0));
        await store.saveConversation(conversation('c-3', 'u-2', 0));
        await store.saveConversation(conversation('c-1', 'u-1', 0, { channel: 'slack' }));
        await store.saveConversation(conversation('c-1', 'u-1', 0, { tenant: 'globex' }));
        await store.appendTranscript([
          entry('c-1', 'u-1', 'a', 1),
          entry('c-1', 'u-1', 'b', 2, { direction: 'out' }),
          entry('c-2', 'u-1', 'c', 3),
          entry('c-2', 'u-1', 'd', 4, { direction: 'out' }),
          entry('c-3', 'u-2', 'e', 5),
          entry('c-1', 'u-1', 'f', 6, { channel: 'slack' }),
          entry('c-1', 'u-1', 'g', 7, { tenant: 'globex' }),
        ]);
        const d = ticketDraft({ requester: 'u-1' });
        const { ticket } = await store.createTicket(d, firstEvent(d));

        expect(await store.eraseUserHistory('acme', 'wechat', 'u-1')).toEqual({ messages: 4, conversations: 2 });

        expect(await store.loadConversation('acme', 'wechat', 'c-1')).toBeNull();
        expect(await store.loadConversation('acme', 'wechat', 'c-2')).toBeNull();
        expect(await store.transcript('acme', 'wechat', 'c-1')).toEqual([]);
        expect(await store.transcript('acme', 'wechat', 'c-2')).toEqual([]);
        expect(await store.loadConversation('acme', 'wechat', 'c-3')).not.toBeNull();
        expect((await store.transcript('acme', 'wechat', 'c-3')).map((e) => e.text)).toEqual(['e']);
        expect(await store.loadConversation('acme', 'slack', 'c-1')).not.toBeNull();
        expect((await store.transcript('acme', 'slack', 'c-1')).map((e) => e.text)).toEqual(['f']);
        expect(await store.loadConversation('globex', 'wechat', 'c-1')).not.toBeNull();
        expect((await store.transcript('globex', 'wechat', 'c-1')).map((e) => e.text)).toEqual(['g']);
        // Tickets are records of a legal request, not chat history.
        expect(await store.getTicket(ticket.id)).toEqual(ticket);
        expect(await store.ticketEvents(ticket.id)).toHaveLength(1);

        expect(await store.eraseUserHistory('acme', 'wechat', 'u-1')).toEqual({ messages: 0, conversations: 0 });
      });

      it('purges transcript entries, idle conversations and message claims older than the cut-off', async () => {
        const cutoff = at(DAY);
        await store.appendTranscript([
          entry('c-1', 'u-1', 'old', 0),
          entry('c-1', 'u-1', 'at the cut-off', DAY),
          entry('c-1', 'u-1', 'new', DAY + 1),
        ]);
        await store.saveConversation(conversation('c-old', 'u-1', DAY - 1));
        await store.saveConversation(conversation('c-1', 'u-1', DAY));
        const oldKey: MessageKey = { channel: 'wechat', tenant: 'acme', messageId: 'old' };
        const newKey: MessageKey = { channel: 'wechat', tenant: 'acme', messageId: 'new' };
        await store.claimMessage(oldKey, at(0), STALE);
        await store.finishMessage(oldKey, 'old result', at(0));
        await store.claimMessage(newKey, at(DAY + 1000), STALE);
        const d = ticketDraft({ createdAt: at(0), updatedAt: at(0) });
        const { ticket } = await store.createTicket(d, firstEvent(d));

        expect(await store.purgeBefore(cutoff)).toEqual({ messages: 1, conversations: 1, claims: 1 });

        expect((await store.transcript('acme', 'wechat', 'c-1')).map((e) => e.text)).toEqual(['at the cut-off', 'new']);
        expect(await store.loadConversation('acme', 'wechat', 'c-old')).toBeNull();
        expect(await store.loadConversation('acme', 'wechat', 'c-1')).not.toBeNull();
        expect(await store.claimMessage(newKey, at(DAY + 2000), STALE)).toEqual({ state: 'processing' });
        expect(await store.claimMessage(oldKey, at(DAY + 2000), STALE)).toEqual({ state: 'claimed' }); // forgotten
        expect(await store.getTicket(ticket.id)).toEqual(ticket);
        expect(await store.purgeBefore(cutoff)).toEqual({ messages: 0, conversations: 0, claims: 0 });
      });

      it('purges in batches of at most `limit` rows per table', async () => {
        await store.appendTranscript([0, 1, 2, 3, 4].map((i) => entry('c-1', 'u-1', `old ${i}`, i)));
        for (const i of [0, 1, 2]) await store.saveConversation(conversation(`c-old-${i}`, 'u-1', i));
        const cutoff = at(DAY);
        expect(await store.purgeBefore(cutoff, 2)).toEqual({ messages: 2, conversations: 2, claims: 0 });
        expect(await store.transcript('acme', 'wechat', 'c-1')).toHaveLength(3);
        expect(await store.purgeBefore(cutoff, 2)).toEqual({ messages: 2, conversations: 1, claims: 0 });
        expect(await store.purgeBefore(cutoff, 2)).toEqual({ messages: 1, conversations: 0, claims: 0 });
        expect(await store.transcript('acme', 'wechat', 'c-1')).toEqual([]);
      });
    });

    describe('tickets', () => {
      it('numbers tickets per prefix and per day in China time (UTC+8), from 0001', async () => {
        const create = async (idPrefix: string, iso: string): Promise<string> => {
          const d = ticketDraft({ idPrefix, createdAt: new Date(iso), updatedAt: new Date(iso) });
          return (await store.createTicket(d, firstEvent(d))).ticket.id;
        };
        expect(await create('DEL', '2026-11-21T17:00:00.000Z')).toBe('DEL-20261122-0001');
        expect(await create('DEL', '2026-11-21T15:59:59.999Z')).toBe('DEL-20261121-0001'); // 23:59:59.999 in Beijing
        expect(await create('DEL', '2026-11-21T16:00:00.000Z')).toBe('DEL-20261122-0002'); // 00:00 in Beijing
        expect(await create('ACC', '2026-11-22T10:00:00.000Z')).toBe('ACC-20261122-0001');
        expect(await create('DEL', '2026-11-22T15:59:59.999Z')).toBe('DEL-20261122-0003');
        expect(await create('DEL', '2026-11-22T16:00:00.000Z')).toBe('DEL-20261123-0001');
        expect(await create('ACC', '2026-11-22T10:00:00.000Z')).toBe('ACC-20261122-0002');
      });

      it('round-trips every field and stores the first audit event with the ticket', async () => {
        const d = ticketDraft({ updatedAt: at(1) });
        const { ticket, created } = await store.createTicket(d, firstEvent(d, 'Filed from chat'));
        expect(created).toBe(true);
        expect(ticket).toEqual({ ...withoutPrefix(d), id: 'DEL-20261121-0001' });
        expect(await store.getTicket(ticket.id)).toEqual(ticket);
        expect(await store.ticketEvents(ticket.id)).toEqual([{ ticketId: ticket.id, ...firstEvent(d, 'Filed from chat') }]);

        const other = ticketDraft({
          idPrefix: 'PRT',
          type: 'port_data',
          channel: 'slack',
          requester: 'U123ABC',
          conversationRef: 'D456',
          contactEncrypted: 'v1:other:ciphertext',
          contactMasked: 'a***@example.com',
          details: {},
          clauses: [],
          status: 'verifying_identity',
          dueDate: '2027-01-05',
          deadlineSource: 'tenant_default',
          language: 'en',
          contactIndex: 'idx-mail',
          identityVerified: true,
          verificationMethod: 'email',
          rejection: { reason: '无法核实身份 ✗', clause: { policyId: 'acme-privacy', clauseId: 'c-4-2', number: '4.2', title: '您的权利' } },
          purgedAt: at(DAY),
        });
        const second = await store.createTicket(other, firstEvent(other));
        expect(second.ticket).toEqual({ ...withoutPrefix(other), id: 'PRT-20261121-0001' });
        expect(await store.getTicket(second.ticket.id)).toEqual(second.ticket);
      });

      it('returns the existing ticket for a repeated originKey, with no new number and no new event', async () => {
        const d = ticketDraft();
        const first = await store.createTicket(d, firstEvent(d));
        const again = await store.createTicket({ ...d, details: { changed: 'yes' }, createdAt: at(HOUR) }, firstEvent(d, 'again'));
        expect(again).toEqual({ ticket: first.ticket, created: false });
        expect(await store.ticketEvents(first.ticket.id)).toHaveLength(1);
        const next = ticketDraft();
        expect((await store.createTicket(next, firstEvent(next))).ticket.id).toBe('DEL-20261121-0002');
      });

      it('gives 20 concurrent creations 20 distinct consecutive numbers', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => {
            const d = ticketDraft();
            return store.createTicket(d, firstEvent(d));
          }),
        );
        expect(results.every((r) => r.created)).toBe(true);
        const ids = results.map((r) => r.ticket.id).sort();
        expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `DEL-20261121-${String(i + 1).padStart(4, '0')}`));
        for (const id of ids) expect(await store.ticketEvents(id)).toHaveLength(1);
      });

      it('files a ticket once when the same origin arrives 5 times concurrently', async () => {
        const d = ticketDraft();
        const results = await Promise.all(Array.from({ length: 5 }, () => store.createTicket(d, firstEvent(d))));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.ticket.id))).toEqual(new Set(['DEL-20261121-0001']));
        expect(await store.listTickets()).toHaveLength(1);
        expect(await store.ticketEvents('DEL-20261121-0001')).toHaveLength(1);
        // The losers gave their numbers back.
        const next = ticketDraft();
        expect((await store.createTicket(next, firstEvent(next))).ticket.id).toBe('DEL-20261121-0002');
      });

      it('returns null and [] for an unknown ticket', async () => {
        expect(await store.getTicket('DEL-20261121-0001')).toBeNull();
        expect(await store.ticketEvents('DEL-20261121-0001')).toEqual([]);
        expect(await store.listTickets()).toEqual([]);
      });

      it('lists tickets newest first, filtered by tenant, status and requester in combination', async () => {
        const ids: Record<string, string> = {};
        const specs: [string, Partial<TicketDraft>][] = [
          ['t1', { tenant: 'acme', channel: 'wechat', requester: 'u-1' }],
          ['t2', { tenant: 'acme', channel: 'slack', requester: 'u-1' }],
          ['t3', { tenant: 'acme', channel: 'wechat', requester: 'u-2' }],
          ['t4', { tenant: 'globex', channel: 'wechat', requester: 'u-1' }],
          ['t5', { tenant: 'acme', channel: 'wechat', requester: 'u-1' }],
        ];
        for (const [i, [name, overrides]] of specs.entries()) {
          const d = ticketDraft({ ...overrides, createdAt: at(i * HOUR), updatedAt: at(i * HOUR) });
          ids[name] = (await store.createTicket(d, firstEvent(d))).ticket.id;
        }
        await store.transitionTicket({ ticketId: ids.t5!, at: at(5 * HOUR), actor: 'agent:alice', from: 'submitted', to: 'in_progress', note: null });
        const list = async (filter?: Parameters<Store['listTickets']>[0]): Promise<string[]> => {
          const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
          return (await store.listTickets(filter)).map((t) => byId[t.id]!);
        };
        const wechatU1 = { channel: 'wechat', userRef: 'u-1' };

        expect(await list()).toEqual(['t5', 't4', 't3', 't2', 't1']);
        expect(await list({})).toEqual(['t5', 't4', 't3', 't2', 't1']);
        expect(await list({ tenant: 'acme' })).toEqual(['t5', 't3', 't2', 't1']);
        expect(await list({ status: 'submitted' })).toEqual(['t4', 't3', 't2', 't1']);
        expect(await list({ status: 'in_progress' })).toEqual(['t5']);
        expect(await list({ requester: wechatU1 })).toEqual(['t5', 't4', 't1']);
        expect(await list({ requester: { channel: 'slack', userRef: 'u-1' } })).toEqual(['t2']);
        expect(await list({ tenant: 'acme', requester: wechatU1 })).toEqual(['t5', 't1']);
        expect(await list({ tenant: 'acme', status: 'submitted', requester: wechatU1 })).toEqual(['t1']);
        expect(await list({ tenant: 'nobody' })).toEqual([]);
        expect((await store.listTickets({ status: 'in_progress' }))[0]).toEqual(await store.getTicket(ids.t5!));
      });

      it('transitions only from the current status, updating status and updatedAt and appending the event', async () => {
        const d = ticketDraft();
        const { ticket } = await store.createTicket(d, firstEvent(d));
        const verify: TicketEvent = { ticketId: ticket.id, at: at(HOUR), actor: 'agent:alice', from: 'submitted', to: 'verifying_identity', note: 'asked for ID' };
        const moved = await store.transitionTicket(verify);
        expect(moved).toEqual({ ...ticket, status: 'verifying_identity', updatedAt: at(HOUR) });
        expect(await store.getTicket(ticket.id)).toEqual(moved);

        // Stale: the ticket is no longer "submitted".
        const stale: TicketEvent = { ...verify, at: at(2 * HOUR), to: 'cancelled', note: null };
        expect(await store.transitionTicket(stale)).toBeNull();
        expect(await store.getTicket(ticket.id)).toEqual(moved);
        expect(await store.transitionTicket({ ...verify, ticketId: 'DEL-20991231-0001' })).toBeNull();

        const progress: TicketEvent = { ticketId: ticket.id, at: at(3 * HOUR), actor: 'system', from: 'verifying_identity', to: 'in_progress', note: null };
        const done: TicketEvent = { ticketId: ticket.id, at: at(4 * HOUR), actor: 'agent:bob', from: 'in_progress', to: 'completed', note: '已删除 ✔' };
        expect((await store.transitionTicket(progress))?.status).toBe('in_progress');
        expect(await store.transitionTicket(done)).toEqual({ ...ticket, status: 'completed', updatedAt: at(4 * HOUR) });
        expect(await store.ticketEvents(ticket.id)).toEqual([{ ticketId: ticket.id, ...firstEvent(d) }, verify, progress, done]);
      });

      it('queues a new ticket\'s outbox rows with it, once: a repeated origin queues nothing', async () => {
        const d = ticketDraft();
        const announce = (t: { id: string }) => [{ target: 'tickets:slack', conversationRef: t.id, payload: { type: 'filed', ticketId: t.id }, dedupeKey: `tickets:slack:${t.id}:filed`, tenant: 'acme', handoffId: null }];
        const { ticket, created } = await store.createTicket(d, firstEvent(d), announce);
        expect(created).toBe(true);
        let calls = 0;
        const again = await store.createTicket(d, firstEvent(d), (t) => (calls++, announce(t)));
        expect([again.created, again.ticket.id, calls]).toEqual([false, ticket.id, 0]);
        const rows = (await store.listOutbox({ target: 'tickets:slack' })).filter((o) => o.conversationRef === ticket.id);
        expect(rows.map((o) => [o.dedupeKey, o.payload, o.createdAt.getTime()])).toEqual([[`tickets:slack:${ticket.id}:filed`, { type: 'filed', ticketId: ticket.id }, d.createdAt.getTime()]]);
      });

      it('queues a transition\'s outbox rows in its transaction: with the change, or not at all', async () => {
        const d = ticketDraft();
        const { ticket } = await store.createTicket(d, firstEvent(d));
        const notice = (key: string) => ({ target: 'wechat', conversationRef: `wechat:acme:${key}`, payload: [{ kind: 'status', text: `通知 ${key} 😀` }], dedupeKey: `ticket:${ticket.id}:${key}`, tenant: 'acme', handoffId: null });
        const verify: TicketEvent = { ticketId: ticket.id, at: at(HOUR), actor: 'agent:alice', from: 'submitted', to: 'verifying_identity', note: null };
        expect((await store.transitionTicket(verify, {}, [notice('verifying')]))?.status).toBe('verifying_identity');
        // A stale move changes nothing and queues nothing.
        expect(await store.transitionTicket({ ...verify, to: 'rejected' }, { rejection: { reason: 'x', clause: null } }, [notice('stale')])).toBeNull();
        const mine = (await store.listOutbox()).filter((o) => o.dedupeKey.startsWith(`ticket:${ticket.id}:`));
        expect(mine.map((o) => [o.dedupeKey, o.target, o.conversationRef, o.state, o.createdAt.getTime()])).toEqual([
          [`ticket:${ticket.id}:verifying`, 'wechat', 'wechat:acme:verifying', 'pending', at(HOUR).getTime()],
        ]);
        expect(mine[0]!.payload).toEqual([{ kind: 'status', text: '通知 verifying 😀' }]);
      });

      it('lets exactly one of 10 concurrent transitions from the same status win', async () => {
        const d = ticketDraft();
        const { ticket } = await store.createTicket(d, firstEvent(d));
        const targets: TicketStatus[] = ['verifying_identity', 'in_progress', 'rejected', 'cancelled', 'completed'];
        const events = Array.from(
          { length: 10 },
          (_, i): TicketEvent => ({ ticketId: ticket.id, at: at(HOUR + i), actor: `agent:a${i}`, from: 'submitted', to: targets[i % targets.length]!, note: null }),
        );
        const results = await Promise.all(events.map((e) => store.transitionTicket(e)));
        const winners = results.flatMap((r, i) => (r ? [events[i]!] : []));
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(await store.getTicket(ticket.id)).toEqual({ ...ticket, status: winner.to, updatedAt: winner.at });
        expect(await store.ticketEvents(ticket.id)).toEqual([{ ticketId: ticket.id, ...firstEvent(d) }, winner]);
      });

      it('refuses UPDATE and DELETE of audit events at the database level', async () => {
        const d = ticketDraft();
        const { ticket } = await store.createTicket(d, firstEvent(d));
        await store.transitionTicket({ ticketId: ticket.id, at: at(1), actor: 'system', from: 'submitted', to: 'in_progress', note: null });
        const before = await store.ticketEvents(ticket.id);

        await expect(db.raw(`UPDATE ticket_events SET note = 'tampered'`)).rejects.toThrow(/append-only/);
        await expect(db.raw(`DELETE FROM ticket_events WHERE ticket_id = '${ticket.id}'`)).rejects.toThrow(/append-only/);
        if (store.kind === 'postgres') await expect(db.raw('TRUNCATE ticket_events')).rejects.toThrow(/append-only/);
        // Nor does deleting the ticket take its log with it.
        await expect(db.raw(`DELETE FROM tickets WHERE id = '${ticket.id}'`)).rejects.toThrow();

        expect(await store.ticketEvents(ticket.id)).toEqual(before);
        expect(await db.raw('SELECT count(*) AS n FROM ticket_events')).toEqual([{ n: store.kind === 'postgres' ? '2' : 2 }]);
      });

      it('lists by contact blind index and creation time, never matching a purged (empty) index', async () => {
        const a = ticketDraft({ contactIndex: 'idx-a', createdAt: at(0), updatedAt: at(0) });
        const b = ticketDraft({ contactIndex: 'idx-b', createdAt: at(DAY), updatedAt: at(DAY) });
        const c = ticketDraft({ contactIndex: 'idx-a', tenant: 'globex', createdAt: at(2 * DAY), updatedAt: at(2 * DAY) });
        const purged = ticketDraft({ contactIndex: '', createdAt: at(3 * DAY), updatedAt: at(3 * DAY) });
        const ids = [];
        for (const d of [a, b, c, purged]) ids.push((await store.createTicket(d, firstEvent(d))).ticket.id);
        expect((await store.listTickets({ contactIndex: 'idx-a' })).map((t) => t.id)).toEqual([ids[2], ids[0]]);
        expect((await store.listTickets({ contactIndex: 'idx-a', tenant: 'acme' })).map((t) => t.id)).toEqual([ids[0]]);
        expect(await store.listTickets({ contactIndex: '' })).toEqual([]);
        expect((await store.listTickets({ since: at(DAY) })).map((t) => t.id)).toEqual([ids[3], ids[2], ids[1]]);
        expect((await store.listTickets({ since: at(DAY + 1) })).map((t) => t.id)).toEqual([ids[3], ids[2]]);
      });

      it('finds tickets without a blind index and sets it once, never on a purged ticket', async () => {
        const old = ticketDraft({ contactIndex: '' });
        const purged = ticketDraft({ contactIndex: '', contactEncrypted: '' });
        const indexed = ticketDraft({ contactIndex: 'idx-x' });
        const ids: string[] = [];
        for (const d of [old, purged, indexed]) ids.push((await store.createTicket(d, firstEvent(d))).ticket.id);
        expect((await store.listTickets({ unindexed: true })).map((t) => t.id)).toEqual([ids[0]]);
        const entries = ids.map((ticketId) => ({ ticketId, contactIndex: `new-${ticketId}` }));
        expect(await store.indexTicketContacts(entries)).toBe(1);
        expect((await store.getTicket(ids[0]!))?.contactIndex).toBe(`new-${ids[0]}`);
        expect((await store.getTicket(ids[1]!))?.contactIndex).toBe('');
        expect((await store.getTicket(ids[2]!))?.contactIndex).toBe('idx-x');
        expect(await store.indexTicketContacts(entries)).toBe(0);
        expect(await store.indexTicketContacts([])).toBe(0);
        expect(await store.listTickets({ unindexed: true })).toEqual([]);
      });

      it('records identity verification and a rejection with the transition that makes them', async () => {
        const d = ticketDraft({ status: 'verifying_identity' });
        const { ticket } = await store.createTicket(d, firstEvent(d));
        const verified = await store.transitionTicket(
          { ticketId: ticket.id, at: at(HOUR), actor: 'user:u-1', from: 'verifying_identity', to: 'in_progress', note: 'identity verified (email)' },
          { identityVerified: 'email' },
        );
        expect(verified).toEqual({ ...ticket, status: 'in_progress', identityVerified: true, verificationMethod: 'email', updatedAt: at(HOUR) });
        const rejection = { reason: '账号仍有未结清订单', clause: { policyId: 'acme-privacy', clauseId: 'c-7', number: '7', title: 'Retention' } };
        const rejected = await store.transitionTicket(
          { ticketId: ticket.id, at: at(2 * HOUR), actor: 'agent:alice', from: 'in_progress', to: 'rejected', note: rejection.reason },
          { rejection },
        );
        expect(rejected).toEqual({ ...verified, status: 'rejected', rejection, updatedAt: at(2 * HOUR) });
        expect(await store.getTicket(ticket.id)).toEqual(rejected);
        // A patch on a stale transition changes nothing.
        expect(await store.transitionTicket({ ticketId: ticket.id, at: at(3 * HOUR), actor: 'x', from: 'in_progress', to: 'completed', note: null }, { identityVerified: 'sms' })).toBeNull();
        expect(await store.getTicket(ticket.id)).toEqual(rejected);
      });

      it('keeps an append-only access log of who saw personal data', async () => {
        const d = ticketDraft();
        const { ticket } = await store.createTicket(d, firstEvent(d));
        await store.recordTicketAccess({ ticketId: ticket.id, at: at(1), actor: 'agent:alice', action: 'reveal_contact' });
        await store.recordTicketAccess({ ticketId: ticket.id, at: at(2), actor: 'agent:bob', action: 'export' });
        expect(await store.ticketAccessLog(ticket.id)).toEqual([
          { ticketId: ticket.id, at: at(1), actor: 'agent:alice', action: 'reveal_contact' },
          { ticketId: ticket.id, at: at(2), actor: 'agent:bob', action: 'export' },
        ]);
        expect(await store.ticketAccessLog('DEL-20991231-0001')).toEqual([]);
        await expect(db.raw(`UPDATE ticket_access_log SET actor = 'agent:nobody'`)).rejects.toThrow(/append-only/);
        await expect(db.raw('DELETE FROM ticket_access_log')).rejects.toThrow(/append-only/);
        expect(await store.ticketAccessLog(ticket.id)).toHaveLength(2);
      });

      it('purges personal data of closed tickets past retention, once, keeping the record and its log', async () => {
        const closedOld = ticketDraft({ details: { scope: '全部', 'scope.sealed': 'v1:sealed' }, createdAt: at(0), updatedAt: at(0) });
        const openOld = ticketDraft({ details: { 'scope.sealed': 'v1:sealed' }, createdAt: at(0), updatedAt: at(0) });
        const closedNew = ticketDraft({ createdAt: at(0), updatedAt: at(0) });
        const ids: string[] = [];
        for (const d of [closedOld, openOld, closedNew]) ids.push((await store.createTicket(d, firstEvent(d))).ticket.id);
        await store.transitionTicket({ ticketId: ids[0]!, at: at(DAY), actor: 'agent:a', from: 'submitted', to: 'completed', note: null });
        await store.transitionTicket({ ticketId: ids[2]!, at: at(10 * DAY), actor: 'agent:a', from: 'submitted', to: 'rejected', note: 'r' });
        const closed: TicketStatus[] = ['completed', 'rejected', 'cancelled'];

        expect(await store.purgeClosedTickets(at(5 * DAY), closed, at(30 * DAY))).toBe(1);
        const purged = await store.getTicket(ids[0]!);
        expect(purged).toMatchObject({ contactEncrypted: '', contactIndex: '', contactMasked: '(purged)', details: { scope: '全部' }, purgedAt: at(30 * DAY), status: 'completed' });
        expect(await store.ticketEvents(ids[0]!)).toHaveLength(2);
        expect((await store.getTicket(ids[1]!))?.contactEncrypted).toBe(closedOld.contactEncrypted);
        expect((await store.getTicket(ids[2]!))?.purgedAt).toBeNull();
        expect(await store.purgeClosedTickets(at(5 * DAY), closed, at(31 * DAY))).toBe(0);
        expect((await store.getTicket(ids[0]!))?.purgedAt).toEqual(at(30 * DAY));
      });

      it('purges closed tickets in batches of at most `limit`', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const d = ticketDraft({ createdAt: at(0), updatedAt: at(0) });
          ids.push((await store.createTicket(d, firstEvent(d))).ticket.id);
        }
        for (const id of ids) await store.transitionTicket({ ticketId: id, at: at(DAY), actor: 'agent:a', from: 'submitted', to: 'completed', note: null });
        const closed: TicketStatus[] = ['completed'];
        expect(await store.purgeClosedTickets(at(5 * DAY), closed, at(30 * DAY), 2)).toBe(2);
        expect(await store.purgeClosedTickets(at(5 * DAY), closed, at(30 * DAY), 2)).toBe(1);
        expect(await store.purgeClosedTickets(at(5 * DAY), closed, at(30 * DAY), 2)).toBe(0);
        for (const id of ids) expect((await store.getTicket(id))?.purgedAt).toEqual(at(30 * DAY));
      });
    });

    describe('verification codes', () => {
      const code = (overrides: Partial<VerificationCodeRecord> = {}): VerificationCodeRecord => ({
        key: 'acme|web|web:acme:s1',
        tenant: 'acme',
        ticketId: 'DEL-20261121-0001',
        contactIndex: 'idx-a',
        method: 'email',
        codeHash: 'salt:hash',
        createdAt: T0,
        expiresAt: at(15 * 60_000),
        attempts: 0,
        consumedAt: null,
        ...overrides,
      });

      it('round-trips a code, replaces it under the same key, and returns null for an unknown key', async () => {
        await store.saveVerificationCode(code());
        expect(await store.verificationCode(code().key)).toEqual(code());
        const replacement = code({ ticketId: null, method: 'sms', codeHash: 'salt2:hash2', attempts: 0, createdAt: at(HOUR), expiresAt: at(2 * HOUR) });
        await store.saveVerificationCode(replacement);
        expect(await store.verificationCode(code().key)).toEqual(replacement);
        expect(await store.verificationCode('nobody')).toBeNull();
      });

      it('counts at most maxAttempts attempts, also when 10 arrive at once', async () => {
        await store.saveVerificationCode(code());
        const results = await Promise.all(Array.from({ length: 10 }, () => store.countVerificationAttempt(code().key, 5)));
        expect(results.filter((r) => r !== null).map((r) => r!.attempts).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(await store.countVerificationAttempt(code().key, 5)).toBeNull();
        expect((await store.verificationCode(code().key))?.attempts).toBe(5);
        expect(await store.countVerificationAttempt('nobody', 5)).toBeNull();
      });

      it('consumes a code once, after which no attempt counts', async () => {
        await store.saveVerificationCode(code());
        const wins = await Promise.all(Array.from({ length: 5 }, () => store.consumeVerificationCode(code().key, at(60_000))));
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await store.verificationCode(code().key))?.consumedAt).toEqual(at(60_000));
        expect(await store.countVerificationAttempt(code().key, 5)).toBeNull();
      });

      it('purges codes that expired before the cut-off', async () => {
        await store.saveVerificationCode(code({ key: 'old', expiresAt: at(HOUR) }));
        await store.saveVerificationCode(code({ key: 'new', expiresAt: at(3 * HOUR) }));
        expect(await store.purgeVerificationCodes(at(2 * HOUR))).toBe(1);
        expect(await store.verificationCode('old')).toBeNull();
        expect(await store.verificationCode('new')).not.toBeNull();
      });
    });

    describe('handoffs', () => {
      it('creates a handoff with its events and outbox rows, and keeps one open handoff per conversation', async () => {
        const h = handoff();
        const created = await store.createHandoff(h, [handoffEvent(h, 'escalated', 0, 'user:u-1')], [outboxDraft('esc-1', { target: 'desk:slack', conversationRef: h.id, handoffId: h.id })]);
        expect(created).toEqual({ handoff: h, created: true });
        expect(await store.getHandoff(h.id)).toEqual(h);
        expect(await store.openHandoff('acme', 'wechat', 'c-1')).toEqual(h);
        expect(await store.handoffEvents(h.id)).toEqual([handoffEvent(h, 'escalated', 0, 'user:u-1')]);

        const second = handoff({ createdAt: at(1), updatedAt: at(1) });
        expect(await store.createHandoff(second, [handoffEvent(second, 'escalated', 1)], [outboxDraft('esc-2')])).toEqual({ handoff: h, created: false });
        expect(await store.getHandoff(second.id)).toBeNull();
        expect((await store.listOutbox()).map((o) => o.dedupeKey)).toEqual(['esc-1']);
        // Another conversation, and a closed handoff of the same one, are no conflict.
        const other = handoff({ conversationRef: 'c-2' });
        expect((await store.createHandoff(other, [], [])).created).toBe(true);
        const closed = handoff({ state: 'closed', endedAt: at(2), createdAt: at(2), updatedAt: at(2) });
        expect((await store.createHandoff(closed, [], [])).created).toBe(true);
        expect(await store.latestHandoff('acme', 'wechat', 'c-1')).toEqual(closed);
        expect(await store.openHandoff('acme', 'wechat', 'c-9')).toBeNull();
      });

      it('gives exactly one of 5 concurrent escalations of one conversation', async () => {
        const drafts = Array.from({ length: 5 }, (_, i) => handoff({ createdAt: at(i), updatedAt: at(i) }));
        const results = await Promise.all(drafts.map((h, i) => store.createHandoff(h, [handoffEvent(h, 'escalated', i)], [outboxDraft(`esc-${i}`)])));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const winner = results.find((r) => r.created)!.handoff;
        for (const r of results) expect(r.handoff.id).toBe(winner.id);
        expect(await store.listHandoffs()).toEqual([winner]);
        expect(await store.listOutbox()).toHaveLength(1);
      });

      it('applies a change only from the expected state and owner, with its events, outbox rows and transcript', async () => {
        const h = handoff();
        await store.createHandoff(h, [handoffEvent(h, 'escalated', 0)], []);
        const taken = await store.changeHandoff(take(h, 'alice', 1000));
        const owned: Handoff = { ...h, state: 'agent', ownerId: 'slack:alice', ownerName: 'alice', takenAt: at(1000), updatedAt: at(1000) };
        expect(taken).toEqual({ outcome: 'applied', handoff: owned });
        // A second take-over is refused, naming the owner.
        expect(await store.changeHandoff(take(h, 'bob', 2000))).toEqual({ outcome: 'refused', handoff: owned });

        const relay = (agent: string, messageId: string, ms: number): HandoffChange => ({
          handoffId: h.id,
          expect: { states: ['agent'], ownerId: `slack:${agent}` },
          set: { firstAgentReplyAt: at(ms), updatedAt: at(ms) },
          events: [handoffEvent(h, 'relayed_to_user', ms, `agent:slack:${agent}`)],
          outbox: [outboxDraft(`relay:${messageId}`, { handoffId: h.id })],
          transcript: [entry('c-1', 'u-1', `agent says ${messageId}`, ms, { direction: 'out' })],
          dedupeKey: `relay:${messageId}`,
        });
        // Only the owner relays.
        expect((await store.changeHandoff(relay('bob', 'x', 2500))).outcome).toBe('refused');
        const first = await store.changeHandoff(relay('alice', 'm1', 3000));
        expect(first).toEqual({ outcome: 'applied', handoff: { ...owned, firstAgentReplyAt: at(3000), updatedAt: at(3000) } });
        // The same agent message again is a duplicate; a later reply keeps the first reply time.
        expect((await store.changeHandoff(relay('alice', 'm1', 3500))).outcome).toBe('duplicate');
        const second = await store.changeHandoff(relay('alice', 'm2', 4000));
        expect(second.handoff?.firstAgentReplyAt).toEqual(at(3000));
        expect(await store.transcript('acme', 'wechat', 'c-1')).toEqual([
          entry('c-1', 'u-1', 'agent says m1', 3000, { direction: 'out' }),
          entry('c-1', 'u-1', 'agent says m2', 4000, { direction: 'out' }),
        ]);
        expect((await store.listOutbox({ handoffId: h.id })).map((o) => o.dedupeKey)).toEqual([`taken:${h.id}`, 'relay:m1', 'relay:m2']);
        expect((await store.handoffEvents(h.id)).map((e) => e.type)).toEqual(['escalated', 'taken', 'relayed_to_user', 'relayed_to_user']);

        const back = await store.changeHandoff({
          handoffId: h.id,
          expect: { states: ['agent'], ownerId: 'slack:alice' },
          set: { state: 'bot', endedAt: at(5000), userUnreachable: true, updatedAt: at(5000) },
          events: [handoffEvent(h, 'handed_back', 5000, 'agent:slack:alice', 'done')],
          outbox: [],
        });
        expect(back.handoff).toMatchObject({ state: 'bot', endedAt: at(5000), userUnreachable: true, ownerName: 'alice' });
        expect(await store.openHandoff('acme', 'wechat', 'c-1')).toBeNull();
        expect(await store.changeHandoff(take(h, 'bob', 6000))).toEqual({ outcome: 'refused', handoff: back.handoff });
        expect((await store.changeHandoff({ ...take(h, 'x', 1), handoffId: 'nope' })).handoff).toBeNull();
      });

      it('lets exactly one of 10 concurrent take-overs win, from two store instances', async () => {
        const h = handoff();
        await store.createHandoff(h, [], []);
        const other = await db.open();
        try {
          const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).changeHandoff(take(h, `agent${i}`, 1000 + i))));
          const winners = results.filter((r) => r.outcome === 'applied');
          expect(winners).toHaveLength(1);
          const owner = winners[0]!.handoff!.ownerName;
          for (const r of results) expect(r.handoff?.ownerName).toBe(owner);
          expect((await store.handoffEvents(h.id)).map((e) => e.actor)).toEqual([`agent:slack:${owner}`]);
          expect(await store.listOutbox()).toHaveLength(1);
        } finally {
          await other.close();
        }
      });

      it('relays one agent message once when it arrives 5 times concurrently', async () => {
        const h = handoff();
        await store.createHandoff(h, [], []);
        await store.changeHandoff(take(h, 'alice', 1));
        const relay: HandoffChange = {
          handoffId: h.id,
          expect: { states: ['agent'], ownerId: 'slack:alice' },
          set: { updatedAt: at(2) },
          events: [handoffEvent(h, 'relayed_to_user', 2, 'agent:slack:alice')],
          outbox: [outboxDraft('relay:same', { handoffId: h.id })],
          dedupeKey: 'relay:same',
        };
        const results = await Promise.all(Array.from({ length: 5 }, () => store.changeHandoff(relay)));
        expect(results.map((r) => r.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
        expect((await store.handoffEvents(h.id)).map((e) => e.type)).toEqual(['taken', 'relayed_to_user']);
      });

      it('lists handoffs newest first by tenant, state and update time', async () => {
        const a = handoff({ conversationRef: 'a', createdAt: at(0), updatedAt: at(0) });
        const b = handoff({ conversationRef: 'b', state: 'closed', createdAt: at(HOUR), updatedAt: at(2 * HOUR) });
        const c = handoff({ conversationRef: 'c', tenant: 'other', createdAt: at(2 * HOUR), updatedAt: at(2 * HOUR) });
        for (const h of [a, b, c]) await store.createHandoff(h, [], []);
        expect((await store.listHandoffs()).map((h) => h.conversationRef)).toEqual(['c', 'b', 'a']);
        expect((await store.listHandoffs({ tenant: 'acme' })).map((h) => h.conversationRef)).toEqual(['b', 'a']);
        expect((await store.listHandoffs({ states: ['waiting_agent', 'agent'] })).map((h) => h.conversationRef)).toEqual(['c', 'a']);
        expect((await store.listHandoffs({ updatedSince: at(HOUR) })).map((h) => h.conversationRef)).toEqual(['c', 'b']);
        expect((await store.listHandoffs({ limit: 1 })).map((h) => h.conversationRef)).toEqual(['c']);
        expect(await store.listHandoffs({ states: [] })).toEqual([]);
      });

      it('maps desk references both ways, one per desk and handoff', async () => {
        const h = handoff();
        await store.createHandoff(h, [], []);
        await store.setHandoffDeskRef(h.id, 'slack', 'C1:111.222');
        expect(await store.handoffDeskRef(h.id, 'slack')).toBe('C1:111.222');
        expect(await store.findHandoffByDeskRef('slack', 'C1:111.222')).toEqual(h);
        await store.setHandoffDeskRef(h.id, 'slack', 'C1:333.444');
        expect(await store.findHandoffByDeskRef('slack', 'C1:111.222')).toBeNull();
        expect(await store.handoffDeskRef(h.id, 'console')).toBeNull();
      });

      it('refuses UPDATE and DELETE of handoff events at the database level', async () => {
        const h = handoff();
        await store.createHandoff(h, [handoffEvent(h, 'escalated', 0)], []);
        await expect(db.raw(`UPDATE handoff_events SET note = 'tampered'`)).rejects.toThrow(/append-only/);
        await expect(db.raw(`DELETE FROM handoff_events`)).rejects.toThrow(/append-only/);
        if (store.kind === 'postgres') await expect(db.raw('TRUNCATE handoff_events')).rejects.toThrow(/append-only/);
        expect(await store.handoffEvents(h.id)).toEqual([handoffEvent(h, 'escalated', 0)]);
      });
    });

    describe('outbox', () => {
      it('queues once per dedupe key and round-trips the payload', async () => {
        const payload = [{ kind: 'agent', text: '引号 "x" \\ 🙂', citations: [], quickReplies: [] }];
        expect(await store.enqueueOutbox([outboxDraft('k1', { payload }), outboxDraft('k1'), outboxDraft('k2')], T0)).toBe(2);
        expect(await store.enqueueOutbox([outboxDraft('k2')], T0)).toBe(0);
        const [first] = await store.listOutbox();
        expect(first).toEqual({
          id: first!.id,
          target: 'wechat',
          conversationRef: 'c-1',
          payload,
          dedupeKey: 'k1',
          tenant: 'acme',
          handoffId: null,
          state: 'pending',
          attempts: 0,
          nextAttemptAt: T0,
          lastError: null,
          createdAt: T0,
          updatedAt: T0,
        });
      });

      it('claims due rows one per conversation in order, leases them, and retries, sends and fails them', async () => {
        await store.enqueueOutbox([outboxDraft('a1'), outboxDraft('a2'), outboxDraft('b1', { conversationRef: 'c-2' }), outboxDraft('later', { conversationRef: 'c-3', notBefore: at(HOUR) })], T0);
        const claimed = await store.claimOutbox(T0, 10, 30_000);
        expect(claimed.map((o) => [o.dedupeKey, o.state, o.attempts])).toEqual([['a1', 'sending', 1], ['b1', 'sending', 1]]);
        // Leased: a second worker gets nothing until the lease ends.
        expect(await store.claimOutbox(at(1000), 10, 30_000)).toEqual([]);
        const a1 = claimed[0]!;
        const b1 = claimed[1]!;
        await store.retryOutbox(a1.id, at(5000), 'http_500', at(1000));
        await store.markOutboxSent(b1.id, at(1000));
        // a2 waits behind a1 even though a1 is not due yet.
        expect(await store.claimOutbox(at(2000), 10, 30_000)).toEqual([]);
        const again = await store.claimOutbox(at(5000), 10, 30_000);
        expect(again.map((o) => [o.dedupeKey, o.attempts, o.lastError])).toEqual([['a1', 2, 'http_500']]);
        await store.failOutbox(a1.id, 'recipient_unreachable', at(6000));
        expect((await store.claimOutbox(at(6000), 10, 30_000)).map((o) => o.dedupeKey)).toEqual(['a2']);
        // A lease that ran out (a crashed worker) is claimed again.
        expect((await store.claimOutbox(at(6000 + 30_000), 10, 30_000)).map((o) => [o.dedupeKey, o.attempts])).toEqual([['a2', 2]]);
        await store.markOutboxSent(again[0]!.id, at(36_001)); // too late: a1 is failed, and stays failed
        expect((await store.claimOutbox(at(HOUR), 10, 30_000)).map((o) => o.dedupeKey)).toEqual(['a2', 'later']);
        const states = Object.fromEntries((await store.listOutbox()).map((o) => [o.dedupeKey, o.state]));
        expect(states).toEqual({ a1: 'failed', a2: 'sending', b1: 'sent', later: 'sending' });
        expect((await store.listOutbox({ state: 'failed' })).map((o) => o.lastError)).toEqual(['recipient_unreachable']);
      });

      it('never gives one row to two of 6 concurrent workers', async () => {
        await store.enqueueOutbox(Array.from({ length: 30 }, (_, i) => outboxDraft(`r${i}`, { conversationRef: `c-${i}` })), T0);
        const other = await db.open();
        try {
          const batches = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).claimOutbox(T0, 5, 60_000)));
          const ids = batches.flat().map((o) => o.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length).toBe(30);
        } finally {
          await other.close();
        }
      });

      it('purges sent and failed rows with the transcript, and keeps pending ones', async () => {
        await store.enqueueOutbox([outboxDraft('sent'), outboxDraft('pending', { conversationRef: 'c-2' })], T0);
        const [sent] = await store.claimOutbox(T0, 1, 1000);
        await store.markOutboxSent(sent!.id, T0);
        await store.purgeBefore(at(DAY));
        expect((await store.listOutbox()).map((o) => o.dedupeKey)).toEqual(['pending']);
      });
    });

    describe('lifecycle', () => {
      it('pings, rejects every operation once closed, and closes twice harmlessly', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        const key: MessageKey = { channel: 'wechat', tenant: 'acme', messageId: 'm-1' };
        const d = ticketDraft();
        await expect(store.ping()).rejects.toThrow(/closed/);
        await expect(store.claimMessage(key, T0, STALE)).rejects.toThrow(/closed/);
        await expect(store.finishMessage(key, null, T0)).rejects.toThrow(/closed/);
        await expect(store.loadConversation('acme', 'wechat', 'c-1')).rejects.toThrow(/closed/);
        await expect(store.saveConversation(conversation('c-1', 'u-1', 0))).rejects.toThrow(/closed/);
        await expect(store.appendTranscript([entry('c-1', 'u-1', 'x', 0)])).rejects.toThrow(/closed/);
        await expect(store.purgeBefore(T0)).rejects.toThrow(/closed/);
        await expect(store.createTicket(d, firstEvent(d))).rejects.toThrow(/closed/);
        await expect(store.listTickets()).rejects.toThrow(/closed/);
        await expect(store.transitionTicket({ ticketId: 'x', at: T0, actor: 'system', from: 'submitted', to: 'cancelled', note: null })).rejects.toThrow(
          /closed/,
        );
        const error = await store.getTicket('x').catch((e: unknown) => e);
        expect(isBotError(error, 'storage_failed')).toBe(true);
        await expect(store.close()).resolves.toBeUndefined();
      });

      it('keeps everything across close and reopen, and does not re-run migrations', async () => {
        const done: MessageKey = { channel: 'wechat', tenant: 'acme', messageId: 'done' };
        const pending: MessageKey = { channel: 'wechat', tenant: 'acme', messageId: 'pending' };
        await store.claimMessage(done, T0, STALE);
        await store.finishMessage(done, { replies: ['好的'] }, T0);
        await store.claimMessage(pending, T0, STALE);
        const record = conversation('c-1', 'u-1', 0, { state: { step: 'collecting', n: 2 } });
        await store.saveConversation(record);
        const lines = [entry('c-1', 'u-1', 'hello', 0), entry('c-1', 'u-1', '你好', 1, { direction: 'out' })];
        await store.appendTranscript(lines);
        const d = ticketDraft();
        const created = await store.createTicket(d, firstEvent(d));
        const moved = await store.transitionTicket({ ticketId: created.ticket.id, at: at(HOUR), actor: 'system', from: 'submitted', to: 'in_progress', note: null });
        const events = await store.ticketEvents(created.ticket.id);
        const migrations = await db.raw('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(migrations.length).toBeGreaterThan(0);

        await store.close();
        store = await db.open();

        expect(await store.claimMessage(done, at(1), STALE)).toEqual({ state: 'done', result: { replies: ['好的'] } });
        expect(await store.claimMessage(pending, at(1), STALE)).toEqual({ state: 'processing' });
        expect(await store.loadConversation('acme', 'wechat', 'c-1')).toEqual(record);
        expect(await store.transcript('acme', 'wechat', 'c-1')).toEqual(lines);
        expect(await store.getTicket(created.ticket.id)).toEqual(moved);
        expect(await store.ticketEvents(created.ticket.id)).toEqual(events);
        const next = ticketDraft();
        expect((await store.createTicket(next, firstEvent(next))).ticket.id).toBe('DEL-20261121-0002');
        expect(await db.raw('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(migrations);
      });

      it('opens a fresh database from 3 instances at once', async () => {
        const fresh = await createDatabase();
        try {
          const stores = await Promise.all([fresh.open(), fresh.open(), fresh.open()]);
          try {
            const d = ticketDraft();
            const { ticket } = await stores[0]!.createTicket(d, firstEvent(d));
            for (const s of stores) expect(await s.getTicket(ticket.id)).toEqual(ticket);
          } finally {
            for (const s of stores) await s.close();
          }
          const versions = (await fresh.raw('SELECT version FROM schema_migrations')).map((r) => Number(r.version));
          expect(versions).toEqual([...new Set(versions)]);
        } finally {
          await fresh.drop();
        }
      });
    });
  });
}

// Running it -----------------------------------------------------------------------------------

describeStoreContract('SQLite store', sqliteDatabase);

const pgTarget = describeDatabaseUrl(PG_URL);
const pgUnavailable = await probePostgres();
if (pgUnavailable === null) {
  describeStoreContract('PostgreSQL store', postgresDatabase);
} else if (process.env.CI === 'true') {
  describe('PostgreSQL store', () => {
    it(`needs a server at ${pgTarget} in CI`, () => {
      throw new Error(`No PostgreSQL server at ${pgTarget} (TEST_DATABASE_URL): ${pgUnavailable}`);
    });
  });
} else {
  console.warn(`PostgreSQL store tests skipped: no server at ${pgTarget} (${pgUnavailable}). Set TEST_DATABASE_URL to run them.`);
  describe.skip(`PostgreSQL store (skipped: no server at ${pgTarget})`, () => {
    it('runs the store contract against PostgreSQL', () => undefined);
  });
}

describe('openStore', () => {
  it('uses SQLite without a DATABASE_URL, and PostgreSQL with one', async () => {
    for (const databaseUrl of [undefined, null, '', '  ']) {
      const store = await openStore({ dataDir: join(tempRoot(), 'data'), databaseUrl });
      expect(store.kind).toBe('sqlite');
      await store.close();
    }
    if (pgUnavailable === null) {
      const schema = newPgSchema();
      const store = await openStore({ dataDir: tempRoot(), databaseUrl: PG_URL.replace(/^postgres:/, 'postgresql:'), pgSchema: schema });
      expect(store.kind).toBe('postgres');
      await store.ping();
      await store.close();
    }
  });

  it('refuses a DATABASE_URL that is not postgres://, without echoing it', async () => {
    const error = await openStore({ dataDir: tempRoot(), databaseUrl: 'mysql://bot:hunter2@db.internal/privacy' }).catch((e: unknown) => e);
    expect(isBotError(error, 'invalid_config')).toBe(true);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('reports an unreachable PostgreSQL as storage_failed, naming host and port but never the password', async () => {
    const error = await openStore({ dataDir: tempRoot(), databaseUrl: 'postgres://bot:hunter2@127.0.0.1:1/privacy' }).catch((e: unknown) => e);
    expect(isBotError(error, 'storage_failed')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1/privacy');
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  it('refuses an unsafe PostgreSQL schema name', async () => {
    const error = await openStore({ dataDir: tempRoot(), databaseUrl: PG_URL, pgSchema: 'bad"; DROP SCHEMA public; --' }).catch((e: unknown) => e);
    expect(isBotError(error, 'invalid_config')).toBe(true);
  });

  it('reports an unusable data directory as storage_failed, naming the path', async () => {
    const file = join(tempRoot(), 'not-a-directory');
    writeFileSync(file, 'x');
    const error = await openStore({ dataDir: file }).catch((e: unknown) => e);
    expect(isBotError(error, 'storage_failed')).toBe(true);
    expect((error as Error).message).toContain(file);
  });
});
