// Identity verification by one-time code, as a requester lives it: a real SMTP server on
// 127.0.0.1 receives the email, a fake SMS gateway speaks the SMS_WEBHOOK_URL protocol, the
// code is typed into the chat. The clock is the test's, so expiry needs no waiting.

import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { EmailCodeSender, SmsWebhookSender } from '../../src/tickets/code-senders.ts';
import { ContactCipher } from '../../src/tickets/contact.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { Chat, openEngine, type EngineFixture } from '../helpers/chat.ts';
import { startSmsGateway, startSmtpServer, type FakeSmsGateway, type TestSmtpServer } from '../helpers/mail.ts';

let assistant: PolicyAssistant;
let smtp: TestSmtpServer;
let sms: FakeSmsGateway;
let fx: EngineFixture;
let mailer: EmailCodeSender;
const logLines: string[] = [];

beforeAll(async () => {
  assistant = await openAssistant();
  smtp = await startSmtpServer();
  sms = await startSmsGateway();
  mailer = new EmailCodeSender(smtp.url, 'Privacy <privacy@giantkone.example>');
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) });
  fx = await openEngine(assistant, { codeSenders: { email: mailer, mobile: new SmsWebhookSender(sms.url) }, logger: pino({ level: 'debug' }, sink) });
});

afterAll(async () => {
  mailer?.close();
  await fx?.store.close();
  await smtp?.close();
  await sms?.close();
});

/** Files a deletion request with this contact; returns the ticket id. */
async function file(chat: Chat, contact: string): Promise<string> {
  await chat.send('我要删除我的个人信息');
  await chat.send('全部个人信息');
  await chat.send(contact);
  const done = await chat.send('确认');
  expect(done.ticketId).toMatch(/^DEL-/);
  return done.ticketId!;
}

const MINUTE = 60_000;
const later = (ms: number) => (fx.clock.now = new Date(fx.clock.now.getTime() + ms));

describe('a code by email', () => {
  it('goes to the address typed right after Chinese text; a wrong code is counted, the right one verifies the ticket', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'mail-user');
    const id = await file(chat, '我的邮箱是li.lei@example.com');
    const filed = chat.last!;
    expect(filed.replies[1]!.text).toBe('为核验您的身份，我们已向 l***@example.com 发送了 6 位验证码，15 分钟内有效。请直接在这里输入验证码。');
    expect((await fx.engine.tickets.get(id))!.status).toBe('verifying_identity');

    const code = await smtp.codeOf(1);
    const mail = smtp.mails[0]!;
    expect(mail.to).toEqual(['li.lei@example.com']);
    expect(mail.from).toBe('privacy@giantkone.example');
    expect(mail.subject).toBe(`验证码 ${code}`);
    expect(mail.text).toContain('15 分钟内有效');

    const wrong = code === '000000' ? '111111' : '000000';
    expect((await chat.send(wrong)).replies[0]!.text).toBe('验证码不正确，还可以再试 4 次。');
    const ok = await chat.send(code);
    expect(ok.replies[0]!.text).toBe(`验证成功，身份已核验。申请 ${id} 已进入处理。`);
    const ticket = (await fx.engine.tickets.get(id))!;
    expect(ticket).toMatchObject({ status: 'in_progress', identityVerified: true, verificationMethod: 'email' });
    expect((await fx.engine.tickets.events(id)).map((e) => [e.from, e.to, e.actor])).toEqual([
      [null, 'submitted', 'user:mail-user'],
      ['submitted', 'verifying_identity', 'system'],
      ['verifying_identity', 'in_progress', 'user:mail-user'],
    ]);
    // Used once: typing it again verifies nothing.
    expect((await chat.send(code)).replies.map((r) => r.text).join()).not.toContain('验证成功');

    // The code is nowhere in clear: not in the transcript, the stored code row, or the logs.
    const transcript = (await fx.store.transcript('giantkone', 'test', 'test:giantkone:mail-user')).map((e) => e.text).join('\n');
    expect(transcript).not.toContain(code);
    expect(transcript).not.toContain('li.lei@example.com');
    const stored = await fx.store.verificationCode('giantkone|test|test:giantkone:mail-user');
    expect(stored!.codeHash).not.toContain(code);
    expect(logLines.join('')).not.toContain(code);
    expect(logLines.join('')).not.toContain('li.lei');
  });

  it('refuses an expired code (15 minutes, injected clock) and sends a fresh one on request', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'slow-user');
    const before = smtp.mails.length;
    await file(chat, 'slow@example.com');
    const first = await smtp.codeOf(before + 1);
    later(15 * MINUTE);
    expect((await chat.send(first)).replies[0]!.text).toContain('验证码已过期');
    const resent = await chat.send('重新发送验证码');
    expect(resent.replies[0]!.text).toContain('s***@example.com');
    const second = await smtp.codeOf(before + 2);
    later(14 * MINUTE);
    expect((await chat.send(second)).replies[0]!.text).toContain('验证成功');
  });

  it('stops after 5 wrong codes, even for the right one', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'guesser');
    const before = smtp.mails.length;
    const id = await file(chat, 'guess@example.com');
    const code = await smtp.codeOf(before + 1);
    const wrong = (n: number) => String((Number(code) + n) % 1_000_000).padStart(6, '0');
    const answers: string[] = [];
    for (let i = 1; i <= 5; i++) answers.push((await chat.send(wrong(i))).replies[0]!.text);
    expect(answers).toEqual(['还可以再试 4 次', '还可以再试 3 次', '还可以再试 2 次', '还可以再试 1 次', '错误次数过多'].map((s, i) => (i < 4 ? `验证码不正确，${s}。` : expect.stringContaining(s))));
    expect((await chat.send(code)).replies[0]!.text).toContain('错误次数过多');
    expect((await fx.engine.tickets.get(id))!).toMatchObject({ status: 'verifying_identity', identityVerified: false });
  });
});

