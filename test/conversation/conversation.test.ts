// Conversations read like a chat: a person sends text, the bot replies with citations, forms
// and tickets. Real SQLite store, real knowledge index; only the clock is the test's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURGE_BATCH_ROWS } from '../../src/conversation/engine.ts';
import { classifyIntent } from '../../src/conversation/interpret/index.ts';
import { say } from '../../src/conversation/templates.ts';
import { REQUEST_INTENTS, type RequestType } from '../../src/conversation/types.ts';
import { isBotError } from '../../src/errors.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
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

/** Answers every step of a form until it asks for confirmation. */
async function fillForm(chat: Chat, contact = '13812345678'): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const prompt = chat.last!.replies.at(-1)!;
    expect(prompt.kind).toBe('form');
    if (/确认提交吗|Shall I file it/.test(prompt.text)) return;
    if (/手机号或邮箱|mobile number or an email/.test(prompt.text)) await chat.send(contact);
    else await chat.send(/正确的内容|should it say/.test(prompt.text) ? '13900001111' : /接收方|receive/.test(prompt.text) ? '某某云平台' : '全部个人信息');
  }
  expect(chat.last!.replies.at(-1)!.text).toMatch(/确认提交吗|Shall I file it/);
}

describe('questions', () => {
  it('answers a question about a right with citations, then offers to file the request', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'q-user');
    const turn = await chat.send('怎么删除个人信息？');
    expect(turn.intent).toBe('question');
    expect(turn.replies[0]!.kind).toBe('answer');
    expect(turn.replies[0]!.citations.length).toBeGreaterThan(0);
    expect(turn.replies[0]!.text).toMatch(/\[1\]/);
    const offer = turn.replies[1]!;
    expect(offer.quickReplies).toHaveLength(1);
    // The offered button starts the deletion request when pressed.
    expect(classifyIntent(offer.quickReplies[0]!.value).intent).toBe('delete_data');
    expect(turn.ticketId).toBeUndefined();
  });

  it('refuses what the policy does not cover and cites nothing', async () => {
    const chat = new Chat(fx.engine, 'qiancheng', 'q-user2');
    const turn = await chat.send('你们的股票代码是多少？');
    expect(turn.replies[0]!.kind).toBe('refusal');
    expect(turn.replies[0]!.citations).toEqual([]);
  });

  it('keeps a channel-made greeting (a follow event) out of the transcript', async () => {
    const turn = await fx.engine.handle({ channel: 'test', tenant: 'giantkone', userRef: 'follower', conversationRef: 'test:follower', messageId: 'follow-1', text: '你好', time: fx.clock.now, synthetic: true });
    expect(turn.intent).toBe('greeting');
    expect((await fx.store.transcript('giantkone', 'test', 'test:follower')).map((e) => e.direction)).toEqual(['out']);
  });

  it('greets with what the bot can do and quick replies', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'greeter');
    const turn = await chat.send('你好');
    expect(turn.intent).toBe('greeting');
    expect(turn.replies[0]!.text).toContain('巨人通力');
    expect(turn.replies[0]!.quickReplies.length).toBeGreaterThan(1);
  });

  it('turns unusable input into a clear reply, and rejects malformed messages and unknown tenants', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'bad-input');
    expect((await chat.send('   ')).replies[0]!.kind).toBe('error');
    expect((await chat.send('删除\u0007我的信息')).replies[0]!.kind).toBe('error');
    expect((await chat.send('x'.repeat(2001))).replies[0]!.text).toMatch(/2000/);
    await expect(new Chat(fx.engine, 'nobody', 'u').send('你好')).rejects.toSatisfy((e) => isBotError(e, 'unknown_tenant'));
    await expect(fx.engine.handle({ channel: '', tenant: 'giantkone', userRef: 'u', conversationRef: 'c', messageId: 'm', text: 'hi', time: fx.clock.now })).rejects.toSatisfy((e) =>
      isBotError(e, 'invalid_input'),
    );
  });
});

