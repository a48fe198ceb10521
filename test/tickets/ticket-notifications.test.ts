// Requesters are told of every status change someone else makes, on the channel they used.
// End to end over real HTTP: a WeChat Official Account user files a request through the real
// server; `privacy-bot tickets update` runs through its own code path (the commander program,
// its own Bot on the same data directory, as another process would); the server's outbox
// delivers the notification through the fake WeChat customer-service API.

import { Command } from 'commander';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBot } from '../../src/bot.ts';
import { registerTicketCommands } from '../../src/cli/tickets.ts';
import { loadConfig } from '../../src/config.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { msgId, postPlain, readReply, textXml } from '../adapters/wechat/client.ts';
import { FakeWechatApi } from '../adapters/wechat/fake-wechat-api.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { startTestServer } from '../helpers/server.ts';

const TOKEN = 'noticetoken1';
type Server = Awaited<ReturnType<typeof startTestServer>>;

let assistant: PolicyAssistant;
let server: Server;
const api = new FakeWechatApi();

beforeAll(async () => {
  assistant = await openAssistant();
  await api.start();
  server = await startTestServer({
    env: { WECHAT_TOKEN: TOKEN, WECHAT_APPID: 'wxnotice0001', WECHAT_APPSECRET: 'secret', WECHAT_API_BASE: api.url, WECHAT_TENANT: 'giantkone' },
    assistant,
  });
});
afterAll(async () => {
  await server?.close();
  await api.stop();
});

async function say(user: string, text: string): Promise<string> {
  const response = await postPlain(`${server.url}/wechat`, TOKEN, textXml({ user, text, id: msgId() }));
  expect(response.status).toBe(200);
  return readReply(response.body)?.Content ?? '';
}

/** Files a deletion request as a WeChat user; returns its ticket id. */
async function fileRequest(user: string): Promise<string> {
  await say(user, '我要删除我的个人信息');
  await say(user, '全部');
  await say(user, '13812345678');
  const filed = await say(user, '确认');
  const id = /DEL-\d{8}-\d{4}/.exec(filed)?.[0];
  if (!id) throw new Error(`no ticket id in "${filed}"`);
  return id;
}

/** `privacy-bot tickets ...` through the CLI's own code, with its own Bot on the server's data directory. */
async function cli(args: string[]): Promise<string[]> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  try {
    const program = new Command().exitOverride();
    const config = loadConfig({ DATA_DIR: server.dataDir });
    registerTicketCommands(program, () => openBot(config, pino({ level: 'silent' }), { assistant }));
    await program.parseAsync(['tickets', ...args], { from: 'user' });
  } finally {
    log.mockRestore();
  }
  return printed;
}

/** Polls (generous deadline) until `check` holds: the outbox delivers asynchronously. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('requester notifications', () => {
  it('a rejection through `tickets update` in another Bot reaches the WeChat user with the reason and the clause', async () => {
    const user = `onotice-${msgId()}`;
    const id = await fileRequest(user);
    expect(api.deliveredTo(user)).toEqual([]);

    expect(await cli(['update', id, '--status', 'rejected', '--note', '账号仍有未完成的订单', '--clause', 'giantkone-rules#8.3', '--by', 'li'])).toEqual([`${id} is now rejected`]);
    await eventually(() => api.deliveredTo(user).length === 1, 'the rejection notice');
    const [notice] = api.deliveredTo(user);
    expect(notice).toContain(`您的删除个人信息申请 ${id} 有了新进展：已拒绝。`);
    expect(notice).toContain(`申请 ${id} 被拒绝的原因：账号仍有未完成的订单`);
    expect(notice).toMatch(/依据：《.+》第8\.3条/);

    // "为什么被拒绝了" answers from the same ticket.
    expect(await say(user, '为什么被拒绝了？')).toContain('账号仍有未完成的订单');
  });

  it('tells the requester each move an agent makes, once; moves they make themselves and illegal moves queue nothing', async () => {
    const user = `oprogress-${msgId()}`;
    const id = await fileRequest(user);
    // The bot's own step after filing (submitted → verifying_identity) is answered in the chat.
    const queued = async () => (await server.outbox.runOnce(), (await (await openBotOnServer()).listOutbox()).filter((o) => o.dedupeKey.startsWith(`ticket:${id}:`)));
    expect(await queued()).toEqual([]);

    await cli(['update', id, '--status', 'in_progress', '--by', 'li']);
    await eventually(() => api.deliveredTo(user).length === 1, 'the in-progress notice');
    expect(api.deliveredTo(user)[0]).toMatch(new RegExp(`申请 ${id} 有了新进展：处理中。\\n身份已核验，工作人员正在处理，将在 \\d{4}-\\d{2}-\\d{2} 前答复您。`));

    await expect(cli(['update', id, '--status', 'submitted', '--by', 'li'])).rejects.toThrow(/cannot become submitted/);
    await cli(['update', id, '--status', 'completed', '--by', 'li']);
    await eventually(() => api.deliveredTo(user).length === 2, 'the completion notice');
    expect(api.deliveredTo(user)[1]).toContain('您的申请已处理完成。');
    // The gauges read the store at the scrape: the CLI's changes count.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/privacy_bot_tickets_open\{tenant="giantkone"\} \d+/);
    expect(metrics).toMatch(/privacy_bot_tickets_overdue\{tenant="giantkone"\} 0/);
    expect(metrics).toMatch(/privacy_bot_ticket_time_to_close_seconds\{tenant="giantkone"\} \d/);
    expect((await queued()).map((o) => [o.dedupeKey, o.state])).toEqual([
      [`ticket:${id}:in_progress`, 'sent'],
      [`ticket:${id}:completed`, 'sent'],
    ]);
  });
});

let shared: Awaited<ReturnType<typeof openBot>> | null = null;
/** The store as the CLI sees it (kept open for the file's tests, closed with the server). */
async function openBotOnServer() {
  shared ??= await openBot(loadConfig({ DATA_DIR: server.dataDir }), pino({ level: 'silent' }), { assistant });
  return shared.store;
}
afterAll(async () => {
  await shared?.close();
});
