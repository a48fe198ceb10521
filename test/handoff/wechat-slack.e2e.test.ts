// The done-criterion of the Slack agent desk: a WeChat Official Account user and Slack agents,
// end to end over real HTTP. The real server with every adapter on a real SQLite database;
// the fake WeChat API and the fake Slack Web API on 127.0.0.1; WeChat XML and Slack events
// and interaction payloads signed as the platforms sign them. Only the clock is the test's
// (the handoff times, the timeout sweep, the outbox); signatures use the real time, as the
// platforms do.

import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../adapters/index.ts';
import { openBot, type Bot } from '../../src/bot.ts';
import { loadConfig } from '../../src/config.ts';
import type { Handoff } from '../../src/handoff/types.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { buttonsOf, fixture, slackSignature, startFakeSlack, visibleText, WORKSPACE, type FakeSlack, type PostedMessage } from '../adapters/slack/fake-slack.ts';
import { msgId, postPlain, readReply, textXml } from '../adapters/wechat/client.ts';
import { FakeWechatApi } from '../adapters/wechat/fake-wechat-api.ts';
import { openAssistant, tempDir } from '../helpers/assistant.ts';

// Payloads are edited field by field; `any` keeps that readable in tests.
type Json = Record<string, any>;

const WECHAT_TOKEN = 'plaintoken123';
const SIGNING_SECRET = 'e6b19c573432dcc6b075501d51b51bb8';
const BOT_TOKEN = 'xoxb-desk-test';
const AGENTS = 'C0AGENTS01';
const SUPPORT_GROUP = 'S0SUPPORT1';
const ALICE = { id: 'UALICE0001', name: 'alice' };
const BOB = { id: 'UBOB000001', name: 'bob' };
/** In the support user group, not in the agent channel. */
const CAROL = { id: 'UCAROL0001', name: 'carol' };
const MALLORY = { id: 'UMALLORY01', name: 'mallory' };
const MINUTE = 60_000;

/** The test's clock, shared by both server instances (a Tuesday, 11:00 in Beijing). */
const clock = { now: new Date('2026-11-24T03:00:00Z') };
const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));

const logLines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let assistant: PolicyAssistant;
let wechat: FakeWechatApi;
let slack: FakeSlack;
const dataDir = tempDir();

interface Instance {
  bot: Bot;
  running: RunningServer;
}
let instance: Instance;

async function startInstance(): Promise<Instance> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    WECHAT_TOKEN,
    WECHAT_APPID: 'wxtestappid0001',
    WECHAT_APPSECRET: 'test-app-secret-value',
    WECHAT_API_BASE: wechat.url,
    WECHAT_TENANT: 'giantkone',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SLACK_TENANT: 'giantkone',
    SLACK_AGENT_CHANNEL: AGENTS,
    SLACK_AGENT_USERGROUP: SUPPORT_GROUP,
  });
  const bot = await openBot(config, pino({ level: 'info' }, logStream), { assistant, clock: () => clock.now });
  // The timeout sweep runs by hand below (after moving the clock), never on its own timer.
  const running = await startServer(bot, ADAPTERS, { port: 0, host: '127.0.0.1', clock: () => clock.now, handoffSweepIntervalMs: 3_600_000 });
  return { bot, running };
}

beforeAll(async () => {
  assistant = await openAssistant();
  wechat = new FakeWechatApi();
  await wechat.start();
  // Two members per page, so the member lookup has to follow the cursor to find Bob.
  slack = await startFakeSlack({ token: BOT_TOKEN, members: { [AGENTS]: [WORKSPACE.botUserId, ALICE.id, 'UOTHER0001', BOB.id] }, usergroups: { [SUPPORT_GROUP]: [CAROL.id] }, pageSize: 2 });
  instance = await startInstance();
});

afterAll(async () => {
  await instance?.running.close();
  await slack?.close();
  await wechat?.stop();
});

// The WeChat side ---------------------------------------------------------------------------------

