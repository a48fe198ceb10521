// Handoff to a person, driven through the conversation engine like a chat: escalation,
// take-over, relays both ways with the bot silent, hand-back, timeouts, business hours,
// undeliverable messages and a restart. Real SQLite store, real outbox worker; the desk and
// the user's channel record what reached them. Only the clock is the test's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { BotError } from '../../src/errors.ts';
import type { Agent } from '../../src/handoff/types.ts';
import { Chat } from '../helpers/chat.ts';
import { openHandoffAssistant, openHandoffWorld, type HandoffWorld } from './fixtures.ts';

const alice: Agent = { id: 'slack:UALICE', name: 'Alice' };
const bob: Agent = { id: 'console:bob', name: 'Bob' };
const MINUTE = 60_000;

let assistant: PolicyAssistant;
let w: HandoffWorld;

beforeAll(async () => {
  assistant = await openHandoffAssistant();
  w = await openHandoffWorld(assistant);
});
afterAll(async () => {
  await w.store.close();
});

function ref(chat: Chat): string {
  return `test:${chat.tenant}:${chat.user}`;
}

async function openHandoffOf(chat: Chat) {
  const handoff = await w.engine.handoffs.openFor(chat.tenant, 'test', ref(chat));
  expect(handoff).not.toBeNull();
  return handoff!;
}

function advance(ms: number): void {
  w.clock.now = new Date(w.clock.now.getTime() + ms);
}