describe('rights requests', () => {
  const prefixes: Record<RequestType, string> = {
    delete_data: 'DEL',
    access_data: 'ACC',
    correct_data: 'COR',
    cancel_account: 'CAN',
    withdraw_consent: 'WDR',
    port_data: 'POR',
    complaint: 'CMP',
  };

  it.each(REQUEST_INTENTS.map((t) => [t]))('%s goes from the first message to a ticket with the policy deadline', async (type) => {
    const chat = new Chat(fx.engine, 'giantkone', `requester-${type}`);
    const start = await chat.send(say('zh', `option.start.${type}`));
    expect(start.intent).toBe(type);
    // What the policy says, with citations, and the response time read from the policy.
    const intro = start.replies[0]!;
    expect(intro.kind).toBe('answer');
    expect(intro.citations.length).toBeGreaterThan(0);
    expect(intro.text).toContain('30天内答复');
    expect(intro.citations.some((c) => c.text.includes('三十天内做出答复'))).toBe(true);
    await fillForm(chat);
    const summary = chat.last!.replies.at(-1)!.text;
    expect(summary).toContain('138****5678');
    expect(summary).not.toContain('13812345678');
    const done = await chat.send('确认');
    expect(done.ticketId).toMatch(new RegExp(`^${prefixes[type]}-20261122-\\d{4}$`));
    expect(done.replies[0]!.kind).toBe('ticket');
    expect(done.replies[0]!.text).toContain(done.ticketId);
    expect(done.replies[0]!.text).toContain('2026-12-22');

    const ticket = (await fx.engine.tickets.get(done.ticketId!))!;
    // No SMS gateway configured: the ticket waits for an agent to verify the requester, who is told so.
    expect(ticket).toMatchObject({ type, tenant: 'giantkone', status: 'verifying_identity', identityVerified: false, dueDate: '2026-12-22', deadlineSource: 'policy', contactMasked: '138****5678' });
    expect(done.replies[1]!.text).toContain('等待工作人员');
    expect(ticket.requester).toBe(`requester-${type}`);
    expect(ticket.contactEncrypted).not.toContain('13812345678');
    expect(fx.engine.tickets.revealContact(ticket)).toEqual({ kind: 'mobile', value: '13812345678' });
    expect(ticket.clauses.length).toBeGreaterThan(0);
    const events = await fx.engine.tickets.events(ticket.id);
    expect(events).toMatchObject([
      { from: null, to: 'submitted', actor: `user:requester-${type}` },
      { from: 'submitted', to: 'verifying_identity', actor: 'system' },
    ]);
  });

  it('records what a correction needs: the wrong value and the right one', async () => {
    const chat = new Chat(fx.engine, 'changlian', 'corrector');
    await chat.send('我的手机号登记错了，帮我改一下');
    expect(chat.last!.intent).toBe('correct_data');
    await chat.send('登记的手机号是13800000000');
    expect(chat.text).toMatch(/正确的内容/);
    await chat.send('应该是13911112222');
    await chat.send('name@example.com');
    const done = await chat.send('确认');
    const ticket = (await fx.engine.tickets.get(done.ticketId!))!;
    // Shown masked; the originals are sealed for the agent who makes the correction.
    expect(ticket.details.scope).toContain('138****0000');
    expect(ticket.details.details).toContain('139****2222');
    expect(JSON.stringify(ticket.details)).not.toMatch(/13800000000|13911112222/);
    expect(fx.engine.tickets.revealDetails(ticket)).toEqual({ scope: '登记的手机号是13800000000', details: '应该是13911112222' });
    expect(ticket.contactMasked).toBe('n***@example.com');
  });

  it('takes the deadline from each tenant’s policy, in calendar or working days', async () => {
    const changlian = new Chat(fx.engine, 'changlian', 'deadline-1');
    await changlian.send('帮我删除我的个人信息');
    expect(changlian.text).toContain('15天内答复');
    await fillForm(changlian);
    expect((await fx.engine.tickets.get((await changlian.send('确认')).ticketId!))!.dueDate).toBe('2026-12-07');

    // 2026-11-22 is a Sunday: fifteen working days end on Friday 2026-12-11.
    const qiancheng = new Chat(fx.engine, 'qiancheng', 'deadline-2');
    await qiancheng.send('帮我删除我的个人信息');
    expect(qiancheng.text).toContain('15个工作日内答复');
    await fillForm(qiancheng);
    expect((await fx.engine.tickets.get((await qiancheng.send('确认')).ticketId!))!.dueDate).toBe('2026-12-11');
  });

  it('uses the tenant default when the policy states no deadline, and says so', async () => {
    const chat = new Chat(fx.engine, 'smarthw', 'deadline-3');
    await chat.send('帮我删除我的个人信息');
    expect(chat.text).toContain('没有规定答复期限');
    await fillForm(chat);
    const done = await chat.send('确认');
    expect(done.replies[0]!.text).toContain('没有规定答复期限');
    const ticket = (await fx.engine.tickets.get(done.ticketId!))!;
    expect(ticket.deadlineSource).toBe('tenant_default');
    expect(ticket.dueDate).toBe('2026-12-07');
  });

  it('runs in English for an English speaker', async () => {
    const chat = new Chat(fx.engine, 'smarthw', 'english-speaker');
    const start = await chat.send('Please delete all my data');
    expect(start.intent).toBe('delete_data');
    expect(chat.text).toMatch(/deletion of your personal data/);
    await chat.send('everything');
    await chat.send('someone@example.org');
    expect(chat.text).toMatch(/Shall I file it/);
    const done = await chat.send('yes');
    expect(done.replies[0]!.text).toMatch(/^Filed\. Your request number is DEL-/);
    expect((await fx.engine.tickets.get(done.ticketId!))!.language).toBe('en');
  });

  it('abandons the form on 取消 at any step and files nothing', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'canceller');
    await chat.send('我要注销账号');
    await chat.send('手机号注册的那个账号');
    const cancelled = await chat.send('取消');
    expect(cancelled.replies[0]!.text).toContain('已取消');
    expect(cancelled.ticketId).toBeUndefined();
    expect(await fx.engine.tickets.list({ requester: { channel: 'test', userRef: 'canceller' } })).toEqual([]);
    // The next message is a fresh start, not a form answer.
    expect((await chat.send('你们收集哪些个人信息？')).replies[0]!.kind).toBe('answer');
  });

  it('re-asks an invalid contact twice, then offers a person', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'bad-contact');
    await chat.send('我要删除我的个人信息');
    await chat.send('全部');
    const first = await chat.send('12345');
    expect(first.replies[0]!.text).toMatch(/不是有效/);
    const second = await chat.send('abc@');
    expect(second.replies[0]!.text).toMatch(/最后再输入一次/);
    const third = await chat.send('不想给');
    expect(third.replies[0]!.text).toMatch(/人工/);
    expect(third.replies[0]!.quickReplies.map((q) => q.value)).toContain('转人工');
    expect(third.ticketId).toBeUndefined();
    // The form is over: a contact now is not taken as part of a request.
    expect((await chat.send('13812345678')).ticketId).toBeUndefined();
  });

  it('answers a question asked in the middle of a form, then resumes it', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'curious');
    await chat.send('我要删除我的个人信息');
    const aside = await chat.send('你们会把我的信息提供给第三方吗？');
    expect(aside.intent).toBe('question');
    expect(aside.replies[0]!.kind).toBe('answer');
    expect(aside.replies[0]!.citations.length).toBeGreaterThan(0);
    const resumed = aside.replies.at(-1)!;
    expect(resumed.kind).toBe('form');
    expect(resumed.text).toContain('继续');
    expect(resumed.text).toContain('删除哪些个人信息');
    await chat.send('全部个人信息');
    await chat.send('13812345678');
    expect((await chat.send('确认')).ticketId).toMatch(/^DEL-/);
  });

  it('asks again when the confirmation is unclear, without losing the form', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'unclear');
    await chat.send('我要删除我的个人信息');
    await chat.send('全部');
    await chat.send('13812345678');
    const unclear = await chat.send('嗯……让我想想');
    expect(unclear.replies[0]!.text).toMatch(/请回复“确认”/);
    expect((await chat.send('确认')).ticketId).toMatch(/^DEL-/);
  });
});

