// Conversations on PostgreSQL, as several instances run them: each "instance" is an engine
// over its own PostgresStore (its own pools) on one shared schema. Real server, real index;
// only the clocks are the test's.

import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../src/conversation/engine.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import type { PostgresStore } from '../../src/store/postgres-store.ts';
import { ContactCipher } from '../../src/tickets/contact.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { Chat } from '../helpers/chat.ts';
import { dropPgSchemas, newPgSchema, openPgStore, postgresAvailable } from '../helpers/postgres.ts';

const available = await postgresAvailable();
const T0 = new Date('2026-11-22T02:00:00Z');

let assistant: PolicyAssistant;
const stores: PostgresStore[] = [];

beforeAll(async () => {
  if (available) assistant = await openAssistant();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await dropPgSchemas();
});

interface Instance {
  engine: ConversationEngine;
  store: PostgresStore;
  clock: { now: Date };
}

/** One bot instance on `schema`: its own store (pools) and clock, the shared key. */
async function instance(schema: string, key: Buffer, options: Partial<ConstructorParameters<typeof ConversationEngine>[0]> = {}): Promise<Instance> {
  const store = await openPgStore(schema);
  stores.push(store);
  const clock = { now: T0 };
  const engine = new ConversationEngine({
    assistant,
    store,
    cipher: new ContactCipher(key),
    logger: pino({ level: 'silent' }),
    transcriptRetentionDays: 30,
    clock: () => clock.now,
    ...options,
  });
  return { engine, store, clock };
}

describe.runIf(available)('conversations on PostgreSQL', () => {
  it('keeps a form answer cut at 500 characters through an emoji, and moves on to the next step', async () => {
    const a = await instance(newPgSchema(), randomBytes(32));
    const chat = new Chat(a.engine, 'giantkone', 'emoji-user');
    await chat.send('帮我删除我的个人信息');
    expect(chat.last!.replies.at(-1)!.kind).toBe('form');
    // 499 characters, then an emoji (two UTF-16 units) across the 500th unit.
    const answer = `${'全'.repeat(499)}😀部分`;
    const turn = await chat.send(answer);
    expect(turn.replies.map((r) => r.kind)).toEqual(['form']);
    expect(turn.replies[0]!.text).toMatch(/手机号或邮箱/);
    const record = await a.store.loadConversation('giantkone', 'test', 'test:giantkone:emoji-user');
    const form = (record!.state as { form: { step: string; slots: { scope: string } } }).form;
    expect(form.step).toBe('contact');
    expect(form.slots.scope).toBe(`${'全'.repeat(499)}😀`);
    // The next message is the contact, not taken for the scope again.
    await chat.send('13812345678');
    expect(chat.text).toMatch(/确认提交吗/);
  });
});
