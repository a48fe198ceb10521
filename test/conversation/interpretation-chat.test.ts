// What the interpretation changes in a conversation: thanks and goodbyes get their own reply,
// customer-service questions are pointed elsewhere, a ticket id is answered with that ticket,
// a bare topic is clarified before anything starts, pinyin gets Chinese. Real SQLite store,
// real knowledge index; only the clock is the test's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret } from '../../src/conversation/interpret/index.ts';
import { say } from '../../src/conversation/templates.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { Chat, openEngine, type EngineFixture } from '../helpers/chat.ts';

let assistant: PolicyAssistant;
let fx: EngineFixture;

beforeAll(async () => {
  assistant = await openAssistant();
  fx = await openEngine(assistant);
});
afterAll(async () => {
  await fx.store.close();
});

/** Files a deletion request for this person and returns the ticket id. */
async function fileDeletion(chat: Chat): Promise<string> {
  await chat.send('帮我删除我的个人信息');
  await chat.send('全部个人信息');
  await chat.send('13812345678');
  const done = await chat.send('确认');
  expect(done.ticketId).toMatch(/^DEL-/);
  return done.ticketId!;
}

describe('thanks and goodbyes', () => {
  it('answers 谢谢 with you’re welcome, not the greeting menu', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'thanker');
    const turn = await chat.send('谢谢');
    expect(turn.intent).toBe('greeting');
    expect(turn.replies).toHaveLength(1);
    expect(turn.replies[0]!.text).toBe(say('zh', 'thanks'));
    expect(turn.replies[0]!.quickReplies).toEqual([]);
    expect((await chat.send('你好')).replies[0]!.text).toBe(say('zh', 'greeting', { tenant: '巨人通力' }));
  });

  it('says goodbye in English', async () => {
    const chat = new Chat(fx.engine, 'smarthw', 'leaver');
    const turn = await chat.send('ok bye');
    expect(turn.replies[0]!.text).toBe(say('en', 'bye'));
  });
});

describe('customer-service questions', () => {
  it('points a delivery question to customer service instead of quoting the policy', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'parcel');
    const turn = await chat.send('我的快递到哪了');
    expect(turn.intent).toBe('other');
    expect(turn.replies).toHaveLength(1);
    expect(turn.replies[0]!.kind).toBe('info');
    expect(turn.replies[0]!.text).toContain('快递和物流');
    expect(turn.replies[0]!.text).toContain('客服');
    expect(turn.replies[0]!.citations).toEqual([]);
  });

  it('does the same in English for a password', async () => {
    const chat = new Chat(fx.engine, 'smarthw', 'password');
    const turn = await chat.send('I forgot my password, how do I reset it?');
    expect(turn.replies[0]!.text).toContain('passwords and logging in');
  });
});

describe('ticket ids in any phrasing', () => {
  it('shows the named ticket to its requester and nothing of it to anyone else', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'ticket-owner');
    const first = await fileDeletion(chat);
    const second = await fileDeletion(chat);
    const turn = await chat.send(`${first} 进度怎么样了？`);
    expect(turn.intent).toBe('request_status');
    expect(turn.replies[0]!.kind).toBe('status');
    expect(turn.replies[0]!.text).toContain(first);
    expect(turn.replies[0]!.text).not.toContain(second);
    expect(turn.replies[0]!.text).toContain('核验身份中');

    const stranger = new Chat(fx.engine, 'giantkone', 'ticket-stranger');
    const denied = await stranger.send(`what's happening with ${first.toLowerCase()}?`);
    expect(denied.intent).toBe('request_status');
    expect(denied.replies.map((r) => r.text).join('\n')).not.toMatch(/verifying identity|核验身份中|deletion of your personal data/);
  });

  it('withdraws a ticket named with a withdrawal word in any order, after confirming', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'ticket-canceller');
    const id = await fileDeletion(chat);
    const ask = await chat.send(`${id} 这个申请不要了，撤回吧`);
    expect(ask.intent).toBe('request_status');
    expect(ask.replies[0]!.text).toContain(id);
    expect((await fx.engine.tickets.get(id))!.status).not.toBe('cancelled');
    await chat.send(ask.replies[0]!.quickReplies[0]!.value);
    expect((await fx.engine.tickets.get(id))!.status).toBe('cancelled');
  });
});

describe('clarifying a bare topic', () => {
  it('asks whether the person wants the rules or the request, and starts nothing', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'unsure');
    const turn = await chat.send('删除个人信息');
    expect(turn.replies).toHaveLength(1);
    const ask = turn.replies[0]!;
    expect(ask.text).toBe('您是想了解删除的规定，还是现在就提交删除申请？');
    expect(ask.citations).toEqual([]);
    expect(ask.quickReplies).toHaveLength(2);
    // No form was started: an answer-like message is not taken as the form's scope.
    const next = await chat.send('全部个人信息');
    expect(next.replies.some((r) => r.kind === 'form')).toBe(false);

    // Each button does what it says.
    const rules = ask.quickReplies[0]!;
    const file = ask.quickReplies[1]!;
    expect(interpret(file.value)).toMatchObject({ intent: 'delete_data', clarify: null });
    expect(interpret(rules.value)).toMatchObject({ intent: 'question', clarify: null });
    const answered = await chat.send(rules.value);
    expect(answered.replies[0]!.kind).toBe('answer');
    const started = await chat.send(file.value);
    expect(started.intent).toBe('delete_data');
    expect(started.replies.at(-1)!.kind).toBe('form');
  });

  it('acts at once on a clear request', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'decided');
    const turn = await chat.send('帮我删除我的个人信息');
    expect(turn.replies.at(-1)!.kind).toBe('form');
  });
});

describe('hard phrasings end to end', () => {
  it('runs a form in Chinese for a pinyin request', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'pinyin');
    const turn = await chat.send('wo yao zhuxiao zhanghao');
    expect(turn.intent).toBe('cancel_account');
    expect(turn.language).toBe('zh');
    expect(turn.replies.at(-1)!.text).toBe(say('zh', 'ask.scope.cancel_account'));
  });

  it('starts no form for someone who moved to a new city', async () => {
    const chat = new Chat(fx.engine, 'smarthw', 'mover');
    const turn = await chat.send('I moved to a new city');
    expect(turn.replies.some((r) => r.kind === 'form')).toBe(false);
  });

  it('answers "Do you share my data with your agents?" from the policy instead of handing off', async () => {
    const chat = new Chat(fx.engine, 'smarthw', 'agents');
    const turn = await chat.send('Do you share my data with your agents?');
    expect(turn.intent).toBe('question');
    expect(turn.replies.some((r) => r.kind === 'handoff')).toBe(false);
  });
});