describe('redelivery and restarts', () => {
  it('handles a redelivered message id once: no second reply, no second ticket', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'redelivered');
    const first = await chat.send('我要删除我的个人信息', 'dup-1');
    expect(first.replies.length).toBeGreaterThan(0);
    const again = await chat.send('我要删除我的个人信息', 'dup-1');
    expect(again).toMatchObject({ duplicate: true, replies: [] });
    await chat.send('全部', 'dup-2');
    await chat.send('13812345678', 'dup-3');
    const filed = await chat.send('确认', 'dup-4');
    const refiled = await Promise.all([chat.send('确认', 'dup-4'), chat.send('确认', 'dup-4')]);
    expect(refiled.every((r) => r.duplicate && r.replies.length === 0)).toBe(true);
    expect(refiled[0]!.ticketId).toBe(filed.ticketId);
    expect(await fx.engine.tickets.list({ requester: { channel: 'test', userRef: 'redelivered' } })).toHaveLength(1);
  });

  it('continues a form after a restart (new engine, same database)', async () => {
    const first = await openEngine(assistant);
    const before = new Chat(first.engine, 'giantkone', 'restarter');
    await before.send('我要获取我的个人信息副本');
    await before.send('全部个人信息');
    await first.store.close();

    const second = await openEngine(assistant, { dataDir: first.dataDir, key: first.key });
    const after = new Chat(second.engine, 'giantkone', 'restarter');
    const summary = await after.send('13812345678');
    expect(summary.replies.at(-1)!.text).toContain('确认提交吗');
    expect(summary.replies.at(-1)!.text).toContain('全部个人信息');
    const done = await after.send('确认');
    expect(done.ticketId).toMatch(/^ACC-/);
    await second.store.close();
  });
});

