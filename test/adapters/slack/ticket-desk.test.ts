// New tickets reach the Slack agent channel, end to end over real HTTP: a WeChat Official
// Account user files a request through the real server (real SQLite); the ticket's card is
// posted by the outbox to the fake Slack Web API. Also: the card's text, pure.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTicketCard, ticketWords } from '../../../adapters/slack/ticket-card.ts';
import { parseTicketPress } from '../../../adapters/slack/ticket-desk-parse.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import type { TicketRecord } from '../../../src/tickets/ticket.ts';
import { msgId, postPlain, readReply, textXml } from '../wechat/client.ts';
import { FakeWechatApi } from '../wechat/fake-wechat-api.ts';
import { openAssistant } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { fixture, slackSignature, startFakeSlack, visibleText, WORKSPACE, type FakeSlack, type PostedMessage } from './fake-slack.ts';

// Payloads are edited field by field; `any` keeps that readable in tests.
type Json = Record<string, any>;
const SIGNING_SECRET = 'e6b19c573432dcc6b075501d51b51bb8';
const AGENT = { id: 'UAGENT0001', name: 'alice' };
const STRANGER = { id: 'USTRANGER1', name: 'mallory' };

const WECHAT_TOKEN = 'ticketdesk1';
const BOT_TOKEN = 'xoxb-ticket-desk';
const AGENTS = 'C0TICKETS1';

let assistant: PolicyAssistant;
let slack: FakeSlack;
const wechat = new FakeWechatApi();
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  assistant = await openAssistant();
  await wechat.start();
  slack = await startFakeSlack({ token: BOT_TOKEN, members: { [AGENTS]: ['UAGENT0001'] } });
  server = await startTestServer({
    assistant,
    env: {
      WECHAT_TOKEN,
      WECHAT_APPID: 'wxticketdesk1',
      WECHAT_APPSECRET: 'secret',
      WECHAT_API_BASE: wechat.url,
      WECHAT_TENANT: 'giantkone',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      SLACK_TENANT: 'giantkone',
      SLACK_AGENT_CHANNEL: AGENTS,
    },
  });
});
afterAll(async () => {
  await server?.close();
  await slack?.close();
  await wechat.stop();
});

async function say(user: string, text: string): Promise<string> {
  const response = await postPlain(`${server.url}/wechat`, WECHAT_TOKEN, textXml({ user, text, id: msgId() }));
  expect(response.status).toBe(200);
  return readReply(response.body)?.Content ?? '';
}

let sequence = 0;
const freshTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;