describe('a code by SMS', () => {
  it('posts {to, text} to the gateway and verifies the ticket', async () => {
    const chat = new Chat(fx.engine, 'changlian', 'sms-user');
    const id = await file(chat, '手机１３９１２３４５６７８');
    expect(chat.last!.replies[1]!.text).toContain('139****5678');
    const code = await sms.codeOf(1);
    expect(sms.messages[0]!.to).toBe('13912345678');
    expect(sms.messages[0]!.text).toContain('昶联');
    await chat.send(code);
    expect((await fx.engine.tickets.get(id))!).toMatchObject({ status: 'in_progress', identityVerified: true, verificationMethod: 'sms' });
  });

  it('tells the requester when the gateway fails, and leaves the ticket for an agent', async () => {
    sms.status = 500;
    try {
      const chat = new Chat(fx.engine, 'changlian', 'sms-down');
      const id = await file(chat, '13700001111');
      expect(chat.last!.replies[1]!.text).toContain('验证码暂时发送失败');
      expect((await fx.engine.tickets.get(id))!.status).toBe('verifying_identity');
    } finally {
      sms.status = 200;
    }
  });
});

describe('finding a ticket again from another session', () => {
  it('asks for the contact on the ticket and a code before showing anything', async () => {
    const owner = new Chat(fx.engine, 'giantkone', 'device-1');
    const before = smtp.mails.length;
    const id = await file(owner, 'han.mei@example.com');
    await owner.send(await smtp.codeOf(before + 1));

    // A new device: nothing is shown, whatever the phrasing.
    const other = new Chat(fx.engine, 'giantkone', 'device-2');
    const ask = await other.send(`${id} 进度怎么样了？`);
    expect(ask.intent).toBe('request_status');
    expect(ask.replies[0]!.text).toContain('请输入提交申请时留下的手机号或邮箱');
    expect(ask.replies.map((r) => r.text).join()).not.toContain('处理中');

    // Someone else's contact gets the same answer, and no mail.
    const stranger = await other.send('nobody@example.com');
    expect(stranger.replies[0]!.text).toBe('如果 n***@example.com 是申请时留下的联系方式，验证码已发送（15 分钟内有效），请直接在这里输入。');
    expect(smtp.mails.length).toBe(before + 1);
    expect((await other.send('123456')).replies[0]!.text).toContain('验证码不正确');

    // The right contact gets a code; typed here, the ticket shows.
    await other.send(`${id} 进度怎么样了？`);
    const right = await other.send('我的邮箱是Han.Mei@example.com');
    expect(right.replies[0]!.text).toContain('h***@example.com');
    const code = await smtp.codeOf(before + 2);
    const shown = await other.send(code);
    const text = shown.replies.map((r) => r.text).join('\n');
    expect(text).toContain(`申请 ${id}（删除个人信息）：处理中`);
    expect(text).toContain('身份已核验（邮箱验证码）');
    // And "我的申请进度" in that session now lists it.
    expect((await other.send('我的申请进度')).replies[0]!.text).toContain(id);
  });

  it('"我的申请进度" with nothing here offers the contact look-up', async () => {
    const owner = new Chat(fx.engine, 'giantkone', 'phone-a');
    const before = smtp.mails.length;
    const id = await file(owner, 'wang.wu@example.com');
    const fresh = new Chat(fx.engine, 'giantkone', 'phone-b');
    expect((await fresh.send('我的申请进度')).replies[0]!.text).toContain('在这个会话里没有找到您的申请');
    await fresh.send('wang.wu@example.com');
    const code = await smtp.codeOf(before + 2);
    expect((await fresh.send(code)).replies.map((r) => r.text).join('\n')).toContain(id);
  });
});