describe('the requester’s own tickets', () => {
  it('lists and withdraws only the user’s own tickets, after a confirmation worded apart from abandoning a form', async () => {
    const alice = new Chat(fx.engine, 'giantkone', 'alice');
    const bob = new Chat(fx.engine, 'giantkone', 'bob');
    await alice.send('帮我注销账号');
    await alice.send('alice的账号');
    await alice.send('13812345678');
    const { ticketId } = await alice.send('确认');

    const status = await alice.send('我的申请进度');
    expect(status.intent).toBe('request_status');
    expect(status.replies[0]!.text).toContain(ticketId);
    expect(status.replies[0]!.text).toContain('核验身份中');
    expect(status.replies[0]!.quickReplies).toContainEqual({ label: `撤回 ${ticketId}`, value: `撤回申请 ${ticketId}` });

    const bobStatus = await bob.send('我的申请进度');
    expect(bobStatus.replies[0]!.text).not.toContain(ticketId);
    const bobCancel = await bob.send(`取消申请 ${ticketId}`);
    expect(bobCancel.replies[0]!.text).toContain('没有找到');
    expect((await fx.engine.tickets.get(ticketId!))!.status).toBe('verifying_identity');

    // Same user reference on another channel is another person.
    const otherChannel = new Chat(fx.engine, 'giantkone', 'alice', 'other-channel');
    expect((await otherChannel.send('我的申请进度')).replies[0]!.text).not.toContain(ticketId);

    // Withdrawing asks first, in its own words; "不撤回" keeps the request.
    const ask = await alice.send(`撤回申请 ${ticketId}`);
    expect(ask.replies[0]!.text).toBe(`确定要撤回已提交的申请 ${ticketId}（注销账号）吗？撤回后工作人员将停止处理，如需办理要重新提交。`);
    expect(ask.replies[0]!.quickReplies.map((q) => q.label)).toEqual([`确认撤回 ${ticketId}`, '不撤回']);
    expect((await alice.send('不撤回')).replies[0]!.text).toContain('没有撤回');
    expect((await fx.engine.tickets.get(ticketId!))!.status).toBe('verifying_identity');
    await alice.send(`取消申请 ${ticketId}`);
    const cancelled = await alice.send(`确认撤回 ${ticketId}`);
    expect(cancelled.replies[0]!.text).toContain('已撤回申请');
    const events = await fx.engine.tickets.events(ticketId!);
    expect(events.map((e) => `${e.from}->${e.to}:${e.actor}`)).toEqual([
      'null->submitted:user:alice',
      'submitted->verifying_identity:system',
      'verifying_identity->cancelled:user:alice',
    ]);
    expect((await alice.send(`撤回申请 ${ticketId}`)).replies[0]!.text).toContain('无法撤回');
  });
});

describe('a filed request in the middle of a new form', () => {
  it('asks, withdraws and resumes the form, without taking the confirmation for a form answer', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'multi');
    await chat.send('我要删除我的个人信息');
    await chat.send('全部个人信息');
    await chat.send('13812345678');
    const { ticketId } = await chat.send('确认');
    await chat.send('我要获取我的个人信息副本');
    const ask = await chat.send(`撤回申请 ${ticketId}`);
    expect(ask.replies[0]!.text).toContain(`确定要撤回已提交的申请 ${ticketId}`);
    expect(ask.replies.at(-1)!.text).toContain('我们继续刚才的“查阅、复制个人信息”申请');
    const done = await chat.send(`确认撤回 ${ticketId}`);
    expect(done.replies[0]!.text).toContain(`已撤回申请 ${ticketId}`);
    expect(done.replies.at(-1)!.text).toContain('请说明您想查阅或获取副本的是哪些个人信息');
    expect((await fx.engine.tickets.get(ticketId!))!.status).toBe('cancelled');
    // The form still waits for its first answer.
    expect((await chat.send('全部个人信息')).replies.at(-1)!.text).toMatch(/手机号或邮箱/);
  });
});