/** A block_actions payload as Slack signs it: `who` pressed `action` on the card `post`. */
function pressOn(who: { id: string; name: string }, post: PostedMessage, action: Json): Promise<Response> {
  const body = fixture<Json>('block_actions.json');
  body.user = { id: who.id, username: who.name, name: who.name, team_id: WORKSPACE.teamId };
  body.container = { type: 'message', message_ts: post.ts, channel_id: post.channel, is_ephemeral: false };
  body.channel = { id: post.channel, name: 'privacy-agents' };
  body.message = { ...body.message, ts: post.ts, text: post.text, blocks: post.blocks };
  body.actions = [{ block_id: 'ticket', action_ts: freshTs(), ...action }];
  const raw = `payload=${encodeURIComponent(JSON.stringify(body))}`;
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(`${server.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, raw) },
    body: raw,
  });
}

/** The card's actions block elements, as Slack would show them. */
const actionsOf = (post: PostedMessage): Json[] => ((post.blocks as Json[]).find((b) => b.type === 'actions')?.elements ?? []) as Json[];

async function fileAs(user: string, words = '全部'): Promise<string> {
  await say(user, '我要删除我的个人信息');
  await say(user, words);
  await say(user, '13812345678');
  const id = /DEL-\d{8}-\d{4}/.exec(await say(user, '确认'))?.[0];
  if (!id) throw new Error('no ticket filed');
  return id;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Slack ticket desk', () => {
  it('posts a ticket filed by a WeChat user to the agent channel: type, tenant, due date, masked contact, masked words, cited clauses', async () => {
    const user = `oticket-${msgId()}`;
    const before = slack.posts(AGENTS).length;
    await say(user, '我要删除我的个人信息');
    await say(user, '购物记录，我的邮箱 li.lei@example.com');
    await say(user, '13812345678');
    const filed = await say(user, '确认');
    const id = /DEL-\d{8}-\d{4}/.exec(filed)?.[0];
    expect(id).toBeDefined();

    const [card] = (await slack.waitForPosts(AGENTS, before + 1)).slice(before);
    expect(card).toBeDefined();
    const text = visibleText(card!);
    expect(text).toContain(`New Deletion request ${id}`);
    expect(text).toMatch(/\*Tenant\*\n.+ \(`giantkone`\)/);
    expect(text).toMatch(/\*Due\*\n\d{4}-\d{2}-\d{2}/);
    expect(text).toContain('138****5678');
    expect(text).toContain('购物记录');
    // The requester's words are shown masked; the clear contact never reaches Slack.
    expect(text).not.toContain('li.lei@example.com');
    expect(text).not.toContain('13812345678');
    expect(text).toMatch(/`giantkone-[a-z-]+#[\d.()]+`/);
    // One card per ticket, however often the outbox runs.
    await server.outbox.runOnce();
    expect(slack.posts(AGENTS)).toHaveLength(before + 1);
  });

  it('an agent rejects a WeChat user\'s ticket with a reason from the card\'s list; the user is told the reason on WeChat', async () => {
    const user = `oreject-${msgId()}`;
    const before = slack.posts(AGENTS).length;
    const id = await fileAs(user);
    const card = (await slack.waitForPosts(AGENTS, before + 1)).at(-1)!;
    expect(visibleText(card)).toContain(id);
    const elements = actionsOf(card);
    // One move forward (the card shows the status it found: submitted or, a moment later, verifying_identity) and the reasons; never cancel.
    expect(elements.map((e) => e.text?.text ?? e.placeholder?.text)).toEqual([expect.stringMatching(/^(Verify identity|In progress)$/), 'Reject with reason…']);
    const select = elements.find((e) => e.type === 'static_select')!;
    const option = (select.options as Json[]).find((o) => o.value === `${id}|legal_retention`)!;

    // Someone outside the agent channel is refused, and nothing moves.
    expect((await pressOn(STRANGER, card, { type: 'static_select', action_id: select.action_id, selected_option: option })).status).toBe(200);
    expect((await slack.waitForEphemerals(STRANGER.id, 1))[0]!.text).toMatch(/Only members/);

    const pressed = await pressOn(AGENT, card, { type: 'static_select', action_id: select.action_id, selected_option: option });
    expect(pressed.status).toBe(200);
    await eventually(() => wechat.deliveredTo(user).length === 1, "the requester's notification");
    const notice = wechat.deliveredTo(user)[0]!;
    expect(notice).toContain(`申请 ${id} 有了新进展：已拒绝。`);
    expect(notice).toContain(`申请 ${id} 被拒绝的原因：法律、行政法规要求我们继续保存相关信息`);
    // The card now shows the new status and no more moves.
    const updated = await slack.waitForPost(AGENTS, card.ts, (p) => actionsOf(p).length === 0);
    expect(visibleText(updated!)).toMatch(/\*Status\*\nrejected/);

    // A stale card's button: the move is refused as the CLI would refuse it, to the agent only.
    const stale = elements.find((e) => e.type === 'button')!;
    await pressOn(AGENT, card, { type: 'button', action_id: stale.action_id, value: stale.value, text: stale.text });
    expect((await slack.waitForEphemerals(AGENT.id, 1))[0]!.text).toMatch(/is rejected; it cannot become (verifying_identity|in_progress)\. It is closed\./);
    expect(wechat.deliveredTo(user)).toHaveLength(1);
  });

  it('renders the card from the record, leaving sealed originals out', () => {
    const ticket = {
      id: 'COR-20261201-0001',
      type: 'correct_data',
      tenant: 'acme',
      channel: 'web',
      contactMasked: 'a***@example.com',
      details: { scope: '手机号 138****5678 <b>', 'scope.sealed': 'SEALED' },
      clauses: [{ policyId: 'acme', clauseId: 'acme#8.2', number: '8.2', title: '更正' }],
      status: 'verifying_identity',
      dueDate: '2026-12-16',
      deadlineSource: 'tenant_default',
    } as unknown as TicketRecord;
    expect(ticketWords(ticket)).toEqual([['scope', '手机号 138****5678 <b>']]);
    const card = renderTicketCard(ticket, 'Acme');
    const all = JSON.stringify(card.blocks);
    expect(all).not.toContain('SEALED');
    expect(all).toContain('&lt;b&gt;');
    expect(card.text).toBe('New Correction request COR-20261201-0001 (Acme), due 2026-12-16');
    expect(all).toContain('2026-12-16 (tenant default)');
    expect(all).toContain('`acme#8.2` 8.2 更正');
    // verifying_identity: verify (in progress) or reject; never cancel (the requester's move).
    const actions = card.blocks.find((b) => b.type === 'actions') as Json;
    expect(actions.elements.map((e: Json) => e.value ?? e.options.map((o: Json) => o.value).join(','))).toEqual([
      'COR-20261201-0001|in_progress',
      'COR-20261201-0001|identity_unverified,COR-20261201-0001|duplicate,COR-20261201-0001|legal_retention,COR-20261201-0001|no_data,COR-20261201-0001|not_a_right',
    ]);
    expect(renderTicketCard({ ...ticket, status: 'completed' }, 'Acme').blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('ticket press payloads', () => {
  const payload = (action: Json): Json => ({ user: { id: 'U1', username: 'alice' }, container: { channel_id: 'C1', message_ts: '1.000001' }, actions: [action] });
  const move = (value: string) => payload({ type: 'button', action_id: 'ticket_move', value });
  const reject = (value: string) => payload({ type: 'static_select', action_id: 'ticket_reject', selected_option: { value } });

  it.each([
    ['a move', move('DEL-20261201-0001|in_progress'), { ticketId: 'DEL-20261201-0001', to: 'in_progress', reason: null }],
    ['a reason picked', reject('DEL-20261201-0001|duplicate'), { ticketId: 'DEL-20261201-0001', to: 'rejected', reason: 'duplicate' }],
    ['an unknown reason', reject('DEL-20261201-0001|because'), null],
    ['a rejection without a reason', move('DEL-20261201-0001|rejected'), null],
    ['an unknown status', move('DEL-20261201-0001|done'), null],
    ['a malformed ticket id', move('../etc|in_progress'), null],
    ['no user', { ...move('DEL-20261201-0001|in_progress'), user: undefined }, null],
  ])('%s', (_name, body, expected) => {
    const press = parseTicketPress(body);
    if (expected === null) expect(press).toBeNull();
    else expect(press).toEqual({ ...expected, actor: { userId: 'U1', name: 'alice' }, channel: 'C1', messageTs: '1.000001' });
  });
});