describe('a chat handed to a person and back', () => {
  it('escalates, keeps the bot silent, relays both ways once, hands back and the bot answers again', async () => {
    const chat = new Chat(w.engine, 'giantkone', 'full-user');
    await chat.send('你们收集哪些个人信息？');
    const asked = await chat.send('转人工');
    expect(asked.intent).toBe('human_agent');
    expect(asked.replies).toHaveLength(1);
    expect(asked.replies[0]!.kind).toBe('handoff');
    expect(asked.replies[0]!.text).toContain('10 分钟');
    const handoff = await openHandoffOf(chat);
    expect(handoff).toMatchObject({ state: 'waiting_agent', reason: 'human_agent', channel: 'test', userRef: 'full-user', language: 'zh' });

    await w.outbox.runOnce();
    const escalation = w.desk.escalations.find((e) => e.handoff.id === handoff.id)!;
    expect(escalation.lastMessages.map((l) => [l.direction, l.text]).at(-1)).toEqual(['in', '转人工']);
    expect(escalation.lastMessages[0]).toMatchObject({ direction: 'in', text: '你们收集哪些个人信息？' });

    // The bot does not answer while waiting: the message goes to the desk (contacts masked).
    const waiting = await chat.send('你好，有人吗？我的电话是13812345678');
    expect(waiting.replies).toEqual([]);
    await w.outbox.runOnce();
    expect(w.desk.userMessages.filter((m) => m.handoffId === handoff.id).map((m) => m.text)).toEqual(['你好，有人吗？我的电话是138****5678']);

    advance(2 * MINUTE);
    const taken = await w.engine.handoffs.take(handoff.id, alice);
    expect(taken).toMatchObject({ ok: true, handoff: { state: 'agent', ownerId: alice.id, ownerName: 'Alice' } });
    // A second agent is refused with the owner's name; the owner clicking again is harmless.
    expect(await w.engine.handoffs.take(handoff.id, bob)).toEqual({ ok: false, reason: 'taken', state: 'agent', ownerName: 'Alice' });
    expect(await w.engine.handoffs.take(handoff.id, alice)).toMatchObject({ ok: true, duplicate: true });
    expect(w.observed.taken).toContain(120);

    advance(MINUTE);
    expect((await w.engine.handoffs.relayFromAgent(handoff.id, bob, { messageId: 'B1', text: '我来' })).ok).toBe(false);
    expect(await w.engine.handoffs.relayFromAgent(handoff.id, alice, { messageId: 'A1', text: '您好，我是客服 Alice。' })).toMatchObject({ ok: true });
    // The same agent message delivered twice (a redelivered event, a double click) is relayed once.
    expect(await w.engine.handoffs.relayFromAgent(handoff.id, alice, { messageId: 'A1', text: '您好，我是客服 Alice。' })).toMatchObject({ ok: true, duplicate: true });
    await w.outbox.runOnce();
    expect(w.channel.textsFor(ref(chat))).toEqual(['人工客服 Alice 已加入对话，请直接描述您的问题。', '【人工客服 Alice】您好，我是客服 Alice。']);
    expect(w.observed.firstReply).toContain(180);

    const owned = await chat.send('我想删除我的账号数据');
    expect(owned.replies).toEqual([]);
    expect(owned.ticketId).toBeUndefined();

    advance(MINUTE);
    expect((await w.engine.handoffs.handBack(handoff.id, bob)).ok).toBe(false);
    expect(await w.engine.handoffs.handBack(handoff.id, alice, { note: '已为您说明删除流程' })).toMatchObject({ ok: true, handoff: { state: 'bot' } });
    await w.outbox.runOnce();
    expect(w.channel.textsFor(ref(chat)).slice(2)).toEqual(['人工客服已结束服务，接下来由智能助手继续为您服务。', '工作人员留言：已为您说明删除流程']);

    const back = await chat.send('你们收集哪些个人信息？');
    expect(back.replies[0]!.kind).toBe('answer');
    expect(back.replies[0]!.citations.length).toBeGreaterThan(0);

    const events = await w.engine.handoffs.events(handoff.id);
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['escalated', 'user:full-user'],
      ['relayed_to_agent', 'user:full-user'],
      ['taken', `agent:${alice.id}`],
      ['relayed_to_user', `agent:${alice.id}`],
      ['relayed_to_agent', 'user:full-user'],
      ['handed_back', `agent:${alice.id}`],
    ]);
    expect(w.desk.changes.filter((c) => c.handoff.id === handoff.id).map((c) => c.event.type)).toEqual(['taken', 'handed_back']);
    // The transcript keeps both sides, masked, including the agent's message.
    const transcript = await w.store.transcript('giantkone', 'test', ref(chat));
    expect(transcript.map((t) => t.text)).toContain('【人工客服 Alice】您好，我是客服 Alice。');
    expect(transcript.some((t) => t.text.includes('13812345678'))).toBe(false);
  });

  it('returns to the bot on 取消 while waiting, and the desks are told', async () => {
    const chat = new Chat(w.engine, 'giantkone', 'canceller');
    await chat.send('转人工');
    const handoff = await openHandoffOf(chat);
    const cancelled = await chat.send('取消');
    expect(cancelled.replies[0]!.text).toContain('已取消转人工');
    expect(await w.engine.handoffs.get(handoff.id)).toMatchObject({ state: 'bot' });
    expect((await chat.send('你们收集哪些个人信息？')).replies[0]!.kind).toBe('answer');
    await w.outbox.runOnce();
    expect(w.desk.changes.find((c) => c.handoff.id === handoff.id)?.event).toMatchObject({ type: 'closed', note: 'cancelled_by_user' });
    expect((await w.engine.handoffs.take(handoff.id, alice)).ok).toBe(false);
  });

  it('pauses a form for the person and resumes it on hand-back', async () => {
    const chat = new Chat(w.engine, 'giantkone', 'form-user');
    await chat.send('我要删除我的个人信息');
    const paused = await chat.send('转人工');
    expect(paused.replies.map((r) => r.text).join('\n')).toContain('还没有提交');
    const handoff = await openHandoffOf(chat);
    await w.engine.handoffs.take(handoff.id, alice);
    await w.engine.handoffs.handBack(handoff.id, alice);
    await w.outbox.runOnce();
    expect(w.channel.textsFor(ref(chat)).at(-1)).toMatch(/继续刚才的/);
    // The form goes on where it stopped: the scope, then the contact.
    const next = await chat.send('全部个人信息');
    expect(next.replies.at(-1)!.text).toMatch(/手机号或邮箱/);
  });

  it('cancels a paused form when the agent closes the chat', async () => {
    const chat = new Chat(w.engine, 'giantkone', 'closed-user');
    await chat.send('我要删除我的个人信息');
    await chat.send('转人工');
    const handoff = await openHandoffOf(chat);
    await w.engine.handoffs.take(handoff.id, alice);
    expect((await w.engine.handoffs.close(handoff.id, bob)).ok).toBe(false);
    expect(await w.engine.handoffs.close(handoff.id, alice)).toMatchObject({ ok: true, handoff: { state: 'closed' } });
    await w.outbox.runOnce();
    expect(w.channel.textsFor(ref(chat)).slice(-2)).toEqual(['本次人工服务已结束，感谢您的耐心。如果还有问题，随时可以问我。', '刚才未提交的“删除个人信息”申请已取消。']);
    expect((await chat.send('全部个人信息')).replies.at(-1)!.text).not.toMatch(/手机号或邮箱/);
  });
});