describe('tickets filed before the blind index', () => {
  it('get their index at start-up and can then be found from another session', async () => {
    const cipher = new ContactCipher(fx.key);
    const contact = { kind: 'email' as const, value: 'early@example.com' };
    const draft = {
      idPrefix: 'ACC', type: 'access_data' as const, tenant: 'giantkone', channel: 'web', requester: 'web:old', conversationRef: 'web:giantkone:old',
      contactEncrypted: cipher.encrypt(contact), contactMasked: 'e***@example.com', contactIndex: '', details: {}, clauses: [], status: 'in_progress' as const,
      dueDate: '2026-12-01', deadlineSource: 'policy' as const, language: 'zh' as const, originKey: 'legacy-1', identityVerified: false,
      verificationMethod: null, rejection: null, purgedAt: null, createdAt: fx.clock.now, updatedAt: fx.clock.now,
    };
    const { ticket } = await fx.store.createTicket(draft, { at: fx.clock.now, actor: 'user:web:old', from: null, to: 'in_progress', note: null });
    expect(await fx.engine.tickets.indexContacts()).toBe(1);
    expect((await fx.engine.tickets.get(ticket.id))!.contactIndex).toBe(cipher.blindIndex(contact));
    expect(await fx.engine.tickets.indexContacts()).toBe(0);

    const before = smtp.mails.length;
    const chat = new Chat(fx.engine, 'giantkone', 'new-device');
    await chat.send(`${ticket.id} 进度`);
    await chat.send('early@example.com');
    const shown = await chat.send(await smtp.codeOf(before + 1));
    expect(shown.replies.map((r) => r.text).join('\n')).toContain(`申请 ${ticket.id}`);
  });
});

describe('flooding a contact with codes', () => {
  it('sends one contact at most 5 codes an hour, however many sessions ask, with the same reply to each', async () => {
    const owner = new Chat(fx.engine, 'giantkone', 'flood-owner');
    const id = await file(owner, 'flood@example.com');
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const attacker = new Chat(fx.engine, 'giantkone', `flooder-${i}`);
      await attacker.send(`${id} 进度`);
      replies.push((await attacker.send('flood@example.com')).replies[0]!.text);
    }
    expect(smtp.mails.filter((m) => m.to.includes('flood@example.com'))).toHaveLength(5);
    expect(new Set(replies).size).toBe(1);
  });
});

describe('a rejected request', () => {
  it('answers "为什么被拒绝了" from the ticket: the reason and the clause, not the policy index', async () => {
    const chat = new Chat(fx.engine, 'giantkone', 'rejected-user');
    const before = smtp.mails.length;
    const id = await file(chat, 'zhao@example.com');
    await chat.send(await smtp.codeOf(before + 1));
    const clause = (await fx.engine.tickets.get(id))!.clauses[0]!;
    await fx.engine.tickets.transition(id, 'rejected', { actor: 'agent:li', note: '账号仍有未完成的订单，完成后可再次申请', rejectionClause: clause, at: fx.clock.now });

    const why = await chat.send('为什么被拒绝了？');
    expect(why.intent).toBe('request_status');
    expect(why.replies).toHaveLength(1);
    expect(why.replies[0]!.text).toContain(`申请 ${id} 被拒绝的原因：账号仍有未完成的订单，完成后可再次申请`);
    expect(why.replies[0]!.citations.map((c) => c.clauseId)).toEqual([clause.clauseId]);
    expect(why.replies[0]!.text).toContain(`第${clause.number}条`);
    // The ticket's own status shows the reason too.
    expect((await chat.send(`${id} 怎么样了`)).replies.map((r) => r.text).join('\n')).toContain('账号仍有未完成的订单');
  });
});

describe('retention of closed tickets', () => {
  it("purges a closed ticket's contact and sealed details after TICKET_RETENTION_DAYS, keeping the record", async () => {
    const own = await openEngine(assistant, { ticketRetentionDays: 30 });
    try {
      const chat = new Chat(own.engine, 'giantkone', 'retained');
      await chat.send('我要删除我的个人信息');
      await chat.send('删除绑定的邮箱 old@example.com');
      await chat.send('13812345678');
      const id = (await chat.send('确认')).ticketId!;
      expect(Object.keys((await own.engine.tickets.get(id))!.details)).toEqual(['scope', 'scope.sealed']);
      await own.engine.tickets.transition(id, 'rejected', { actor: 'agent:li', note: 'duplicate', at: own.clock.now });
      own.clock.now = new Date(own.clock.now.getTime() + 29 * 86_400_000);
      expect((await own.engine.purgeExpired()).tickets).toBe(0);
      own.clock.now = new Date(own.clock.now.getTime() + 2 * 86_400_000);
      expect((await own.engine.purgeExpired()).tickets).toBe(1);
      const purged = (await own.engine.tickets.get(id))!;
      expect(purged).toMatchObject({ status: 'rejected', contactEncrypted: '', contactIndex: '', contactMasked: '(purged)', details: { scope: '删除绑定的邮箱 o***@example.com' } });
      expect(purged.purgedAt).toEqual(own.clock.now);
      expect(await own.engine.tickets.events(id)).toHaveLength(3);
    } finally {
      await own.store.close();
    }
  });
});
