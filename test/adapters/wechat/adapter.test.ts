// The WeChat Official Account channel over real HTTP: the real server with all adapters, a
// fake WeChat API on 127.0.0.1, requests signed as the WeChat message server signs them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatAdapter, TEXT_ONLY_REPLY } from '../../../adapters/wechat/index.ts';
import { MORE_HINT_ZH } from '../../../adapters/wechat/reply-pages.ts';
import { wechatSignature } from '../../../adapters/wechat/signature.ts';
import type { AdapterFactory } from '../../../src/channels/channel.ts';
import type { TurnResult } from '../../../src/conversation/types.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import { openAssistant } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { describeChannelContract } from '../contract.ts';
import { ACCOUNT_ID, eventXml, mediaXml, msgId, nonce, nowSeconds, post, postPlain, readReply, sleep, slowWechat, textXml } from './client.ts';
import { FakeWechatApi } from './fake-wechat-api.ts';
import { fixture } from './vectors.ts';

const TOKEN = 'plaintoken123';
const APP_ID = 'wxtestappid0001';
const APP_SECRET = 'test-app-secret-value';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const env = (apiUrl: string, extra: Record<string, string> = {}) => ({
  WECHAT_TOKEN: TOKEN,
  WECHAT_APPID: APP_ID,
  WECHAT_APPSECRET: APP_SECRET,
  WECHAT_API_BASE: apiUrl,
  WECHAT_TENANT: 'giantkone',
  ...extra,
});

type Server = Awaited<ReturnType<typeof startTestServer>>;
let assistant: PolicyAssistant;

beforeAll(async () => {
  assistant = await openAssistant();
});