describe('personal data in the bot’s own store', () => {
  it('keeps contacts out of transcripts and conversation state', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'private');
    await chat.send('我要删除我的个人信息');
    await chat.send('全部');
    await chat.send('我的手机是 138 1234 5678');
    const transcript = await fx.store.transcript('giantkone', 'test', 'test:giantkone:private');
    expect(transcript.map((e) => e.text).join('\n')).not.toMatch(/13812345678|138 1234 5678/);
    expect(transcript.some((e) => e.text.includes('138****5678'))).toBe(true);
    const state = JSON.stringify((await fx.store.loadConversation('giantkone', 'test', 'test:giantkone:private'))!.state);
    expect(state).not.toContain('13812345678');
    expect(state).toContain('138****5678');
  });

  it('erases the user’s chat history on request and keeps their tickets', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'eraser');
    const other = new Chat(fx.engine, 'giantkone', 'bystander');
    await other.send('你们收集哪些个人信息？');
    await chat.send('帮我删除我的个人信息');
    await chat.send('全部');
    await chat.send('13812345678');
    const { ticketId } = await chat.send('确认');
    await chat.send('你们会共享我的信息吗？');
    const ref = 'test:giantkone:eraser';
    expect((await fx.store.transcript('giantkone', 'test', ref)).length).toBeGreaterThan(5);

    const erased = await chat.send('删除我的聊天记录');
    expect(erased.replies[0]!.text).toMatch(/已删除您与本助手的聊天记录/);
    expect(erased.replies[0]!.text).toMatch(/申请不受影响/);
    expect(await fx.store.transcript('giantkone', 'test', ref)).toEqual([]);
    expect(await fx.store.loadConversation('giantkone', 'test', ref)).toBeNull();
    expect(await fx.engine.tickets.get(ticketId!)).not.toBeNull();
    expect((await fx.store.transcript('giantkone', 'test', 'test:giantkone:bystander')).length).toBeGreaterThan(0);

    const english = new Chat(fx.engine, 'smarthw', 'eraser-en');
    await english.send('hello');
    expect((await english.send('delete my conversation history')).replies[0]!.text).toMatch(/erased your conversation history/);
    expect(await fx.store.transcript('smarthw', 'test', 'test:smarthw:eraser-en')).toEqual([]);
  });

  it('purges transcripts older than the retention', async () => {
    const own = await openEngine(assistant, { retentionDays: 30 });
    const chat = new Chat(own.engine, 'giantkone', 'old-timer');
    await chat.send('你们收集哪些个人信息？');
    own.clock.now = new Date(own.clock.now.getTime() + 31 * 86_400_000);
    const fresh = new Chat(own.engine, 'giantkone', 'newcomer');
    await fresh.send('你们收集哪些个人信息？');
    const purged = await own.engine.purgeExpired();
    expect(purged.messages).toBeGreaterThanOrEqual(2);
    expect(await own.store.transcript('giantkone', 'test', 'test:giantkone:old-timer')).toEqual([]);
    expect((await own.store.transcript('giantkone', 'test', 'test:giantkone:newcomer')).length).toBeGreaterThan(0);
    await own.store.close();
  });

  it('purges a backlog larger than one batch, in batches, and all of it', async () => {
    const own = await openEngine(assistant, { retentionDays: 30 });
    const old = own.clock.now;
    const backlog = 2 * PURGE_BATCH_ROWS + 7;
    await own.store.appendTranscript(
      Array.from({ length: backlog }, (_, i) => ({
        tenant: 'giantkone',
        channel: 'test',
        conversationRef: `test:giantkone:backlog-${i % 50}`,
        userRef: `backlog-${i % 50}`,
        direction: 'in' as const,
        text: `old ${i}`,
        at: old,
      })),
    );
    own.clock.now = new Date(old.getTime() + 31 * 86_400_000);
    expect((await own.engine.purgeExpired()).messages).toBe(backlog);
    expect(await own.store.transcript('giantkone', 'test', 'test:giantkone:backlog-0')).toEqual([]);
    await own.store.close();
  });

  it("counts retention from the server's receive time, not the channel's timestamp", async () => {
    const own = await openEngine(assistant, { retentionDays: 30 });
    const received = own.clock.now;
    // A channel whose clock is a year behind (or replays an old timestamp), and one a year ahead.
    const behind = new Chat(own.engine, 'giantkone', 'skewed-behind', 'test', () => new Date(received.getTime() - 365 * 86_400_000));
    const ahead = new Chat(own.engine, 'giantkone', 'skewed-ahead', 'test', () => new Date(received.getTime() + 365 * 86_400_000));
    await behind.send('你们收集哪些个人信息？');
    await ahead.send('你们收集哪些个人信息？');
    const stamps = (await own.store.transcript('giantkone', 'test', 'test:giantkone:skewed-behind')).map((e) => e.at.toISOString());
    expect(new Set(stamps)).toEqual(new Set([received.toISOString()]));
    expect((await own.engine.purgeExpired()).messages).toBe(0);
    own.clock.now = new Date(received.getTime() + 31 * 86_400_000);
    await own.engine.purgeExpired();
    expect(await own.store.transcript('giantkone', 'test', 'test:giantkone:skewed-ahead')).toEqual([]);
    expect(await own.store.transcript('giantkone', 'test', 'test:giantkone:skewed-behind')).toEqual([]);
    await own.store.close();
  });
});

