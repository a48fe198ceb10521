// The whole human handoff in real headless Chromium, two browser contexts: a web-chat user
// asks for a person; an agent logs into /agent, takes over; they write to each other (pushed
// both ways, no reload); the agent hands back and the bot answers again.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent } from '../../../src/agents/accounts.ts';
import { tempDir } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT = 15_000;
const PASSWORD = 'agent-password-1';

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The browser test needs Chromium at ${CHROMIUM}.`);
  const agentsFile = join(tempDir(), 'agents.json');
  await addAgent(agentsFile, 'wang', PASSWORD);
  server = await startTestServer({ env: { AGENTS_FILE: agentsFile } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const botTexts = (page: Page) => page.locator('#messages > li.message.bot:not(.intro) .text').allTextContents();

async function type(page: Page, text: string): Promise<void> {
  const input = page.getByLabel('输入您的问题 (Your message)');
  await input.fill(text);
  await input.press('Enter');
  await page.locator('#typing').waitFor({ state: 'hidden' });
}

describe('agent console ↔ web chat', () => {
  it('takes over a web chat, talks both ways live, hands back, and the bot answers again', async () => {
    const userContext = await browser.newContext({ locale: 'zh-CN' });
    const agentContext = await browser.newContext({ locale: 'zh-CN' });
    userContext.setDefaultTimeout(TIMEOUT);
    agentContext.setDefaultTimeout(TIMEOUT);
    const problems: string[] = [];
    try {
      const user = await userContext.newPage();
      user.on('pageerror', (e) => problems.push(e.message));
      await user.goto(server.url);
      await user.locator('html[data-ready="true"]').waitFor();
      await user.locator('html[data-push="open"]').waitFor();
      await type(user, '你们收集哪些个人信息？');
      await type(user, '转人工');
      await expect.poll(async () => (await botTexts(user)).at(-1)).toContain('正在为您转接人工客服');

      const agent = await agentContext.newPage();
      agent.on('pageerror', (e) => problems.push(e.message));
      await agent.goto(`${server.url}/agent`);
      await agent.waitForURL('**/agent/login');
      await agent.getByLabel('用户名 (Name)').fill('wang');
      await agent.getByLabel('密码 (Password)').fill(PASSWORD);
      await agent.getByRole('button', { name: '登录 (Log in)' }).click();
      await agent.waitForURL(/\/agent$/);
      await agent.locator('html[data-live="true"]').waitFor();
      const chat = agent.locator('li.handoff[data-state="waiting_agent"]').first();
      await expect.poll(() => chat.count()).toBe(1);
      // The agent sees the conversation so far, with the bot's citation.
      await expect.poll(() => chat.locator('.line.in').allTextContents()).toEqual(['你们收集哪些个人信息？', '转人工']);
      expect(await chat.locator('.cite').count()).toBeGreaterThan(0);
      await chat.getByRole('button', { name: '接手 (Take over)' }).click();

      const owned = agent.locator('li.handoff[data-state="agent"]').first();
      await owned.waitFor();
      await expect.poll(async () => (await botTexts(user)).at(-1)).toBe('人工客服 wang 已加入对话，请直接描述您的问题。');

      await owned.getByLabel('回复用户 (Reply)').fill('您好，我是小王，请问需要什么帮助？');
      await owned.getByRole('button', { name: '发送 (Send)' }).click();
      await expect.poll(async () => (await botTexts(user)).at(-1)).toBe('【人工客服 wang】您好，我是小王，请问需要什么帮助？');

      // The user answers; the bot stays silent and the message appears in the console, pushed.
      const before = (await botTexts(user)).length;
      await type(user, '我想删除我在你们那里的全部数据，我的手机 13812345678');
      await expect
        .poll(() => agent.locator('li.handoff[data-state="agent"] .line.in').allTextContents())
        .toContain('我想删除我在你们那里的全部数据，我的手机 138****5678');
      expect((await botTexts(user)).length).toBe(before);

      await agent.locator('li.handoff[data-state="agent"]').getByLabel('交回备注 (Hand-back note)').fill('已记录，机器人可协助提交申请');
      await agent.locator('li.handoff[data-state="agent"]').getByRole('button', { name: '交回机器人 (Hand back)' }).click();
      await expect.poll(async () => (await botTexts(user)).at(-1)).toBe('工作人员留言：已记录，机器人可协助提交申请');
      await expect.poll(() => agent.locator('li.handoff').count()).toBe(0);

      const count = (await botTexts(user)).length;
      await type(user, '你们收集哪些个人信息？');
      await expect.poll(async () => (await botTexts(user)).length).toBeGreaterThan(count);
      expect(await user.locator('.citation').count()).toBeGreaterThan(1);
      expect(problems).toEqual([]);
    } finally {
      await userContext.close();
      await agentContext.close();
    }
  });
});