/** A signed WeChat text message; returns the passive reply's text, or null when the bot stayed silent. */
async function wechatSays(user: string, text: string): Promise<string | null> {
  const response = await postPlain(`${instance.running.url}/wechat`, WECHAT_TOKEN, textXml({ user, text, id: msgId() }));
  expect(response.status).toBe(200);
  return readReply(response.body)?.Content ?? null;
}

/** What reached the user through the customer-service API (agents' messages, the bot's notices). */
const pushedTo = (user: string): string[] => wechat.deliveredTo(user);

async function waitFor<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Delivers everything due (the worker also runs on its own; this makes "nothing more was sent" checkable). */
async function drain(): Promise<void> {
  while ((await instance.running.outbox.runOnce()).sent > 0);
}

// The Slack side ----------------------------------------------------------------------------------

let sequence = 0;
const freshTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;

function signedPost(body: string, contentType: string, headers: Record<string, string> = {}): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(`${instance.running.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body), ...headers },
    body,
  });
}

/** A press of one of `post`'s buttons by `who` (block_actions.json with the desk's fields). */
async function press(who: { id: string; name: string }, post: PostedMessage, label: string): Promise<Response> {
  const button = buttonsOf(post).find((b) => b.label === label);
  if (!button) throw new Error(`no "${label}" button on the post`);
  const body = fixture<Json>('block_actions.json');
  body.user = { id: who.id, username: who.name, name: who.name, team_id: WORKSPACE.teamId };
  body.container = { type: 'message', message_ts: post.ts, channel_id: post.channel, is_ephemeral: false, ...(post.thread_ts && { thread_ts: post.thread_ts }) };
  body.channel = { id: post.channel, name: 'privacy-agents' };
  body.message = { ...body.message, ts: post.ts, thread_ts: post.thread_ts, text: post.text, blocks: post.blocks };
  body.actions = [{ action_id: button.actionId, block_id: 'desk', text: { type: 'plain_text', text: label, emoji: true }, value: button.value, type: 'button', action_ts: freshTs() }];
  return signedPost(`payload=${encodeURIComponent(JSON.stringify(body))}`, 'application/x-www-form-urlencoded');
}

/** message.channels-thread.json: `who` replies in the card's thread. */
function threadReply(who: { id: string }, card: PostedMessage, text: string, ts = freshTs()): Json {
  const body = fixture<Json>('message.channels-thread.json');
  body.event_id = `Ev${ts.replace('.', '')}`;
  body.event = { ...body.event, user: who.id, text, ts, event_ts: ts, thread_ts: card.ts, channel: card.channel, client_msg_id: `msg-${ts}` };
  body.event.blocks[0].elements[0].elements[0].text = text;
  return body;
}

const postEvent = (body: Json, headers: Record<string, string> = {}) => signedPost(JSON.stringify(body), 'application/json', headers);

const conversationOf = (user: string) => `wechat:giantkone:${user}`;

async function openHandoff(user: string): Promise<Handoff> {
  const handoff = await instance.bot.engine.handoffs.openFor('giantkone', 'wechat', conversationOf(user));
  expect(handoff).not.toBeNull();
  return handoff!;
}

/** The escalation card of a handoff as first posted (a snapshot: chat.update changes the fake's copy). */
async function cardOf(handoff: Handoff): Promise<PostedMessage> {
  const ref = await waitFor(() => instance.bot.store.handoffDeskRef(handoff.id, 'slack'), (r) => r !== null, 'the escalation card');
  const ts = ref!.split(':')[1]!;
  return structuredClone((await waitFor(() => slack.post(AGENTS, ts), (p) => p !== undefined, 'the card post'))!);
}

const threadOf = (card: PostedMessage) => slack.posts(AGENTS).filter((p) => p.thread_ts === card.ts);
/** The user's messages relayed into the card's thread, as the agents read them. */
const userMessagesIn = (card: PostedMessage) => threadOf(card).map(visibleText).filter((t) => t.startsWith(':bust_in_silhouette: *user*'));
const labels = (post: PostedMessage) => buttonsOf(post).map((b) => b.label);

/** A user who asked for a person, with their card in the agent channel. */
async function escalatedUser(user: string): Promise<{ handoff: Handoff; card: PostedMessage }> {
  expect(await wechatSays(user, '转人工')).toContain('转接人工客服');
  const handoff = await openHandoff(user);
  return { handoff, card: await cardOf(handoff) };
}

// The story -----------------------------------------------------------------------------------------

describe('a WeChat user and Slack agents', () => {
  it('escalates to the agent channel, Alice takes over, they talk both ways while the bot is silent, she hands back and the bot answers again', async () => {
    const user = 'oWECHAT-full-0001';
    const answer = await wechatSays(user, '你们收集哪些个人信息？');
    expect(answer).toMatch(/个人信息/);
    advance(MINUTE);
    await wechatSays(user, '我的手机号是13812345678');
    advance(MINUTE);
    const { handoff, card } = await escalatedUser(user);
    expect(handoff).toMatchObject({ state: 'waiting_agent', channel: 'wechat', reason: 'human_agent' });

    // The card: tenant, channel, reason, the last messages with the contact masked, two buttons.
    const shown = visibleText(card);
    expect(shown).toContain('巨人通力');
    expect(shown).toContain('giantkone');
    expect(shown).toContain('wechat');
    expect(shown).toContain('asked for a person');
    expect(shown).toContain('你们收集哪些个人信息？');
    expect(shown).toContain('138****5678');
    expect(JSON.stringify(card)).not.toContain('13812345678');
    expect(shown).toContain('Waiting for an agent');
    expect(labels(card)).toEqual(['Take over', 'Close']);
    expect(buttonsOf(card).every((b) => b.value === handoff.id)).toBe(true);

    // Alice takes over: the user is told on WeChat, the card names her, the thread gets her buttons.
    advance(2 * MINUTE);
    expect((await press(ALICE, card, 'Take over')).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('人工客服 alice 已加入对话')), 'the take-over notice on WeChat');
    const taken = await waitFor(() => slack.post(AGENTS, card.ts)!, (p) => visibleText(p).includes('Taken by'), 'the card update');
    expect(visibleText(taken)).toContain(`Taken by <@${ALICE.id}>`);
    expect(labels(taken)).toEqual(['Close']);
    const notice = await waitFor(() => threadOf(card), (t) => t.some((p) => labels(p).includes('Hand back')), 'the take-over notice in the thread');
    expect(visibleText(notice.find((p) => labels(p).includes('Hand back'))!)).toContain(`<@${ALICE.id}> took over`);
    expect((await openHandoff(user))).toMatchObject({ state: 'agent', ownerId: `slack:${ALICE.id}`, ownerName: 'alice' });

    // Bob's click is refused with the owner's name; Alice's double click changes nothing.
    expect((await press(BOB, card, 'Take over')).status).toBe(200);
    const bobTold = await slack.waitForEphemerals(BOB.id, 1);
    expect(bobTold.at(-1)).toMatchObject({ channel: AGENTS, text: expect.stringContaining('alice has already taken this chat') });
    expect((await press(ALICE, card, 'Take over')).status).toBe(200);
    await drain();
    expect(pushedTo(user).filter((t) => t.includes('已加入对话'))).toHaveLength(1);
    expect((await instance.bot.store.handoffEvents(handoff.id)).filter((e) => e.type === 'taken')).toHaveLength(1);

    // Alice's thread reply reaches the user's WeChat. It is in the outbox before Slack gets its 200.
    advance(MINUTE);
    const reply = threadReply(ALICE, card, '您好，我是 Alice，请问有什么可以帮您？');
    expect((await postEvent(reply)).status).toBe(200);
    const queued = await instance.bot.store.listOutbox({ handoffId: handoff.id, target: 'wechat' });
    expect(queued.some((row) => row.dedupeKey.includes(`${AGENTS}:${reply.event.ts}`))).toBe(true);
    await waitFor(() => pushedTo(user), (m) => m.includes('【人工客服 alice】您好，我是 Alice，请问有什么可以帮您？'), 'the agent reply on WeChat');
    // Slack redelivers the event (and a timeout retry): relayed once.
    expect((await postEvent(reply, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' })).status).toBe(200);
    expect((await postEvent(reply, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    await drain();
    expect(pushedTo(user).filter((t) => t.startsWith('【人工客服 alice】'))).toHaveLength(1);

    // The user's messages go to the thread (contacts masked), and the bot does not answer them.
    advance(MINUTE);
    expect(await wechatSays(user, '我想注销账号，邮箱是 zhang.wei@example.com')).toBeNull();
    expect(await wechatSays(user, '你们收集哪些个人信息？')).toBeNull();
    const fromUser = await waitFor(() => userMessagesIn(card), (t) => t.length >= 2, 'the user messages in the thread');
    expect(fromUser[0]).toContain('我想注销账号');
    expect(fromUser[0]).not.toContain('zhang.wei@example.com');
    expect(fromUser[1]).toContain('你们收集哪些个人信息？');
    expect(pushedTo(user).some((t) => t.includes('个人信息') && !t.startsWith('【'))).toBe(false);

    // Bob is an agent but not the owner: his thread message stays in Slack.
    expect((await postEvent(threadReply(BOB, card, '我也来帮忙'))).status).toBe(200);
    const bobNotes = await slack.waitForEphemerals(BOB.id, 2);
    expect(bobNotes.at(-1)).toMatchObject({ thread_ts: card.ts, text: expect.stringContaining('Only the agent who owns this chat (alice)') });
    await drain();
    expect(pushedTo(user).some((t) => t.includes('我也来帮忙'))).toBe(false);

    // Alice hands back with a note: the user is told the bot is back, and the bot answers again.
    advance(MINUTE);
    expect((await postEvent(threadReply(ALICE, card, 'handback: 注销申请请在 App 内提交'))).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('接下来由智能助手继续为您服务') && t.includes('工作人员留言：注销申请请在 App 内提交')), 'the hand-back on WeChat');
    expect(pushedTo(user).some((t) => t.includes('handback'))).toBe(false);
    const back = await waitFor(() => slack.post(AGENTS, card.ts)!, (p) => visibleText(p).includes('Handed back'), 'the card after the hand-back');
    expect(labels(back)).toEqual([]);
    await waitFor(() => threadOf(card).map(visibleText), (t) => t.some((x) => x.includes('handed the chat back to the bot: 注销申请请在 App 内提交')), 'the hand-back notice');
    expect((await instance.bot.engine.handoffs.get(handoff.id))!.state).toBe('bot');

    advance(MINUTE);
    expect(await wechatSays(user, '你们收集哪些个人信息？')).toMatch(/个人信息/);
    const events = (await instance.bot.store.handoffEvents(handoff.id)).map((e) => `${e.type}:${e.actor}`);
    expect(events).toEqual([
      `escalated:user:${user}`,
      `taken:agent:slack:${ALICE.id}`,
      `relayed_to_user:agent:slack:${ALICE.id}`,
      `relayed_to_agent:user:${user}`,
      `relayed_to_agent:user:${user}`,
      `handed_back:agent:slack:${ALICE.id}`,
    ]);
  });

  it('lets exactly one of two agents who click Take over at the same moment own the chat', async () => {
    const user = 'oWECHAT-race-0001';
    const { handoff, card } = await escalatedUser(user);
    advance(MINUTE);
    const statuses = await Promise.all([press(ALICE, card, 'Take over'), press(BOB, card, 'Take over')]);
    expect(statuses.map((r) => r.status)).toEqual([200, 200]);
    const owned = (await instance.bot.engine.handoffs.get(handoff.id))!;
    expect(owned.state).toBe('agent');
    const [winner, loser] = owned.ownerId === `slack:${ALICE.id}` ? [ALICE, BOB] : [BOB, ALICE];
    expect(owned.ownerId).toBe(`slack:${winner.id}`);
    const told = await waitFor(() => slack.ephemerals(loser.id), (e) => e.some((x) => x.text.includes(`${winner.name} has already taken this chat`)), 'the loser’s refusal');
    expect(told.length).toBeGreaterThan(0);
    expect(slack.ephemerals(winner.id).some((x) => x.text.includes('already taken'))).toBe(false);
    await drain();
    expect(pushedTo(user).filter((t) => t.includes('已加入对话'))).toEqual([`人工客服 ${winner.name} 已加入对话，请直接描述您的问题。`]);
    expect((await instance.bot.store.handoffEvents(handoff.id)).filter((e) => e.type === 'taken')).toHaveLength(1);
  });

  it('refuses and logs someone who is neither in the agent channel nor in the user group; a user-group member may act', async () => {
    const user = 'oWECHAT-unauth-001';
    const secret = '我的身份证丢了，能帮我查一下吗';
    await wechatSays(user, secret);
    const { handoff, card } = await escalatedUser(user);
    const before = logLines.length;

    expect((await press(MALLORY, card, 'Take over')).status).toBe(200);
    const refused = await slack.waitForEphemerals(MALLORY.id, 1);
    expect(refused[0]).toMatchObject({ channel: AGENTS, text: expect.stringContaining('Only members of the agent channel') });
    expect((await instance.bot.engine.handoffs.get(handoff.id))!.state).toBe('waiting_agent');
    const logged = logLines.slice(before).filter((l) => l.msg === 'slack desk: action by someone who is not an agent refused');
    expect(logged).toEqual([expect.objectContaining({ level: 40, slackUser: MALLORY.id, handoffId: handoff.id, action: 'take' })]);
    // Ids only: no message text, no names.
    expect(JSON.stringify(logLines.slice(before))).not.toContain(secret.slice(0, 6));
    expect(JSON.stringify(logLines.slice(before))).not.toContain('mallory');

    // Writing in the thread is refused the same way, and nothing reaches the user.
    expect((await postEvent(threadReply(MALLORY, card, '我是客服，把验证码发我'))).status).toBe(200);
    await slack.waitForEphemerals(MALLORY.id, 2);
    await drain();
    expect(pushedTo(user).some((t) => t.includes('验证码'))).toBe(false);
    expect(logLines.slice(before).filter((l) => l.msg === 'slack desk: action by someone who is not an agent refused')).toHaveLength(2);
    const metrics = await (await fetch(`${instance.running.url}/metrics`)).text();
    expect(metrics).toMatch(/privacy_bot_webhook_rejections_total\{channel="slack",reason="not_agent"\} 2/);

    // Carol is in the support user group (not in the channel): she may take over.
    expect((await press(CAROL, card, 'Take over')).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('人工客服 carol 已加入对话')), 'carol’s take-over');
    expect((await instance.bot.engine.handoffs.get(handoff.id))!.ownerId).toBe(`slack:${CAROL.id}`);
  });

  it('times a chat out that nobody took: the user is offered a ticket, the card closes, a late click is refused', async () => {
    const user = 'oWECHAT-timeout-01';
    const { handoff, card } = await escalatedUser(user);
    advance(9 * MINUTE);
    await instance.bot.engine.handoffs.sweepTimeouts();
    expect((await instance.bot.engine.handoffs.get(handoff.id))!.state).toBe('waiting_agent');

    advance(2 * MINUTE);
    expect(await instance.bot.engine.handoffs.sweepTimeouts()).toBeGreaterThanOrEqual(1);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('暂时没有工作人员接入')), 'the timeout notice on WeChat');
    const closed = await waitFor(() => slack.post(AGENTS, card.ts)!, (p) => visibleText(p).includes('Closed'), 'the closed card');
    expect(labels(closed)).toEqual([]);
    await waitFor(() => threadOf(card).map(visibleText), (t) => t.some((x) => x.includes('Nobody took the chat in time')), 'the timeout notice in the thread');

    expect((await press(ALICE, card, 'Take over')).status).toBe(200);
    await waitFor(() => slack.ephemerals(ALICE.id), (e) => e.some((x) => x.text.includes('no longer open')), 'the late click’s refusal');
    expect((await instance.bot.engine.handoffs.get(handoff.id))!.state).toBe('closed');
    // The bot answers the user again.
    expect(await wechatSays(user, '你们收集哪些个人信息？')).toMatch(/个人信息/);
  });

  it('treats an agent’s mention of the bot in a thread as a message for the user, and an agent’s DM as a chat with the bot', async () => {
    const user = 'oWECHAT-mention-01';
    const { card } = await escalatedUser(user);
    expect((await press(ALICE, card, 'Take over')).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('已加入对话')), 'the take-over');
    await drain();
    const threadBefore = threadOf(card).length;

    // Slack sends a mention in a channel thread twice: as a message and as an app_mention.
    const text = `<@${WORKSPACE.botUserId}> 你们收集哪些个人信息？请稍等，我查一下`;
    const asMessage = threadReply(ALICE, card, text);
    const asMention = fixture<Json>('app_mention.json');
    asMention.event_id = `${asMessage.event_id}M`;
    asMention.event = { ...asMention.event, user: ALICE.id, text, ts: asMessage.event.ts, event_ts: asMessage.event.ts, thread_ts: card.ts, channel: AGENTS };
    expect((await postEvent(asMention)).status).toBe(200);
    expect((await postEvent(asMessage)).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.includes('【人工客服 alice】你们收集哪些个人信息？请稍等，我查一下'), 'the relayed mention');
    await drain();
    expect(pushedTo(user).filter((t) => t.startsWith('【人工客服 alice】'))).toHaveLength(1);
    // The bot answered nobody in the agent channel.
    expect(threadOf(card)).toHaveLength(threadBefore);

    // Alice's DM to the bot is an ordinary user chat, answered in her DM.
    const dm = fixture<Json>('message.im.json');
    const ts = freshTs();
    dm.event_id = `Ev${ts.replace('.', '')}D`;
    dm.event = { ...dm.event, user: ALICE.id, channel: 'D0ALICE001', ts, event_ts: ts, client_msg_id: `dm-${ts}` };
    expect((await postEvent(dm)).status).toBe(200);
    const answers = await slack.waitForPosts('D0ALICE001', 1);
    expect(visibleText(answers[0]!)).toMatch(/个人信息/);
    expect(pushedTo(user).some((t) => t.includes('根据'))).toBe(false);
  });

  it('serves a Slack user the same way: the agent’s thread reply reaches their DM, their DMs reach the thread', async () => {
    const dmChannel = 'D0SLACKU01';
    const slackUser = 'USLACKUSR1';
    const dm = (text: string) => {
      const body = fixture<Json>('message.im.json');
      const ts = freshTs();
      body.event_id = `Ev${ts.replace('.', '')}U`;
      body.event = { ...body.event, user: slackUser, channel: dmChannel, text, ts, event_ts: ts, client_msg_id: `dm-${ts}` };
      return postEvent(body);
    };
    expect((await dm('转人工')).status).toBe(200);
    const asked = await slack.waitForPosts(dmChannel, 1);
    expect(visibleText(asked[0]!)).toContain('转接人工客服');
    const handoff = (await waitFor(() => instance.bot.engine.handoffs.openFor('giantkone', 'slack', `slack:${dmChannel}`), (h) => h !== null, 'the handoff'))!;
    const card = await cardOf(handoff);
    expect(visibleText(card)).toContain('Chat from slack');

    expect((await press(BOB, card, 'Take over')).status).toBe(200);
    await slack.waitForPosts(dmChannel, 2);
    expect((await postEvent(threadReply(BOB, card, '你好，我是 Bob'))).status).toBe(200);
    const posts = await slack.waitForPosts(dmChannel, 3);
    expect(posts.map(visibleText)).toEqual([expect.stringContaining('转接人工客服'), '人工客服 bob 已加入对话，请直接描述您的问题。', '【人工客服 bob】你好，我是 Bob']);

    expect((await dm('你们收集哪些个人信息？')).status).toBe(200);
    await waitFor(() => userMessagesIn(card), (t) => t.some((x) => x.includes('你们收集哪些个人信息？')), 'the Slack user’s message in the thread');
    await drain();
    expect(slack.posts(dmChannel)).toHaveLength(3);
  });

  it('tells the owner in the thread when a reply cannot reach the WeChat user (45015, outside the 48 hours)', async () => {
    const user = 'oWECHAT-window-01';
    const { card } = await escalatedUser(user);
    expect((await press(ALICE, card, 'Take over')).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('已加入对话')), 'the take-over');
    await drain();

    wechat.sendErrors.push(45015);
    advance(MINUTE);
    expect((await postEvent(threadReply(ALICE, card, '您还在吗？'))).status).toBe(200);
    await waitFor(() => threadOf(card).map(visibleText), (t) => t.some((x) => x.includes('could not reach the user: recipient_unreachable')), 'the undelivered notice');
    expect(pushedTo(user).some((t) => t.includes('您还在吗'))).toBe(false);
    // The user's next message goes to the thread and brings them a ticket offer.
    expect(await wechatSays(user, '在的')).toContain('没能送达');
    await waitFor(() => userMessagesIn(card), (t) => t.some((x) => x.includes('在的')), 'the user message');
  });

  it('keeps the ownership and the relays across a restart on the same database', async () => {
    const user = 'oWECHAT-restart-01';
    const { handoff, card } = await escalatedUser(user);
    advance(MINUTE);
    expect((await press(ALICE, card, 'Take over')).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('人工客服 alice 已加入对话')), 'the take-over');
    await drain();

    // The database goes away while Alice writes: Slack is answered 500, so it redelivers later.
    advance(MINUTE);
    const reply = threadReply(ALICE, card, '重启之后我还在');
    await instance.running.outbox.stop();
    await instance.bot.store.close();
    expect((await postEvent(reply)).status).toBe(500);

    await instance.running.close();
    instance = await startInstance();
    expect(await instance.bot.engine.handoffs.get(handoff.id)).toMatchObject({ state: 'agent', ownerId: `slack:${ALICE.id}` });

    // Slack's redelivery reaches the new instance and is relayed once.
    expect((await postEvent(reply, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' })).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.includes('【人工客服 alice】重启之后我还在'), 'the agent reply after the restart');
    expect((await postEvent(reply, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' })).status).toBe(200);
    await drain();
    expect(pushedTo(user).filter((t) => t === '【人工客服 alice】重启之后我还在')).toHaveLength(1);
    expect(await wechatSays(user, '好的，谢谢')).toBeNull();
    await waitFor(() => userMessagesIn(card), (t) => t.some((x) => x.includes('好的，谢谢')), 'the user message after the restart');

    // Close ends it politely.
    advance(MINUTE);
    const current = slack.post(AGENTS, card.ts)!;
    expect((await press(ALICE, current, 'Close')).status).toBe(200);
    await waitFor(() => pushedTo(user), (m) => m.some((t) => t.includes('本次人工服务已结束')), 'the closing message');
    await waitFor(() => slack.post(AGENTS, card.ts)!, (p) => visibleText(p).includes('Closed') && labels(p).length === 0, 'the closed card');
    expect((await instance.bot.engine.handoffs.get(handoff.id))!.state).toBe('closed');
  });
});