describe('ticket workflow', () => {
  it('follows submitted → verifying_identity → in_progress → completed, with an audit log', async () => {
    const chat = new Chat(fx.engine, 'qiancheng', 'workflow');
    await chat.send('我要删除我的个人信息');
    await chat.send('全部');
    await chat.send('13812345678');
    const id = (await chat.send('确认')).ticketId!;
    const tickets = fx.engine.tickets;
    const at = new Date('2026-11-23T01:00:00Z');
    await expect(tickets.transition(id, 'completed', { actor: 'agent:li', at })).rejects.toSatisfy((e) => isBotError(e, 'invalid_transition'));
    await expect(tickets.transition(id, 'cancelled', { actor: 'agent:li', at })).rejects.toThrow(/Only the requester/);
    expect((await tickets.get(id))!.status).toBe('verifying_identity');
    const verified = await tickets.transition(id, 'in_progress', { actor: 'agent:li', at, note: 'called the user' });
    // The agent who moves it on from verifying_identity is the one who verified the requester.
    expect(verified).toMatchObject({ identityVerified: true, verificationMethod: 'agent' });
    await expect(tickets.transition(id, 'rejected', { actor: 'agent:li', at })).rejects.toThrow(/needs a reason/);
    const done = await tickets.transition(id, 'completed', { actor: 'agent:wang', at });
    expect(done.status).toBe('completed');
    expect(done.updatedAt.toISOString()).toBe(at.toISOString());
    await expect(tickets.transition(id, 'in_progress', { actor: 'agent:li', at })).rejects.toThrow(/closed/);
    const log = await tickets.events(id);
    expect(log.map((e) => [e.from, e.to, e.actor, e.note])).toEqual([
      [null, 'submitted', 'user:workflow', null],
      ['submitted', 'verifying_identity', 'system', 'no code provider: an agent verifies identity'],
      ['verifying_identity', 'in_progress', 'agent:li', 'called the user'],
      ['in_progress', 'completed', 'agent:wang', null],
    ]);
    await expect(tickets.transition('DEL-20990101-0001', 'completed', { actor: 'agent:li', at })).rejects.toSatisfy((e) => isBotError(e, 'not_found'));
  });

  it('numbers tickets per type and day', async () => {
    const own = await openEngine(assistant);
    const ids: string[] = [];
    for (const user of ['n1', 'n2']) {
      const chat = new Chat(own.engine, 'giantkone', user);
      await chat.send('我要删除我的个人信息');
      await chat.send('全部');
      await chat.send('13812345678');
      ids.push((await chat.send('确认')).ticketId!);
    }
    expect(ids).toEqual(['DEL-20261122-0001', 'DEL-20261122-0002']);
    expect(own.store).toBeInstanceOf(SqliteStore);
    await own.store.close();
  });
});
