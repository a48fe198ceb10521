// New tickets reach the Slack agent channel, end to end over real HTTP: a WeChat Official
// Account user files a request through the real server (real SQLite); the ticket's card is
// posted by the outbox to the fake Slack Web API. Also: the card's text, pure.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTicketCard, ticketWords } from '../../../adapters/slack/ticket-card.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import type { TicketRecord } from '../../../src/tickets/ticket.ts';
import { msgId, postPlain, readReply, textXml } from '../wechat/client.ts';
import { FakeWechatApi } from '../wechat/fake-wechat-api.ts';
import { openAssistant } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { startFakeSlack, visibleText, type FakeSlack } from './fake-slack.ts';

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
      SLACK_SIGNING_SECRET: 'e6b19c573432dcc6b075501d51b51bb8',
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

describe('Slack ticket desk', () => {
  it('posts a ticket filed by a WeChat user to the agent channel: type, tenant, due date, masked contact, masked words, cited clauses', async () => {
    const user = `oticket-${msgId()}`;
    await say(user, '我要删除我的个人信息');
    await say(user, '购物记录，我的邮箱 li.lei@example.com');
    await say(user, '13812345678');
    const filed = await say(user, '确认');
    const id = /DEL-\d{8}-\d{4}/.exec(filed)?.[0];
    expect(id).toBeDefined();

    const [card] = await slack.waitForPosts(AGENTS, 1);
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
    expect(slack.posts(AGENTS)).toHaveLength(1);
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
  });
});
