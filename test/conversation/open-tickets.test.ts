// A cap on open requests per person: past it, a new request is refused in words until one
// of theirs is closed or cancelled.

import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../src/conversation/engine.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ContactCipher } from '../../src/tickets/contact.ts';
import { openAssistant, tempDir } from '../helpers/assistant.ts';
import { Chat } from '../helpers/chat.ts';

let store: SqliteStore;
let engine: ConversationEngine;

beforeAll(async () => {
  store = await SqliteStore.open({ dataDir: tempDir() });
  engine = new ConversationEngine({
    assistant: await openAssistant(),
    store,
    cipher: new ContactCipher(randomBytes(32)),
    logger: pino({ level: 'silent' }),
    transcriptRetentionDays: 30,
    maxOpenTicketsPerRequester: 2,
    clock: () => new Date('2026-11-22T02:00:00Z'),
  });
});
afterAll(() => store.close());

async function fileDeletion(chat: Chat): Promise<string> {
  await chat.send('帮我删除我的个人信息');
  await chat.send('全部个人信息');
  await chat.send('13812345678');
  const done = await chat.send('确认');
  expect(done.ticketId).toBeDefined();
  return done.ticketId!;
}

describe('open tickets per requester', () => {
  it('refuses a third open request, offers the status, and lets one in again once a request is withdrawn', async () => {
    const chat = new Chat(engine, 'giantkone', 'busy-user');
    const first = await fileDeletion(chat);
    await fileDeletion(chat);
    const refused = await chat.send('我要查阅我的个人信息');
    expect(refused.replies.map((r) => r.kind)).toEqual(['info']);
    expect(refused.replies[0]!.text).toMatch(/已有 2 个申请正在处理中/);
    expect(refused.replies[0]!.quickReplies.map((q) => q.value)).toContain('我的申请进度');
    expect(await store.loadConversation('giantkone', 'test', 'test:giantkone:busy-user')).toMatchObject({ state: { form: null } });

    await chat.send(`撤回申请 ${first}`);
    await chat.send(`确认撤回 ${first}`);
    expect(chat.text).toContain(first);
    const again = await chat.send('我要查阅我的个人信息');
    expect(again.replies.at(-1)!.kind).toBe('form');
    // Someone else is not affected by this person's requests.
    const other = await new Chat(engine, 'giantkone', 'other-user').send('我要查阅我的个人信息');
    expect(other.replies.at(-1)!.kind).toBe('form');
  });
});