describe('escalation triggers', () => {
  it('escalates a tenant topic at once, and a form whose contact failed twice as identity_failed', async () => {
    const topic = new Chat(w.engine, 'giantkone', 'topic-user');
    await topic.send('我要请律师告你们');
    expect((await openHandoffOf(topic)).reason).toBe('topic');

    const identity = new Chat(w.engine, 'giantkone', 'identity-user');
    await identity.send('我要删除我的个人信息');
    await identity.send('全部');
    await identity.send('12345');
    await identity.send('abc@');
    await identity.send('转人工');
    expect((await openHandoffOf(identity)).reason).toBe('identity_failed');
  });

  it('offers a person after two refused questions in a row, and escalates as refusals', async () => {
    const chat = new Chat(w.engine, 'qiancheng', 'refused-user');
    w.clock.now = new Date('2026-12-01T03:00:00Z'); // a Tuesday, 11:00 in Beijing
    const first = await chat.send('你们的股票代码是多少？');
    expect(first.replies.map((r) => r.kind)).toEqual(['refusal']);
    const second = await chat.send('你们食堂的菜单是什么？');
    expect(second.replies.map((r) => r.kind)).toEqual(['refusal', 'handoff']);
    expect(second.replies[1]!.quickReplies.map((q) => q.value)).toEqual(['转人工']);
    await chat.send('转人工');
    expect((await openHandoffOf(chat)).reason).toBe('refusals');
  });

  it('files a complaint as a form and offers a person beside it; escalating from it is a complaint', async () => {
    const chat = new Chat(w.engine, 'giantkone', 'complainer');
    const started = await chat.send('我要投诉你们泄露了我的信息');
    expect(started.replies.at(-1)!.kind).toBe('form');
    expect(started.replies.at(-1)!.quickReplies.map((q) => q.value)).toContain('转人工');
    await chat.send('转人工');
    expect((await openHandoffOf(chat)).reason).toBe('complaint');
  });
});

