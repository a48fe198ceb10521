// The Slack channel end to end: the real server with every adapter, a fake Slack Web API on
// 127.0.0.1, and requests signed the way Slack signs them, built from real payload shapes.

import { createHash } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../adapters/index.ts';
import { SlackDeliveryError } from '../../../adapters/slack/errors.ts';
import { slackAdapter } from '../../../adapters/slack/index.ts';
import type { AdapterContext, AdapterFactory, ChannelAdapter } from '../../../src/channels/channel.ts';
import { loadConfig } from '../../../src/config.ts';
import type { InboundMessage } from '../../../src/conversation/types.ts';
import { isBotError } from '../../../src/errors.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import type { RunningServer } from '../../../src/server/server.ts';
import { openAssistant } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { describeChannelContract, type ChannelHarness } from '../contract.ts';
import { buttonsOf, fixture, slackSignature, startFakeSlack, visibleText, WORKSPACE, type FakeSlack, type PostedMessage } from './fake-slack.ts';

// Payloads are edited field by field in place; `any` keeps that readable in tests.
type Json = Record<string, any>;
const SIGNING_SECRET = 'e6b19c573432dcc6b075501d51b51bb8';
const BOT_TOKEN = 'xoxb-test';

let fake: FakeSlack;
let server: RunningServer;
let assistant: PolicyAssistant;
/** Every InboundMessage the Slack adapter handed to the core. */
const inbound: InboundMessage[] = [];

/** The real Slack adapter, with its dispatch observed. */
const observedSlack: AdapterFactory = {
  name: slackAdapter.name,
  create: (context) => slackAdapter.create({ ...context, dispatch: (m) => (inbound.push(m), context.dispatch(m)) }),
};

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  assistant = await openAssistant();
  server = await startTestServer({
    assistant,
    adapters: ADAPTERS.map((a) => (a.name === 'slack' ? observedSlack : a)),
    env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl, SLACK_TENANT: 'giantkone' },
  });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

// Requests ---------------------------------------------------------------------------------------

let sequence = 0;
/** A fresh message ts ("1712345678.000042"), unique within the run. */
const freshTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
/** A fresh DM channel id, so each test has its own conversation. */
const freshChannel = (prefix = 'D') => `${prefix}0T${String(++sequence).padStart(7, '0')}`;

