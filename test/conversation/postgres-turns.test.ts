// Conversations on PostgreSQL, as several instances run them: each "instance" is an engine
// over its own PostgresStore (its own pools) on one shared schema. Real server, real index;
// only the clocks are the test's.

import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../src/conversation/engine.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import type { PostgresStore } from '../../src/store/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
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

  /** Walks `chat` through a deletion request up to the confirmation question. */
  async function toConfirmation(chat: Chat): Promise<void> {
    await chat.send('帮我删除我的个人信息');
    await chat.send('全部个人信息');
    await chat.send('13812345678');
    expect(chat.text).toMatch(/确认提交吗/);
  }

  it('files one ticket when "确认" reaches two instances at once with two message ids (10 trials)', async () => {
    const schema = newPgSchema();
    const key = randomBytes(32);
    const [a, b] = [await instance(schema, key), await instance(schema, key)];
    for (let trial = 0; trial < 10; trial++) {
      const user = `double-confirm-${trial}`;
      await toConfirmation(new Chat(a.engine, 'giantkone', user));
      const turns = await Promise.all([new Chat(a.engine, 'giantkone', user).send('确认'), new Chat(b.engine, 'giantkone', user).send('确认')]);
      const tickets = await a.store.listTickets({ requester: { channel: 'test', userRef: user } });
      expect(tickets).toHaveLength(1);
      expect(turns.filter((t) => t.ticketId === tickets[0]!.id)).toHaveLength(1);
    }
  });

  it('loses nothing when a form answer and a question reach two instances at once (10 trials)', async () => {
    const schema = newPgSchema();
    const key = randomBytes(32);
    const [a, b] = [await instance(schema, key), await instance(schema, key)];
    for (let trial = 0; trial < 10; trial++) {
      const user = `answer-and-question-${trial}`;
      await new Chat(a.engine, 'giantkone', user).send('帮我删除我的个人信息');
      const [answer, question] = await Promise.all([
        new Chat(a.engine, 'giantkone', user).send('全部个人信息'),
        new Chat(b.engine, 'giantkone', user).send('你们会把我的信息提供给第三方吗？'),
      ]);
      expect(answer.replies.at(-1)!.kind).toBe('form');
      expect(question.replies[0]!.kind).toBe('answer');
      const record = await a.store.loadConversation('giantkone', 'test', `test:giantkone:${user}`);
      const form = (record!.state as { form: { step: string; slots: { scope?: string } } }).form;
      expect(form).toMatchObject({ step: 'contact', slots: { scope: '全部个人信息' } });
      // Both turns are in the transcript.
      const inbound = (await a.store.transcript('giantkone', 'test', `test:giantkone:${user}`)).filter((e) => e.direction === 'in').map((e) => e.text);
      expect(inbound).toEqual(expect.arrayContaining(['全部个人信息', '你们会把我的信息提供给第三方吗？']));
    }
  });

  describe('claims are leases', () => {
    const LEASE = 6000;
    const message = (user: string, messageId: string) => ({
      channel: 'test',
      tenant: 'giantkone',
      userRef: user,
      conversationRef: `test:giantkone:${user}`,
      messageId,
      text: '你们会把我的信息提供给第三方吗？',
      time: T0,
    });

    it('answers the redelivery of a message whose instance died after claiming it, once the lease has run out', async () => {
      const b = await instance(newPgSchema(), randomBytes(32), { claimLeaseMs: LEASE });
      // The dead instance claimed it at T0 and never renewed or finished.
      await b.store.claimMessage({ channel: 'test', tenant: 'giantkone', messageId: 'crash-1' }, T0, LEASE, 'dead-instance');
      b.clock.now = new Date(T0.getTime() + LEASE - 1000);
      expect(await b.engine.handle(message('crash-user', 'crash-1'))).toMatchObject({ duplicate: true, replies: [] });
      b.clock.now = new Date(T0.getTime() + LEASE + 1);
      const turn = await b.engine.handle(message('crash-user', 'crash-1'));
      expect(turn.duplicate).toBe(false);
      expect(turn.replies[0]!.kind).toBe('answer');
      // And it is done now: a further redelivery is a duplicate.
      expect(await b.engine.handle(message('crash-user', 'crash-1'))).toMatchObject({ duplicate: true });
    });

    /** A store whose loadConversation waits for `gate`: a turn that is still running (inside its lock); `entered` counts such turns. */
    function stalled(store: Store, gate: Promise<void>, entered: { turns: number }): Store {
      return new Proxy(store, {
        get(target, name, receiver) {
          if (name === 'loadConversation') {
            return async (...args: Parameters<Store['loadConversation']>) => {
              entered.turns++;
              await gate;
              return target.loadConversation(...args);
            };
          }
          const value = Reflect.get(target, name, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    }

    it('keeps a running turn’s claim alive with a heartbeat, and a slow instance’s message is answered once', async () => {
      const schema = newPgSchema();
      const key = randomBytes(32);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const beats: (() => Promise<void>)[] = [];
      const slowStore = await openPgStore(schema);
      stores.push(slowStore);
      const entered = { turns: 0 };
      const a = await instance(schema, key, {
        store: stalled(slowStore, gate, entered),
        claimLeaseMs: LEASE,
        heartbeat: (beat) => {
          beats.push(beat);
          return () => undefined;
        },
      });
      const b = await instance(schema, key, { claimLeaseMs: LEASE });

      const slow = a.engine.handle(message('slow-user', 'slow-1'));
      // The slow turn holds the conversation's lock and waits in the middle of its work.
      await expect.poll(() => entered.turns).toBe(1);
      expect(beats).toHaveLength(1);
      // Five seconds in, the heartbeat renews the claim: another instance may not take it.
      a.clock.now = new Date(T0.getTime() + 5000);
      await beats[0]!();
      b.clock.now = new Date(T0.getTime() + LEASE + 1000);
      expect(await b.engine.handle(message('slow-user', 'slow-1'))).toMatchObject({ duplicate: true });

      // Stalled with no heartbeat past the lease: the redelivery takes over and waits for the
      // conversation; the slow turn finishes first, so the takeover answers nothing.
      b.clock.now = new Date(T0.getTime() + 5000 + LEASE + 1);
      const takeover = b.engine.handle(message('slow-user', 'slow-1'));
      release();
      const [first, second] = await Promise.all([slow, takeover]);
      expect(first.duplicate).toBe(false);
      expect(first.replies[0]!.kind).toBe('answer');
      expect(second).toMatchObject({ duplicate: true, replies: [] });
      const inbound = (await b.store.transcript('giantkone', 'test', 'test:giantkone:slow-user')).filter((e) => e.direction === 'in');
      expect(inbound).toHaveLength(1);
    });
  });
});
