// A web-chat user and a support agent in real headless Chromium: the user asks for a person,
// the agent (acting through the handoff service, as a desk does) takes over and writes; the
// message appears on the page without a reload (Server-Sent Events). A reload shows the
// conversation so far, citations included; after the hand-back the bot answers again.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/handoff/types.ts';
import { startTestServer } from '../../helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT = 15_000;
const agent: Agent = { id: 'console:wang', name: '小王' };

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The browser test needs Chromium at ${CHROMIUM}.`);
  server = await startTestServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const botTexts = (page: Page) => page.locator('#messages > li.message.bot:not(.intro) .text').allTextContents();
const userTexts = (page: Page) => page.locator('#messages > li.message.user .text').allTextContents();

async function type(page: Page, text: string): Promise<void> {
  const input = page.getByLabel('输入您的问题 (Your message)');
  await input.fill(text);
  await input.press('Enter');
  await page.locator('#typing').waitFor({ state: 'hidden' });
}

describe('web chat ↔ agent', () => {
  it('pushes the agent’s messages live, restores the conversation on reload, and returns to the bot', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    context.setDefaultTimeout(TIMEOUT);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    try {
      await page.goto(server.url);
      await page.locator('html[data-ready="true"]').waitFor();
      await page.locator('html[data-push="open"]').waitFor();
      const tenant = await page.locator('#tenant').inputValue();
      // The history request issued the session cookie (HttpOnly: the test reads it from the context).
      const cookie = (await context.cookies()).find((c) => c.name === 'pb_session');
      const session = cookie?.value.split('.')[0];
      expect(session).toBeTruthy();
      const conversationRef = `web:${tenant}:${session}`;

      await type(page, '你们收集哪些个人信息？');
      await expect.poll(() => page.locator('.citation').count()).toBeGreaterThan(0);
      await type(page, '转人工');
      await expect.poll(async () => (await botTexts(page)).at(-1)).toContain('正在为您转接人工客服');

      const handoff = (await server.handoffs.openFor(tenant, 'web', conversationRef))!;
      expect(handoff.state).toBe('waiting_agent');
      expect((await server.handoffs.take(handoff.id, agent)).ok).toBe(true);
      expect((await server.handoffs.relayFromAgent(handoff.id, agent, { messageId: 'w1', text: '您好，请问有什么可以帮您？' })).ok).toBe(true);
      // Pushed: the user typed nothing.
      await expect.poll(async () => (await botTexts(page)).at(-1), { timeout: TIMEOUT }).toBe('【人工客服 小王】您好，请问有什么可以帮您？');
      expect(await botTexts(page)).toContain('人工客服 小王 已加入对话，请直接描述您的问题。');

      // The bot stays silent while the agent owns the chat.
      const before = (await botTexts(page)).length;
      await type(page, '我想确认一下我的数据是否已删除');
      expect((await botTexts(page)).length).toBe(before);

      // A reload shows everything so far: both sides, the agent's message, the cited answer.
      await page.reload();
      await page.locator('html[data-ready="true"]').waitFor();
      await page.locator('html[data-push="open"]').waitFor();
      expect(await userTexts(page)).toEqual(['你们收集哪些个人信息？', '转人工', '我想确认一下我的数据是否已删除']);
      expect(await botTexts(page)).toContain('【人工客服 小王】您好，请问有什么可以帮您？');
      expect(await page.locator('.citation').count()).toBeGreaterThan(0);

      // Still pushed after the reload, and nothing shown twice.
      await server.handoffs.relayFromAgent(handoff.id, agent, { messageId: 'w2', text: '已经为您删除。' });
      await expect.poll(async () => (await botTexts(page)).at(-1), { timeout: TIMEOUT }).toBe('【人工客服 小王】已经为您删除。');
      await server.handoffs.handBack(handoff.id, agent, { note: '如有问题请随时联系' });
      await expect.poll(async () => (await botTexts(page)).at(-1), { timeout: TIMEOUT }).toBe('工作人员留言：如有问题请随时联系');
      const texts = await botTexts(page);
      expect(texts.filter((t) => t === '【人工客服 小王】您好，请问有什么可以帮您？')).toHaveLength(1);

      const count = (await botTexts(page)).length;
      await type(page, '你们收集哪些个人信息？');
      await expect.poll(async () => (await botTexts(page)).length).toBeGreaterThan(count);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
