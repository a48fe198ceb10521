// A WeChat Official Account user and a support agent, end to end over real HTTP: signed
// messages to /wechat, the real server with its outbox worker, and the agent's messages
// arriving through the fake WeChat customer-service API — including the 48-hour window
// (errcode 45015) and a restart while the agent owns the chat.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/handoff/types.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import { openAssistant } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { msgId, postPlain, readReply, textXml } from './client.ts';
import { FakeWechatApi } from './fake-wechat-api.ts';

const TOKEN = 'handofftoken1';
const agent: Agent = { id: 'slack:UAGENT', name: 'Lin' };
type Server = Awaited<ReturnType<typeof startTestServer>>;

let assistant: PolicyAssistant;
const api = new FakeWechatApi();
const env = () => ({ WECHAT_TOKEN: TOKEN, WECHAT_APPID: 'wxhandoff0001', WECHAT_APPSECRET: 'secret', WECHAT_API_BASE: api.url, WECHAT_TENANT: 'giantkone' });

beforeAll(async () => {
  assistant = await openAssistant();
  await api.start();
});
afterAll(async () => {
  await api.stop();
});

async function say(server: Server, user: string, text: string): Promise<string | null> {
  const response = await postPlain(`${server.url}/wechat`, TOKEN, textXml({ user, text, id: msgId() }));
  expect(response.status).toBe(200);
  return readReply(response.body)?.Content ?? null;
}

/** Polls (generous deadline) until `check` holds: the outbox delivers asynchronously. */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WeChat user ↔ agent', () => {
  it('relays both ways through the customer-service API, keeps the bot silent, hands back', async () => {
    const server = await startTestServer({ env: env(), assistant });
    try {
      const user = `ohandoff-${Date.now()}`;
      expect(await say(server, user, '转人工')).toContain('正在为您转接人工客服');
      // Waiting: the bot answers nothing (WeChat gets "success").
      expect(await say(server, user, '你好，有人吗？')).toBeNull();

      const service = server.handoffs;
      const handoff = (await service.openFor('giantkone', 'wechat', `wechat:giantkone:${user}`))!;
      expect(handoff.state).toBe('waiting_agent');
      expect((await service.take(handoff.id, agent)).ok).toBe(true);
      expect((await service.relayFromAgent(handoff.id, agent, { messageId: 'slack-ts-1', text: '您好，我是客服小林。' })).ok).toBe(true);
      await eventually(() => api.deliveredTo(user).length === 2, 'the take-over notice and the agent message');
      expect(api.deliveredTo(user)).toEqual(['人工客服 Lin 已加入对话，请直接描述您的问题。', '【人工客服 Lin】您好，我是客服小林。']);

      // Owned: still no bot answer, whatever the user asks.
      expect(await say(server, user, '你们收集哪些个人信息？')).toBeNull();

      await service.handBack(handoff.id, agent, { note: '问题已解决' });
      // One customer-service message carries the hand-back and the note.
      await eventually(() => api.deliveredTo(user).length === 3, 'the hand-back');
      expect(api.deliveredTo(user)[2]).toMatch(/人工客服已结束服务，接下来由智能助手继续为您服务。\s+工作人员留言：问题已解决/);
      expect(await say(server, user, '你们收集哪些个人信息？')).toMatch(/\[1\]/);
    } finally {
      await server.close();
    }
  });

  it('honours the 48-hour window: errcode 45015 fails the message, records it, and the next message offers a ticket', async () => {
    const server = await startTestServer({ env: env(), assistant });
    try {
      const user = `ostale-${Date.now()}`;
      await say(server, user, '转人工');
      const service = server.handoffs;
      const handoff = (await service.openFor('giantkone', 'wechat', `wechat:giantkone:${user}`))!;
      await service.take(handoff.id, agent);
      await eventually(() => api.deliveredTo(user).length === 1, 'the take-over notice');
      api.sendErrors.push(45015);
      await service.relayFromAgent(handoff.id, agent, { messageId: 'late-1', text: '还在吗？' });
      await eventually(async () => (await service.get(handoff.id))!.userUnreachable, 'the failure to be recorded');
      expect(api.attempts.filter((a) => a.body.touser === user).map((a) => a.errcode)).toEqual([0, 45015]);
      expect((await service.events(handoff.id)).map((e) => e.type)).toContain('delivery_failed');
      expect(await say(server, user, '我回来了')).toContain('没能送达');
    } finally {
      await server.close();
    }
  });

  it('keeps the chat with its agent across a restart', async () => {
    const first = await startTestServer({ env: env(), assistant });
    const user = `orestart-${Date.now()}`;
    await say(first, user, '转人工');
    const handoff = (await first.handoffs.openFor('giantkone', 'wechat', `wechat:giantkone:${user}`))!;
    await first.handoffs.take(handoff.id, agent);
    await eventually(() => api.deliveredTo(user).length === 1, 'the take-over notice');
    await first.close();

    const second = await startTestServer({ env: { ...env(), DATA_DIR: first.dataDir }, assistant });
    try {
      expect(await say(second, user, '你们收集哪些个人信息？')).toBeNull();
      expect((await second.handoffs.relayFromAgent(handoff.id, agent, { messageId: 'after', text: '我还在' })).ok).toBe(true);
      await eventually(() => api.deliveredTo(user).length === 2, 'the agent message after the restart');
    } finally {
      await second.close();
    }
  });
});
