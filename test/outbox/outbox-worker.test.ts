// The outbox worker over a real SQLite store: retries with exponential backoff, permanent
// failures, attempts running out, no duplicates, per-conversation order, concurrent workers.
// The clock is the test's; nothing waits on real time.

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotError } from '../../src/errors.ts';
import { backoffMs, DEFAULT_RETRY, OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import type { OutboxDraft, OutboxItem } from '../../src/outbox/types.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { tempDir } from '../helpers/assistant.ts';

const T0 = new Date('2026-12-01T03:00:00Z');
let store: SqliteStore;
let clock: { now: Date };

beforeEach(async () => {
  store = await SqliteStore.open({ dataDir: tempDir() });
  clock = { now: T0 };
});
afterEach(async () => {
  await store.close();
});

function worker(): OutboxWorker {
  return new OutboxWorker({ store, logger: pino({ level: 'silent' }), clock: () => clock.now, retry: { baseMs: 1000, maxMs: 4000, maxAttempts: 4 } });
}

function draft(key: string, conversationRef = 'c-1'): OutboxDraft {
  return { target: 'fake', conversationRef, payload: { key }, dedupeKey: key, tenant: 'acme' };
}

function advance(ms: number): void {
  clock.now = new Date(clock.now.getTime() + ms);
}

describe('outbox worker', () => {
  it('doubles the delay after each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, { baseMs: 1000, maxMs: 4000, maxAttempts: 9 }))).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(backoffMs(1, DEFAULT_RETRY)).toBe(5000);
  });

  it('retries a failing delivery with backoff, then marks it sent once it goes through', async () => {
    const w = worker();
    const delivered: unknown[] = [];
    let failures = 2;
    w.register('fake', async (item) => {
      if (failures-- > 0) throw new Error('HTTP 502');
      delivered.push(item.payload);
    });
    await store.enqueueOutbox([draft('m1')], T0);

    expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    let [row] = await store.listOutbox();
    expect(row).toMatchObject({ state: 'pending', attempts: 1, lastError: 'error', nextAttemptAt: new Date(T0.getTime() + 1000) });
    // Not due yet: nothing happens.
    advance(999);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    advance(1);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    [row] = await store.listOutbox();
    expect(row!.nextAttemptAt).toEqual(new Date(clock.now.getTime() + 2000));
    advance(2000);
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(delivered).toEqual([{ key: 'm1' }]);
    expect((await store.listOutbox())[0]).toMatchObject({ state: 'sent', attempts: 3, lastError: null });
    advance(60_000);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(delivered).toHaveLength(1);
  });

  it('fails a permanent error at once and tells the listeners', async () => {
    const w = worker();
    const failed: [OutboxItem, string][] = [];
    w.register('fake', async () => {
      throw new BotError('recipient_unreachable', 'errcode 45015');
    });
    w.onFailure(async (item, reason) => void failed.push([item, reason]));
    await store.enqueueOutbox([draft('m1')], T0);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect((await store.listOutbox())[0]).toMatchObject({ state: 'failed', attempts: 1, lastError: 'recipient_unreachable' });
    expect(failed.map(([item, reason]) => [item.dedupeKey, reason])).toEqual([['m1', 'recipient_unreachable']]);
  });

  it('gives up after the last attempt, and a row for an unknown target waits for its deliverer until then', async () => {
    const w = worker();
    const failed: string[] = [];
    w.onFailure(async (_item, reason) => void failed.push(reason));
    await store.enqueueOutbox([draft('m1')], T0);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await w.runOnce();
      advance(4000);
    }
    expect((await store.listOutbox())[0]).toMatchObject({ state: 'failed', attempts: 4, lastError: 'no_deliverer' });
    expect(failed).toEqual(['no_deliverer']);
  });

  it('delivers a message queued twice (same dedupe key) once', async () => {
    const w = worker();
    const delivered: string[] = [];
    w.register('fake', async (item) => void delivered.push(item.dedupeKey));
    await store.enqueueOutbox([draft('agent-msg-1')], T0);
    await store.enqueueOutbox([draft('agent-msg-1')], T0);
    await w.runOnce();
    await store.enqueueOutbox([draft('agent-msg-1')], T0);
    await w.runOnce();
    expect(delivered).toEqual(['agent-msg-1']);
  });

  it('keeps each conversation in order, even when an earlier message has to be retried', async () => {
    const w = worker();
    const delivered: string[] = [];
    let failFirst = true;
    w.register('fake', async (item) => {
      if (item.dedupeKey === 'a1' && failFirst) {
        failFirst = false;
        throw new Error('timeout');
      }
      delivered.push(item.dedupeKey);
    });
    await store.enqueueOutbox([draft('a1', 'A'), draft('a2', 'A'), draft('a3', 'A'), draft('b1', 'B')], T0);
    await w.runOnce();
    expect(delivered).toEqual(['b1']);
    advance(1000);
    await w.runOnce();
    expect(delivered).toEqual(['b1', 'a1', 'a2', 'a3']);
  });

  it('never delivers one row twice when two workers (two instances) run at once', async () => {
    const other = await SqliteStore.open({ dataDir: store.path.replace(/\/[^/]+$/, '') });
    try {
      const delivered: string[] = [];
      const deliver = async (item: OutboxItem) => void delivered.push(item.dedupeKey);
      const a = worker();
      const b = new OutboxWorker({ store: other, logger: pino({ level: 'silent' }), clock: () => clock.now });
      a.register('fake', deliver);
      b.register('fake', deliver);
      await store.enqueueOutbox(Array.from({ length: 40 }, (_, i) => draft(`m${i}`, `c-${i % 7}`)), T0);
      await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      expect(delivered.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`).sort());
    } finally {
      await other.close();
    }
  });
});