describe('when no person can come', () => {
  it('outside business hours (a public holiday) says so, records it closed and offers a ticket', async () => {
    w.clock.now = new Date('2026-10-01T02:00:00Z'); // 国庆, 10:00 in Beijing, a Thursday
    const chat = new Chat(w.engine, 'qiancheng', 'holiday-user');
    const turn = await chat.send('转人工');
    expect(turn.replies[0]!.text).toContain('周一至周五 09:00–18:00');
    expect(turn.replies[0]!.quickReplies.map((q) => q.value)).toEqual(['登记工单']);
    expect(await w.engine.handoffs.openFor('qiancheng', 'test', ref(chat))).toBeNull();
    const latest = await w.store.latestHandoff('qiancheng', 'test', ref(chat));
    expect(latest).toMatchObject({ state: 'closed', reason: 'human_agent' });
    expect((await w.engine.handoffs.events(latest!.id)).map((e) => [e.type, e.note])).toEqual([
      ['escalated', 'human_agent'],
      ['closed', 'outside_business_hours'],
    ]);
    expect(w.observed.escalated).toContain('qiancheng:human_agent:outside_hours');
  });

  it('takes chats on a 调休 make-up Sunday', async () => {
    w.clock.now = new Date('2026-09-20T02:00:00Z'); // Sunday, a working day before 国庆
    const chat = new Chat(w.engine, 'qiancheng', 'makeup-user');
    await chat.send('转人工');
    expect((await openHandoffOf(chat)).state).toBe('waiting_agent');
  });

  it('times out when nobody takes the chat, then files a follow-up ticket carrying the masked transcript', async () => {
    w.clock.now = new Date('2026-12-01T03:00:00Z');
    const chat = new Chat(w.engine, 'qiancheng', 'timeout-user');
    await chat.send('我的邮箱是 zhang.san@example.com，想问问数据的事');
    await chat.send('转人工');
    const handoff = await openHandoffOf(chat);
    advance(9 * MINUTE);
    await w.engine.handoffs.sweepTimeouts();
    expect(await w.engine.handoffs.get(handoff.id)).toMatchObject({ state: 'waiting_agent' });
    advance(MINUTE);
    expect(await w.engine.handoffs.sweepTimeouts()).toBeGreaterThanOrEqual(1);
    expect(await w.engine.handoffs.get(handoff.id)).toMatchObject({ state: 'closed' });
    expect((await w.engine.handoffs.take(handoff.id, alice)).ok).toBe(false);
    await w.outbox.runOnce();
    expect(w.channel.textsFor(ref(chat)).at(-1)).toContain('暂时没有工作人员接入');
    expect(w.desk.changes.find((c) => c.handoff.id === handoff.id)?.event.type).toBe('timed_out');

    const offer = await chat.send('登记工单');
    expect(offer.replies.map((r) => r.text).join('\n')).toContain('为您登记工单');
    await chat.send('同上');
    expect((await chat.send('13912345678')).replies.at(-1)!.text).toContain('需要协助的事项：同上');
    const filed = await chat.send('确认');
    expect(filed.ticketId).toMatch(/^HUM-\d{8}-\d{4}$/);
    const ticket = (await w.engine.tickets.get(filed.ticketId!))!;
    expect(ticket.type).toBe('human_agent');
    expect(ticket.contactMasked).toBe('139****5678');
    expect(ticket.details.handoff).toBe(handoff.id);
    expect(ticket.details.transcript).toContain('z***@example.com');
    expect(ticket.details.transcript).not.toContain('zhang.san');
  });

  it('marks an undeliverable agent message failed, tells the agent, and offers the user a ticket next time', async () => {
    w.clock.now = new Date('2026-12-01T03:00:00Z');
    const chat = new Chat(w.engine, 'giantkone', 'unreachable-user');
    await chat.send('转人工');
    const handoff = await openHandoffOf(chat);
    await w.engine.handoffs.take(handoff.id, alice);
    await w.outbox.runOnce();
    w.channel.failWith = new BotError('recipient_unreachable', 'WeChat errcode 45015');
    await w.engine.handoffs.relayFromAgent(handoff.id, alice, { messageId: 'late', text: '还在吗？' });
    expect(await w.outbox.runOnce()).toMatchObject({ failed: 1 });
    w.channel.failWith = null;
    expect((await w.store.listOutbox({ handoffId: handoff.id, state: 'failed' })).map((o) => o.lastError)).toEqual(['recipient_unreachable']);
    expect(await w.engine.handoffs.get(handoff.id)).toMatchObject({ userUnreachable: true });
    await w.outbox.runOnce();
    expect(w.desk.changes.filter((c) => c.handoff.id === handoff.id).map((c) => c.event.type)).toContain('delivery_failed');
    expect(w.channel.textsFor(ref(chat))).not.toContain('【人工客服 Alice】还在吗？');

    const next = await chat.send('我回来了');
    expect(next.replies.map((r) => r.text)).toEqual(['抱歉，工作人员刚才给您的回复没能送达。您可以继续在这里留言，或登记工单，由工作人员稍后联系您。']);
    const followUp = await chat.send('登记工单');
    expect(followUp.replies.at(-1)!.kind).toBe('form');
    expect(await w.engine.handoffs.get(handoff.id)).toMatchObject({ state: 'bot', userUnreachable: false });
    expect((await w.engine.handoffs.events(handoff.id)).at(-1)).toMatchObject({ type: 'closed', actor: 'user:unreachable-user', note: 'follow_up_ticket' });
  });
});

describe('durability', () => {
  it('keeps an owned chat owned across a restart: the bot stays silent and the agent still relays', async () => {
    const first = await openHandoffWorld(assistant, { now: new Date('2026-12-01T03:00:00Z') });
    const chat = new Chat(first.engine, 'giantkone', 'restart-user');
    await chat.send('转人工');
    const handoff = (await first.engine.handoffs.openFor('giantkone', 'test', ref(chat)))!;
    await first.engine.handoffs.take(handoff.id, alice);
    await first.store.close();

    const second = await openHandoffWorld(assistant, { dataDir: first.dataDir, key: first.key, now: new Date('2026-12-01T03:05:00Z') });
    try {
      const again = new Chat(second.engine, 'giantkone', 'restart-user');
      expect((await again.send('你们收集哪些个人信息？')).replies).toEqual([]);
      expect((await second.engine.handoffs.relayFromAgent(handoff.id, alice, { messageId: 'after-restart', text: '我还在' })).ok).toBe(true);
      // The take-over notice queued before the restart is delivered by the new worker, in order.
      await second.outbox.runOnce();
      expect(second.channel.textsFor(ref(chat))).toEqual(['人工客服 Alice 已加入对话，请直接描述您的问题。', '【人工客服 Alice】我还在']);
      await second.outbox.runOnce();
      expect(second.desk.userMessages.map((m) => m.text)).toEqual(['你们收集哪些个人信息？']);
    } finally {
      await second.store.close();
    }
  });
});