async function metric(server: Server, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** A user id of its own per test, so replies never mix. */
let users = 0;
const newUser = (label: string) => `o${label}-${Date.now()}-${++users}`;

describe('WeChat Official Account (plain mode)', () => {
  const api = new FakeWechatApi();
  let server: Server;
  /** Passive reply contents per user. */
  const passive = new Map<string, string[]>();
  const url = () => `${server.url}/wechat`;

  const sendText = async (user: string, text: string, id = msgId()) => {
    const response = await postPlain(url(), TOKEN, textXml({ user, text, id }));
    const reply = response.status === 200 ? readReply(response.body) : null;
    if (reply) passive.set(user, [...(passive.get(user) ?? []), reply.Content]);
    return { ...response, reply };
  };

  beforeAll(async () => {
    await api.start();
    server = await startTestServer({ env: env(api.url), assistant });
  });
  afterAll(async () => {
    await server?.close();
    await api.stop();
  });

  describeChannelContract({
    name: 'wechat',
    setup: async () => undefined,
    teardown: async () => undefined,
    async deliver({ user, text, id }) {
      await sendText(user, text, id);
    },
    async replies(user, count, timeoutMs = 10_000) {
      const all = () => [...(passive.get(user) ?? []), ...api.deliveredTo(user)];
      const deadline = Date.now() + timeoutMs;
      while (all().length < count && Date.now() < deadline) await sleep(25);
      return all();
    },
    async deliverForged({ user, text, id }) {
      return (await postPlain(url(), TOKEN, textXml({ user, text, id }), { forged: true })).status;
    },
  });

  describe('URL verification (GET)', () => {
    it('answers echostr unchanged when the signature holds', async () => {
      const timestamp = nowSeconds();
      const n = nonce();
      const query = new URLSearchParams({ signature: wechatSignature(TOKEN, timestamp, n), timestamp, nonce: n, echostr: '7394843592716352' });
      const response = await fetch(`${url()}?${query}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('7394843592716352');
    });

    it('refuses a bad or missing signature with 401, counted', async () => {
      const before = await metric(server, 'privacy_bot_webhook_rejections_total', 'reason="bad_signature"');
      const timestamp = nowSeconds();
      const bad = new URLSearchParams({ signature: wechatSignature('othertoken', timestamp, 'n'), timestamp, nonce: 'n', echostr: 'abc' });
      const response = await fetch(`${url()}?${bad}`);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain('abc');
      expect((await fetch(`${url()}?echostr=abc`)).status).toBe(401);
      expect(await metric(server, 'privacy_bot_webhook_rejections_total', 'reason="bad_signature"')).toBe(before + 1);
    });
  });

  describe('messages (POST)', () => {
    it('answers a question with a passive XML reply: the policy’s words and a compact citation, within the budget', async () => {
      const user = newUser('question');
      const { status, body, ms, reply } = await sendText(user, '你们会把我的信息提供给第三方吗？');
      expect(status).toBe(200);
      expect(ms).toBeLessThan(4500);
      expect(body.startsWith('<xml>')).toBe(true);
      expect(reply).toMatchObject({ ToUserName: user, FromUserName: ACCOUNT_ID, MsgType: 'text' });
      expect(Number(reply!.CreateTime)).toBeGreaterThan(1_700_000_000);
      expect(reply!.Content).toMatch(/^依据：《[^》]+》第[^\n]+条/m);
      expect(reply!.Content).toContain('第三方');
      expect(bytes(reply!.Content)).toBeLessThanOrEqual(2048);
      expect(api.deliveredTo(user)).toEqual([]);
    });

    it('refuses a forged signature with 401 and processes nothing', async () => {
      const user = newUser('forged');
      const inBefore = await metric(server, 'privacy_bot_messages_in_total', 'channel="wechat"');
      const forged = await postPlain(url(), TOKEN, textXml({ user, text: '你好', id: msgId() }), { forged: true });
      expect(forged.status).toBe(401);
      expect(forged.body).not.toContain('<xml>');
      const unsigned = await post(url(), { timestamp: nowSeconds(), nonce: 'n' }, textXml({ user, text: '你好', id: msgId() }));
      expect(unsigned.status).toBe(401);
      await sleep(300);
      expect(api.attempts.filter((a) => a.body.touser === user)).toEqual([]);
      expect(await metric(server, 'privacy_bot_messages_in_total', 'channel="wechat"')).toBe(inBefore);
      expect(await metric(server, 'privacy_bot_webhook_rejections_total', 'reason="missing_signature"')).toBeGreaterThanOrEqual(1);
    });

    it('refuses a timestamp outside WECHAT_MAX_CLOCK_SKEW_S with 401', async () => {
      const user = newUser('stale');
      const stale = String(Math.floor(Date.now() / 1000) - 3600);
      const response = await postPlain(url(), TOKEN, textXml({ user, text: '你好', id: msgId() }), { timestamp: stale });
      expect(response.status).toBe(401);
      expect(await metric(server, 'privacy_bot_webhook_rejections_total', 'reason="stale_timestamp"')).toBeGreaterThanOrEqual(1);
    });

    it('refuses malformed XML, a DTD and an entity-expansion bomb with 400, quickly', async () => {
      expect((await postPlain(url(), TOKEN, '<xml><ToUserName>unclosed')).status).toBe(400);
      expect((await postPlain(url(), TOKEN, '{"not":"xml"}')).status).toBe(400);
      expect((await postPlain(url(), TOKEN, '<xml><MsgType>text</MsgType></xml>')).status).toBe(400);
      expect((await postPlain(url(), TOKEN, fixture('attack-xxe.xml'))).status).toBe(400);
      const bomb = await postPlain(url(), TOKEN, fixture('attack-billion-laughs.xml'));
      expect(bomb.status).toBe(400);
      expect(bomb.ms).toBeLessThan(2000);
      expect(await metric(server, 'privacy_bot_webhook_rejections_total', 'reason="forbidden_dtd"')).toBe(2);
      expect(await metric(server, 'privacy_bot_webhook_rejections_total', 'reason="malformed_xml"')).toBeGreaterThanOrEqual(2);
    });

    it('replies exactly once to four concurrent deliveries of one MsgId', async () => {
      const user = newUser('concurrent');
      const id = msgId();
      const responses = await Promise.all([1, 2, 3, 4].map(() => sendText(user, '你们收集哪些个人信息？', id)));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(responses.filter((r) => r.reply !== null)).toHaveLength(1);
      expect(responses.filter((r) => r.body === 'success')).toHaveLength(3);
      await sleep(500);
      expect(api.deliveredTo(user)).toEqual([]);
    });

    it('replies exactly once to four sequential deliveries of one MsgId', async () => {
      const user = newUser('sequential');
      const id = msgId();
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push(await sendText(user, '你好', id));
      expect(responses[0]!.reply).not.toBeNull();
      expect(responses.slice(1).map((r) => r.body)).toEqual(['success', 'success', 'success']);
      expect(passive.get(user)).toHaveLength(1);
      expect(api.deliveredTo(user)).toEqual([]);
    });

    it('walks a rights request with the quick replies as a hint line', async () => {
      const user = newUser('form');
      const { reply } = await sendText(user, '我要删除我的个人信息');
      expect(reply!.Content).toContain('删除哪些个人信息');
      expect(reply!.Content).toMatch(/^回复：全部个人信息 \/ 取消$/m);
      expect(reply!.Content).toMatch(/依据：《[^》]+》/);
    });
  });

  describe('events and other messages', () => {
    it('welcomes a new follower through the core, once per event', async () => {
      const user = newUser('subscribe');
      const createTime = nowSeconds();
      const first = await postPlain(url(), TOKEN, eventXml({ user, event: 'subscribe', createTime }));
      const welcome = readReply(first.body);
      expect(welcome).toMatchObject({ ToUserName: user, FromUserName: ACCOUNT_ID, MsgType: 'text' });
      expect(welcome!.Content).toContain('隐私');
      expect(welcome!.Content).toMatch(/^回复：/m);
      const again = await postPlain(url(), TOKEN, eventXml({ user, event: 'subscribe', createTime }));
      expect(again.body).toBe('success');
    });

    it('answers an image, a voice message, a location and a link with a polite text, once', async () => {
      const user = newUser('media');
      for (const type of ['image', 'voice', 'video', 'location', 'link'] as const) {
        const id = msgId();
        const response = await postPlain(url(), TOKEN, mediaXml({ user, type, id }));
        expect(readReply(response.body)?.Content).toBe(TEXT_ONLY_REPLY);
        expect((await postPlain(url(), TOKEN, mediaXml({ user, type, id }))).body).toBe('success');
      }
    });

    it('acknowledges unsubscribe and unknown events with "success" and nothing else', async () => {
      const user = newUser('events');
      const inBefore = await metric(server, 'privacy_bot_messages_in_total', 'channel="wechat"');
      for (const event of ['unsubscribe', 'CLICK', 'VIEW', 'SCAN', 'LOCATION', 'something_new']) {
        const response = await postPlain(url(), TOKEN, eventXml({ user, event, eventKey: 'KEY' }));
        expect(response.status).toBe(200);
        expect(response.body).toBe('success');
      }
      expect(await metric(server, 'privacy_bot_messages_in_total', 'channel="wechat"')).toBe(inBefore);
    });

    it('acknowledges a message type it does not know', async () => {
      const body = `<xml><ToUserName>${ACCOUNT_ID}</ToUserName><FromUserName>${newUser('x')}</FromUserName><CreateTime>${nowSeconds()}</CreateTime><MsgType>miniprogrampage</MsgType><MsgId>${msgId()}</MsgId></xml>`;
      const response = await postPlain(url(), TOKEN, body);
      expect(response.status).toBe(200);
      expect(response.body).toBe('success');
    });
  });
});

describe('WeChat with WECHAT_MAX_CLOCK_SKEW_S=0', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({ env: env('http://127.0.0.1:9', { WECHAT_MAX_CLOCK_SKEW_S: '0' }), assistant, adapters: [createWechatAdapter()] });
  });
  afterAll(() => server?.close());

  it('accepts any timestamp', async () => {
    const response = await postPlain(`${server.url}/wechat`, TOKEN, textXml({ user: newUser('old'), text: '你好', id: msgId(), createTime: '1409735668' }), { timestamp: '1409735669' });
    expect(response.status).toBe(200);
    expect(readReply(response.body)?.Content).toContain('隐私');
  });
});

/** The real adapter over a core whose answers run long: each answer quotes its clauses again and again. */
function verboseWechat(calls: { dispatched: number }): AdapterFactory {
  const inner = createWechatAdapter();
  const lengthen = (result: TurnResult): TurnResult => ({
    ...result,
    replies: result.replies.map((r) =>
      r.kind !== 'answer'
        ? r
        : { ...r, text: [r.text, ...Array.from({ length: 8 }, (_, k) => r.citations.map((c, i) => `（第${k + 1}遍）${c.text.replace(/\s+/g, ' ')} [${i + 1}]`).join('\n'))].join('\n') },
    ),
  });
  return {
    name: inner.name,
    create: (ctx) =>
      inner.create({
        ...ctx,
        dispatch: async (message) => {
          calls.dispatched += 1;
          return lengthen(await ctx.dispatch(message));
        },
      }),
  };
}

describe('WeChat answers longer than 2048 bytes', () => {
  const calls = { dispatched: 0 };
  let server: Server;
  const send = async (user: string, text: string, id = msgId()) => {
    const response = await postPlain(`${server.url}/wechat`, TOKEN, textXml({ user, text, id }));
    return { ...response, reply: readReply(response.body) };
  };
  beforeAll(async () => {
    server = await startTestServer({ env: env('http://127.0.0.1:9'), assistant, adapters: [verboseWechat(calls)] });
  });
  afterAll(() => server?.close());

  it('cuts the answer at 2048 bytes with the 更多 hint, and sends the rest on "更多" without the core', async () => {
    const user = newUser('long');
    const question = '你们会把我的信息提供给第三方吗？';
    const first = await send(user, question);
    const page1 = first.reply!.Content;
    expect(bytes(page1)).toBeLessThanOrEqual(2048);
    expect(page1.endsWith(`\n${MORE_HINT_ZH}`)).toBe(true);
    expect(page1).toMatch(/^依据：《[^》]+》/m);
    expect(calls.dispatched).toBe(1);

    const moreId = msgId();
    const more = await send(user, '更多', moreId);
    const page2 = more.reply!.Content;
    expect(bytes(page2)).toBeLessThanOrEqual(2048);
    expect(page2).not.toBe(page1);
    // Each page cites the statements it shows.
    expect(page2).toMatch(/^依据：《[^》]+》/m);
    // Not a turn of the core...
    expect(calls.dispatched).toBe(1);
    // ...but deduplicated all the same: a redelivery gets nothing, and the next page is not skipped.
    expect((await send(user, '更多', moreId)).body).toBe('success');

    const pages = [page1, page2];
    while (pages.at(-1)!.endsWith(MORE_HINT_ZH)) {
      pages.push((await send(user, '更多')).reply!.Content);
      expect(pages.length).toBeLessThan(20);
    }
    expect(pages.length).toBeGreaterThan(2);
    expect(calls.dispatched).toBe(1);
    for (const page of pages) expect(bytes(page)).toBeLessThanOrEqual(2048);
    // Nothing was lost between the pages: every clause was quoted eight times.
    const clauses = (await assistant.ask('giantkone', question)).citations.map((c) => c.text.replace(/\s+/g, ' '));
    const shown = pages.join('\n');
    for (let k = 1; k <= 8; k++) expect(shown).toContain(`（第${k}遍）`);
    expect(shown.replace(/\s+/g, '')).toContain(clauses[0]!.replace(/\s+/g, '').slice(-30));

    // Once the answer is complete, "更多" is an ordinary message for the core again.
    expect((await send(user, '更多')).reply).not.toBeNull();
    expect(calls.dispatched).toBe(2);
  });

  it('sends "更多" to the core when no answer is waiting', async () => {
    const before = calls.dispatched;
    expect((await send(newUser('more-first'), '更多')).reply).not.toBeNull();
    expect(calls.dispatched).toBe(before + 1);
  });

  it('forgets the rest of an answer when a new question is answered', async () => {
    const user = newUser('newer');
    expect((await send(user, '你们会把我的信息提供给第三方吗？')).reply!.Content.endsWith(MORE_HINT_ZH)).toBe(true);
    const short = await send(user, '你好');
    expect(short.reply!.Content.endsWith(MORE_HINT_ZH)).toBe(false);
    const before = calls.dispatched;
    await send(user, '更多');
    expect(calls.dispatched).toBe(before + 1);
  });
});

describe('WeChat answers that miss the passive-reply window', () => {
  const api = new FakeWechatApi();
  let server: Server;
  const url = () => `${server.url}/wechat`;

  const waitForDeliveries = async (user: string, count: number) => {
    const deadline = Date.now() + 10_000;
    while (api.deliveredTo(user).length < count && Date.now() < deadline) await sleep(20);
    // Time for a wrong extra delivery to show up.
    await sleep(400);
    return api.deliveredTo(user);
  };

  beforeAll(async () => {
    await api.start();
    server = await startTestServer({ env: env(api.url), assistant, adapters: [slowWechat(500)] });
  });
  afterAll(async () => {
    await server?.close();
    await api.stop();
  });

  it('answers "success", then sends the answer once through the customer-service API, fetching the token once', async () => {
    const userA = newUser('slowA');
    const response = await postPlain(url(), TOKEN, textXml({ user: userA, text: '你们会把我的信息提供给第三方吗？', id: msgId() }));
    expect(response.body).toBe('success');
    // Answered before the core was done (it takes 500 ms here).
    expect(api.deliveredTo(userA)).toEqual([]);
    expect(response.ms).toBeLessThan(450);
    const [answer, ...extra] = await waitForDeliveries(userA, 1);
    expect(extra).toEqual([]);
    expect(answer).toMatch(/依据：《[^》]+》/);
    expect(answer).toContain('第三方');
    const sent = api.attempts.find((a) => a.body.touser === userA)!;
    expect(sent.body).toEqual({ touser: userA, msgtype: 'text', text: { content: answer } });

    const userB = newUser('slowB');
    expect((await postPlain(url(), TOKEN, textXml({ user: userB, text: '你好', id: msgId() }))).body).toBe('success');
    expect(await waitForDeliveries(userB, 1)).toHaveLength(1);

    expect(api.tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(api.tokenRequests[0]!)).toEqual({ grant_type: 'client_credential', appid: APP_ID, secret: APP_SECRET });
    expect(new Set(api.attempts.map((a) => a.accessToken))).toEqual(new Set(['TOKEN-1']));
  });

  it('sends one answer for four deliveries of one slow message, concurrent or sequential', async () => {
    const concurrent = newUser('slow-concurrent');
    const id = msgId();
    const xml = textXml({ user: concurrent, text: '你好', id });
    const responses = await Promise.all([1, 2, 3, 4].map(() => postPlain(url(), TOKEN, xml)));
    expect(responses.map((r) => r.body)).toEqual(['success', 'success', 'success', 'success']);
    expect(await waitForDeliveries(concurrent, 1)).toHaveLength(1);

    const sequential = newUser('slow-sequential');
    const seqXml = textXml({ user: sequential, text: '你好', id: msgId() });
    for (let i = 0; i < 4; i++) expect((await postPlain(url(), TOKEN, seqXml)).body).toBe('success');
    expect(await waitForDeliveries(sequential, 1)).toHaveLength(1);
  });

  it('fetches a new token once when WeChat says the cached one is invalid (40001)', async () => {
    const cached = api.attempts.at(-1)!.accessToken;
    api.revokedTokens.add(cached);
    const tokensBefore = api.tokenRequests.length;
    const user = newUser('revoked');
    await postPlain(url(), TOKEN, textXml({ user, text: '你好', id: msgId() }));
    expect(await waitForDeliveries(user, 1)).toHaveLength(1);
    const attempts = api.attempts.filter((a) => a.body.touser === user);
    expect(attempts.map((a) => a.errcode)).toEqual([40001, 0]);
    expect(attempts[1]!.accessToken).not.toBe(cached);
    expect(api.tokenRequests).toHaveLength(tokensBefore + 1);
  });

  it('delivers replies to a conversation reference outside a request (an agent’s answer)', async () => {
    const channel = server.adapters.find((a) => a.name === 'wechat')!;
    const user = newUser('agent');
    await channel.send!(`wechat:giantkone:${user}`, [
      { kind: 'info', text: '您好，我是客服小王。', citations: [], quickReplies: [{ label: '好的', value: '好的' }] },
    ]);
    expect(api.deliveredTo(user)).toEqual(['您好，我是客服小王。\n回复：好的']);
    await expect(channel.send!(`wechat:smarthw:${user}`, [])).rejects.toThrow(/Not a conversation of a served WeChat account/);
  });

  it('logs an API error (45015) instead of failing, and carries on', async () => {
    api.sendErrors.push(45015);
    const user = newUser('expired-window');
    expect((await postPlain(url(), TOKEN, textXml({ user, text: '你好', id: msgId() }))).body).toBe('success');
    await sleep(800);
    expect(api.attempts.filter((a) => a.body.touser === user).map((a) => a.errcode)).toEqual([45015]);
    const next = newUser('after-error');
    await postPlain(url(), TOKEN, textXml({ user: next, text: '你好', id: msgId() }));
    expect(await waitForDeliveries(next, 1)).toHaveLength(1);
  });
});