async function postSlack(
  body: string,
  options: { contentType?: string; timestamp?: number; secret?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(`${server.url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(options.secret ?? SIGNING_SECRET, timestamp, body),
      ...options.headers,
    },
    body,
  });
}

const postJson = (payload: unknown, options: Parameters<typeof postSlack>[1] = {}) => postSlack(JSON.stringify(payload), options);
const postAction = (payload: unknown) =>
  postSlack(`payload=${encodeURIComponent(JSON.stringify(payload))}`, { contentType: 'application/x-www-form-urlencoded' });

/** message.im.json as a new message: its own ts, client_msg_id and event id unless given. */
function directMessage(changes: { channel: string; text: string; ts?: string; thread_ts?: string; user?: string; client_msg_id?: string }): Json {
  const body = fixture<Json>('message.im.json');
  const ts = changes.ts ?? freshTs();
  body.event_id = `Ev${ts.replace('.', '')}`;
  body.event_time = Math.floor(Number(ts));
  body.event = { ...body.event, client_msg_id: `msg-${ts}`, ...changes, ts, event_ts: ts };
  body.event.blocks[0].elements[0].elements[0].text = changes.text;
  return body;
}

function mention(changes: { channel: string; text: string; ts?: string; client_msg_id?: string }): Json {
  const body = fixture<Json>('app_mention.json');
  const ts = changes.ts ?? freshTs();
  body.event_id = `Ev${ts.replace('.', '')}M`;
  body.event = { ...body.event, client_msg_id: `msg-${ts}`, ...changes, ts, event_ts: ts };
  return body;
}

/** block_actions.json as a press of `button` on `post` (a message in the thread `threadTs`). */
function press(post: PostedMessage, threadTs: string, button: { actionId: string; label: string; value: string }, actionTs = freshTs()): Json {
  const body = fixture<Json>('block_actions.json');
  body.container = { ...body.container, channel_id: post.channel, message_ts: post.ts, thread_ts: threadTs };
  body.channel = { id: post.channel, name: 'directmessage' };
  body.message = { ...body.message, ts: post.ts, thread_ts: threadTs, text: post.text, blocks: post.blocks };
  body.actions = [{ action_id: button.actionId, block_id: 'b7Lh', text: { type: 'plain_text', text: button.label, emoji: true }, value: button.value, type: 'button', action_ts: actionTs }];
  return body;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const metricsText = async () => (await fetch(`${server.url}/metrics`)).text();
const slackAdapterOf = (running: RunningServer): ChannelAdapter => running.adapters.find((a) => a.name === 'slack')!;

// The shared channel contract ----------------------------------------------------------------------

/** Each contract user gets a DM channel and a user id derived from their name. */
const idFor = (prefix: string, user: string) => `${prefix}${createHash('sha1').update(user).digest('hex').slice(0, 10).toUpperCase()}`;

const harness: ChannelHarness = {
  name: 'slack',
  setup: async () => undefined,
  teardown: async () => undefined,
  async deliver({ user, text, id }) {
    // The same id gives the same ts, client_msg_id and event id: a redelivery of one message.
    const ts = `${id.slice(0, 10)}.${id.slice(-6)}`;
    const body = directMessage({ channel: idFor('D', user), user: idFor('U', user), text, ts, client_msg_id: `contract-${id}` });
    const response = await postJson(body);
    expect(response.status).toBe(200);
  },
  async replies(user, count, timeoutMs = 10_000) {
    return (await fake.waitForPosts(idFor('D', user), count, timeoutMs)).map(visibleText);
  },
  async deliverForged({ user, text, id }) {
    const ts = `${id.slice(0, 10)}.${id.slice(-6)}`;
    const body = directMessage({ channel: idFor('D', user), user: idFor('U', user), text, ts });
    return (await postJson(body, { secret: 'not-the-signing-secret-0000000000' })).status;
  },
};

describeChannelContract(harness);

// Slack specifics ------------------------------------------------------------------------------------

describe('slack: requests', () => {
  it('answers url_verification with the challenge', async () => {
    const response = await postJson(fixture('url_verification.json'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('refuses a forged signature, counts it, and posts nothing', async () => {
    const channel = freshChannel();
    const response = await postJson(directMessage({ channel, text: '你们收集哪些个人信息？' }), { secret: 'another-secret' });
    expect(response.status).toBe(401);
    const unsigned = await fetch(`${server.url}/slack/events`, { method: 'POST', body: JSON.stringify(fixture('url_verification.json')) });
    expect(unsigned.status).toBe(401);
    await pause(800);
    expect(fake.posts(channel)).toEqual([]);
    const metrics = await metricsText();
    expect(metrics).toMatch(/privacy_bot_webhook_rejections_total\{channel="slack",reason="bad_signature"\} [1-9]/);
    expect(metrics).toMatch(/privacy_bot_webhook_rejections_total\{channel="slack",reason="missing_signature"\} [1-9]/);
  });

  it('refuses a stale request even when correctly signed', async () => {
    const channel = freshChannel();
    const response = await postJson(directMessage({ channel, text: '你好' }), { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(response.status).toBe(401);
    await pause(500);
    expect(fake.posts(channel)).toEqual([]);
    expect(await metricsText()).toMatch(/privacy_bot_webhook_rejections_total\{channel="slack",reason="stale"\} [1-9]/);
  });

  it('answers malformed bodies with 400 and keeps serving', async () => {
    expect((await postSlack('{"type": "event_callback", "event": {')).status).toBe(400);
    expect((await postSlack('token=abc&text=hi', { contentType: 'application/x-www-form-urlencoded' })).status).toBe(400);
    expect((await postSlack('{"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": 7}')).status).toBe(400);
    expect(await metricsText()).toMatch(/privacy_bot_webhook_rejections_total\{channel="slack",reason="malformed"\} [1-9]/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it.each<[string, Json]>([
    ['block_actions with no actions', { type: 'block_actions', actions: [] }],
    ['block_actions with no team, user or channel', { type: 'block_actions', actions: [{ type: 'button', action_id: 'quick_reply_0', value: '确认' }] }],
    ['block_actions with a team but nothing else', { type: 'block_actions', team: { id: 'T9TEAM' }, actions: [{ type: 'button', action_id: 'quick_reply_0' }] }],
    ['a global shortcut without a team', { type: 'shortcut', callback_id: 'open', trigger_id: '1.2.3' }],
    ['a message shortcut without a team', { type: 'message_action', callback_id: 'open', trigger_id: '1.2.3' }],
    ['a view submission without a view', { type: 'view_submission' }],
    ['a view closed without a team', { type: 'view_closed', view: {} }],
    ['a block suggestion without a team', { type: 'block_suggestion', action_id: 'x', value: 'y' }],
    ['an interactive_message without anything', { type: 'interactive_message' }],
    ['an unknown type', { type: 'no_such_payload' }],
    // Complete enough for the schema, but with nothing Bolt or the bot can act on.
    ['block_actions with only a team, a user and an unknown action', { type: 'block_actions', team: { id: 'T9TEAM' }, user: { id: 'U9USER' }, actions: [{ type: 'button', action_id: 'x' }] }],
    ['a quick reply pressed outside any message', { type: 'block_actions', team: { id: 'T9TEAM' }, user: { id: 'U9USER' }, actions: [{ type: 'button', action_id: 'quick_reply_0', value: '确认' }] }],
    ['an org-wide shortcut (team null, user.team_id)', { type: 'shortcut', team: null, user: { id: 'U9USER', team_id: 'T9TEAM' }, callback_id: 'open', trigger_id: '1.2.3' }],
    ['a view submission with a bare view', { type: 'view_submission', team: { id: 'T9TEAM' }, user: { id: 'U9USER' }, view: { id: 'V1' } }],
    ['a block suggestion', { type: 'block_suggestion', team: { id: 'T9TEAM' }, user: { id: 'U9USER' }, action_id: 'x', value: 'y' }],
  ])('answers a signed but degenerate interactivity payload (%s) with a 4xx or an ack, never 500, and keeps serving', async (_name, payload) => {
    const response = await postAction(payload);
    expect(response.status === 200 || (response.status >= 400 && response.status < 500)).toBe(true);
    const json = await postJson(payload);
    expect(json.status === 200 || (json.status >= 400 && json.status < 500)).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('acknowledges event types it does not handle, without posting', async () => {
    const body = { token: 'XXYYZZ', team_id: WORKSPACE.teamId, minute_rate_limited: 1518467820, api_app_id: WORKSPACE.appId, type: 'app_rate_limited' };
    expect((await postJson(body)).status).toBe(200);
    const posted = fake.posts().length;
    const edit = fixture<Json>('message-changed.json');
    expect((await postJson(edit)).status).toBe(200);
    expect((await postJson(fixture('message-bot.json'))).status).toBe(200);
    await pause(500);
    expect(fake.posts()).toHaveLength(posted);
  });
});

describe('slack: conversations', () => {
  it('answers a direct message in its thread, with a section and a context line per citation', async () => {
    const channel = freshChannel();
    const body = directMessage({ channel, text: '你们收集哪些个人信息？' });
    const response = await postJson(body);
    expect(response.status).toBe(200);
    const [post] = await fake.waitForPosts(channel, 1);
    expect(post).toBeDefined();
    expect(post!.token).toBe(BOT_TOKEN);
    expect(post!.thread_ts).toBe(body.event.ts);
    expect(post!.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    const contexts = post!.blocks.filter((b) => b.type === 'context');
    expect(contexts.length).toBeGreaterThanOrEqual(1);
    for (const c of contexts) expect(visibleText({ ...post!, blocks: [c] })).toMatch(/^\[\d+\] 《[^》]+》/);
    expect(post!.text).toContain('个人信息');
    expect(inbound.find((m) => m.conversationRef === `slack:${channel}`)).toMatchObject({
      channel: 'slack',
      tenant: 'giantkone',
      userRef: `${WORKSPACE.teamId}:${WORKSPACE.userId}`,
      messageId: body.event.client_msg_id,
      text: '你们收集哪些个人信息？',
    });
    expect(await metricsText()).toMatch(/privacy_bot_messages_out_total\{channel="slack"\} [1-9]/);
  });

  it('answers a mention in a channel thread, with the mention stripped', async () => {
    const channel = freshChannel('C');
    const body = mention({ channel, text: `<@${WORKSPACE.botUserId}> 你们收集哪些个人信息？` });
    expect((await postJson(body)).status).toBe(200);
    const [post] = await fake.waitForPosts(channel, 1);
    expect(post?.thread_ts).toBe(body.event.ts);
    expect(visibleText(post!)).toMatch(/《[^》]+》/);
    expect(inbound.find((m) => m.conversationRef === `slack:${channel}:${body.event.ts}`)?.text).toBe('你们收集哪些个人信息？');
  });

  it('answers a mention inside a DM once, though Slack sends it as a message and as a mention', async () => {
    const channel = freshChannel();
    const ts = freshTs();
    const text = `<@${WORKSPACE.botUserId}> 你好`;
    await Promise.all([postJson(directMessage({ channel, text, ts })), postJson(mention({ channel, text, ts }))]);
    await fake.waitForPosts(channel, 1);
    await pause(1500);
    expect(fake.posts(channel)).toHaveLength(1);
    expect(inbound.filter((m) => m.conversationRef === `slack:${channel}`).map((m) => m.text)).toEqual(['你好']);
  });

  it('never answers a retried event twice', async () => {
    const channel = freshChannel();
    const body = directMessage({ channel, text: '你好' });
    expect((await postJson(body)).status).toBe(200);
    const first = (await fake.waitForPosts(channel, 1)).length;
    expect(first).toBe(1);
    // Slack timed out waiting for our ack: dropped before the core.
    const timeout = await postJson(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(timeout.status).toBe(200);
    // Slack saw an error: goes through, and the engine's dedupe ignores it.
    const error = await postJson(body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' } });
    expect(error.status).toBe(200);
    await pause(1500);
    expect(fake.posts(channel)).toHaveLength(1);
    expect(await metricsText()).toMatch(/privacy_bot_webhook_rejections_total\{channel="slack",reason="retry"\} [1-9]/);
  });

  it('answers once when a retry arrives while the first delivery is still running', async () => {
    const channel = freshChannel();
    const body = directMessage({ channel, text: '你们收集哪些个人信息？' });
    const responses = await Promise.all([
      postJson(body),
      postJson(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
      postJson(body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' } }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await fake.waitForPosts(channel, 1);
    await pause(1500);
    expect(fake.posts(channel)).toHaveLength(1);
  });

  it('walks a rights request with buttons and files a ticket when 确认 is pressed', async () => {
    const channel = freshChannel();
    const start = directMessage({ channel, text: '我要删除我的个人信息' });
    const thread = start.event.ts as string;
    expect((await postJson(start)).status).toBe(200);

    // The policy's answer, then the form's first question with its buttons.
    let posts = await fake.waitForPosts(channel, 2);
    const scopeQuestion = posts.at(-1)!;
    expect(visibleText(scopeQuestion)).toMatch(/删除哪些个人信息/);
    const scopeButtons = buttonsOf(scopeQuestion);
    expect(scopeButtons.map((b) => b.value)).toEqual(['全部个人信息', '取消']);
    expect(scopeButtons.map((b) => b.actionId)).toEqual(['quick_reply_0', 'quick_reply_1']);
    for (const p of posts) expect(p.thread_ts).toBe(thread);

    // Pressing 全部个人信息 answers the question; Slack gets an empty 200 at once.
    const pressed = await postAction(press(scopeQuestion, thread, scopeButtons[0]!));
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toBe('');
    posts = await fake.waitForPosts(channel, 3);
    expect(visibleText(posts.at(-1)!)).toMatch(/手机号或邮箱/);

    // The contact, typed in the thread; Slack sends an email as a mailto link.
    const contact = directMessage({ channel, thread_ts: thread, text: '<mailto:alice@example.com|alice@example.com>' });
    expect((await postJson(contact)).status).toBe(200);
    posts = await fake.waitForPosts(channel, 4);
    const summary = posts.at(-1)!;
    expect(visibleText(summary)).toContain('a***@example.com');
    const confirm = buttonsOf(summary).find((b) => b.value === '确认');
    expect(confirm).toBeDefined();

    const confirmation = press(summary, thread, confirm!);
    expect((await postAction(confirmation)).status).toBe(200);
    // The ticket, then how identity will be verified (no code provider here: an agent).
    posts = await fake.waitForPosts(channel, 6);
    const ticket = visibleText(posts.at(-2)!);
    expect(ticket).toMatch(/DEL-\d{8}-\d{4,}/);
    expect(visibleText(posts.at(-1)!)).toContain('核验身份中');
    for (const p of posts) expect(p.thread_ts).toBe(thread);
    const ticketId = /DEL-\d{8}-\d{4,}/.exec(ticket)![0];
    expect(inbound.filter((m) => m.conversationRef === `slack:${channel}`).map((m) => m.text)).toEqual([
      '我要删除我的个人信息',
      '全部个人信息',
      'alice@example.com',
      '确认',
    ]);

    // The same press delivered again is the same message: nothing more, no second ticket.
    expect((await postAction(confirmation)).status).toBe(200);
    await pause(1500);
    expect(fake.posts(channel)).toHaveLength(6);
    expect(fake.posts().filter((p) => p.text.includes('DEL-') && p.text.includes(ticketId))).toHaveLength(1);
  });

  it('continues a form in a DM when the next answer is typed as a new message, not in the thread', async () => {
    const channel = freshChannel();
    expect((await postJson(directMessage({ channel, text: '我要删除我的个人信息' }))).status).toBe(200);
    let posts = await fake.waitForPosts(channel, 2);
    expect(visibleText(posts.at(-1)!)).toMatch(/删除哪些个人信息/);
    expect((await postJson(directMessage({ channel, text: '全部个人信息' }))).status).toBe(200);
    posts = await fake.waitForPosts(channel, 3);
    expect(visibleText(posts.at(-1)!)).toMatch(/手机号或邮箱/);
    expect((await postJson(directMessage({ channel, text: '13812345678' }))).status).toBe(200);
    posts = await fake.waitForPosts(channel, 4);
    expect(visibleText(posts.at(-1)!)).toMatch(/确认提交吗/);
    // Each reply still goes into the thread of the message it answers.
    expect(posts.at(-1)!.thread_ts).toBeDefined();
  });

  it('keeps Slack API errors away from the core and carries on', async () => {
    const channel = freshChannel();
    fake.failNext('chat.postMessage', 'channel_not_found');
    expect((await postJson(directMessage({ channel, text: '你好' }))).status).toBe(200);
    await pause(800);
    expect(fake.posts(channel)).toEqual([]);
    expect((await postJson(directMessage({ channel, text: '你们收集哪些个人信息？' }))).status).toBe(200);
    expect(await fake.waitForPosts(channel, 1)).toHaveLength(1);
  });
});

describe('slack: send()', () => {
  it('posts into the conversation a reference names, escaped', async () => {
    const channel = freshChannel();
    const threadTs = freshTs();
    await slackAdapterOf(server).send!(`slack:${channel}:${threadTs}`, [
      { kind: 'info', text: '客服 <小王> & 同事已接手', citations: [], quickReplies: [{ label: '我的申请进度', value: '我的申请进度' }] },
    ]);
    const [post] = fake.posts(channel);
    expect(post).toMatchObject({ channel, thread_ts: threadTs, token: BOT_TOKEN });
    expect(post!.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '客服 &lt;小王&gt; &amp; 同事已接手' } });
    expect(buttonsOf(post!)).toEqual([{ actionId: 'quick_reply_0', label: '我的申请进度', value: '我的申请进度' }]);
  });

  it('refuses a reference that is not Slack’s, and wraps Slack errors', async () => {
    const adapter = slackAdapterOf(server);
    const reply = { kind: 'info' as const, text: '你好', citations: [], quickReplies: [] };
    await expect(adapter.send!('wechat:oABC:1', [reply])).rejects.toSatisfy((e: unknown) => isBotError(e, 'invalid_input'));
    fake.failNext('chat.postMessage', 'not_in_channel');
    const failure = await adapter.send!(`slack:${freshChannel('C')}:${freshTs()}`, [reply]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SlackDeliveryError);
    // Not in the channel: no retry helps, so the outbox is told to give up.
    expect(failure).toMatchObject({ code: 'recipient_unreachable', slackError: 'not_in_channel' });
  });
});

describe('slack: configuration', () => {
  const contextWith = (env: Record<string, string>) =>
    ({ config: loadConfig({ DATA_DIR: '/tmp/unused', ...env }), tenants: ['giantkone', 'smarthw'], logger: pino({ level: 'silent' }) }) as unknown as AdapterContext;
  const credentials = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN };

  it.each([
    ['no credentials', {}, 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable Slack'],
    ['no signing secret', { SLACK_BOT_TOKEN: BOT_TOKEN }, 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable Slack'],
    ['no bot token', { SLACK_SIGNING_SECRET: SIGNING_SECRET }, 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable Slack'],
    ['no tenant', credentials, /set SLACK_TENANT \(or BOT_DEFAULT_TENANT\).*giantkone, smarthw/],
    ['an unknown tenant', { ...credentials, SLACK_TENANT: 'giantkon' }, /SLACK_TENANT "giantkon" is not a tenant.*giantkone, smarthw/],
    ['an unknown default tenant', { ...credentials, BOT_DEFAULT_TENANT: 'acme' }, /BOT_DEFAULT_TENANT "acme" is not a tenant/],
  ])('is off with %s, saying what to set', async (_name, env, message) => {
    const created = await slackAdapter.create(contextWith(env));
    expect('disabled' in created && created.disabled).toMatch(message);
  });

  it('falls back to BOT_DEFAULT_TENANT', async () => {
    const created = await slackAdapter.create(contextWith({ ...credentials, BOT_DEFAULT_TENANT: 'smarthw' }));
    expect('disabled' in created).toBe(false);
  });

  it('is not served when the credentials are missing', async () => {
    const plain = await startTestServer({ assistant });
    try {
      const health = (await (await fetch(`${plain.url}/healthz`)).json()) as { channels: string[] };
      expect(health.channels).not.toContain('slack');
      const response = await fetch(`${plain.url}/slack/events`, { method: 'POST', body: JSON.stringify(fixture('url_verification.json')) });
      expect(response.status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('is served, and listed, when they are set', async () => {
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { channels: string[] };
    expect(health.channels).toContain('slack');
    expect(fake.calls.some((c) => c.method === 'auth.test' && c.token === BOT_TOKEN)).toBe(true);
  });
});
