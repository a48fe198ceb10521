// The web chat in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): a question with citation chips, a rights request clicked through to a
// ticket, failures and retries, and a phone-sized screen.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/mail.ts';
import { startTestServer } from '../../helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const PHONE = { width: 375, height: 667 };
const TIMEOUT = 15_000;

let server: Awaited<ReturnType<typeof startTestServer>>;
let smtp: TestSmtpServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
const screenshots = mkdtempSync(join(tmpdir(), 'privacy-bot-web-'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser test needs Chromium at ${CHROMIUM}: run "DEBIAN_FRONTEND=noninteractive apt-get install -y chromium" (as .ci/run does).`);
  }
  // Verification codes go to a real SMTP server on 127.0.0.1, as SMTP_URL would in production.
  smtp = await startSmtpServer();
  server = await startTestServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'privacy@example.com' } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  context.setDefaultTimeout(TIMEOUT);
  page = await context.newPage();
  problems = [];
  // A CSP violation or a script error shows up here; the page must have none.
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(server.url);
  await page.locator('html[data-ready="true"]').waitFor();
});

afterEach(async () => {
  await context?.close();
});

const input = () => page.getByLabel('输入您的问题 (Your message)');
const botMessages = () => page.locator('#messages > li.message.bot:not(.intro)');

async function ask(text: string): Promise<void> {
  const before = await botMessages().count();
  await input().fill(text);
  await input().press('Enter');
  await expect.poll(() => botMessages().count(), { timeout: TIMEOUT }).toBeGreaterThan(before);
  await page.locator('#typing').waitFor({ state: 'hidden' });
}

/** Clicks the newest enabled quick reply with this label and waits for the bot's answer to it. */
async function tap(label: string): Promise<void> {
  const before = await botMessages().count();
  await page.locator('.quick-replies:not(.retired)').getByRole('button', { name: label, exact: true }).last().click();
  await expect.poll(() => botMessages().count(), { timeout: TIMEOUT }).toBeGreaterThan(before);
  await page.locator('#typing').waitFor({ state: 'hidden' });
}

async function assertFitsThePhone(): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  const box = await input().boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
  expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
}

describe('web chat in Chromium', () => {
  it('answers with citation chips that open to the clause, and files a deletion request by quick replies', async () => {
    await page.getByLabel('选择公司 (Company)').selectOption('giantkone');
    await assertFitsThePhone();

    await ask('你们收集哪些个人信息？');
    const answer = botMessages().last();
    await expect.poll(() => answer.locator('.text').textContent()).toContain('个人信息');
    const chip = answer.locator('details.citation').first();
    const label = (await chip.locator('summary').textContent()) ?? '';
    expect(label).toMatch(/《[^》]+》第.+条/);
    const quote = chip.locator('blockquote');
    expect(await quote.isVisible()).toBe(false);
    await chip.locator('summary').click();
    await quote.waitFor({ state: 'visible' });
    expect((await quote.textContent())?.length).toBeGreaterThan(5);
    await assertFitsThePhone();
    await page.screenshot({ path: join(screenshots, '1-answer.png') });

    await ask('我要删除我的个人信息');
    await tap('全部个人信息');
    await expect(page.locator('#messages > li.message.user').last().textContent()).resolves.toBe('全部个人信息');
    await ask('13812345678');
    await tap('确认');
    const all = (await botMessages().allTextContents()).join('\n');
    expect(all).toMatch(/DEL-\d{8}-\d{4}/);
    // The contact is masked in what the bot says back.
    expect((await botMessages().allTextContents()).join('\n')).not.toContain('13812345678');
    await assertFitsThePhone();
    await page.screenshot({ path: join(screenshots, '2-ticket.png') });
    await page.screenshot({ path: join(screenshots, '3-ticket-full.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('finds a request again by id after "新对话", once the code sent by email is typed', async () => {
    await page.getByLabel('选择公司 (Company)').selectOption('giantkone');
    await ask('我要删除我的个人信息');
    await tap('全部个人信息');
    await ask('我的邮箱是li.lei@example.com');
    await tap('确认');
    const filed = (await botMessages().allTextContents()).join('\n');
    const id = /DEL-\d{8}-\d{4}/.exec(filed)?.[0];
    expect(id).toBeDefined();
    expect(filed).toContain('已向 l***@example.com 发送了 6 位验证码');
    expect(filed).not.toContain('li.lei@example.com');
    const mailsBefore = smtp.mails.length;

    await page.getByRole('button', { name: '新对话' }).click();
    // The server issues the new session; the page says so once it has.
    await page.getByText('已开始新对话 (New chat)').waitFor();
    await ask(`${id} 进度怎么样了？`);
    expect(await botMessages().last().textContent()).toContain('请输入提交申请时留下的手机号或邮箱');
    await ask('li.lei@example.com');
    expect(await botMessages().last().textContent()).toContain('验证码已发送');
    const code = await smtp.codeOf(mailsBefore + 1);
    expect(smtp.mails[mailsBefore]!.to).toEqual(['li.lei@example.com']);
    await ask(code);
    const shown = (await botMessages().allTextContents()).join('\n');
    expect(shown).toContain(`申请 ${id}（删除个人信息）`);
    expect(shown).toContain('答复期限');
    await page.screenshot({ path: join(screenshots, '5-found-again.png') });
    expect(problems).toEqual([]);
  });

  it('remembers the tenant and the server-issued session across reloads, out of the script’s reach', async () => {
    await page.getByLabel('选择公司 (Company)').selectOption('smarthw');
    await ask('你好');
    const sessionCookie = async () => (await context.cookies()).find((c) => c.name === 'pb_session');
    const session = await sessionCookie();
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('pb_session');
    await page.reload();
    await page.locator('html[data-ready="true"]').waitFor();
    expect(await page.getByLabel('选择公司 (Company)').inputValue()).toBe('smarthw');
    expect((await sessionCookie())?.value).toBe(session!.value);
    await page.getByRole('button', { name: '新对话' }).click();
    await expect.poll(async () => (await sessionCookie())?.value).not.toBe(session!.value);
    expect(problems).toEqual([]);
  });

  it('shows a typing indicator while waiting, and an inline error with a retry that sends the same message', async () => {
    const sent: string[] = [];
    let failNext = true;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/web/messages', async (route) => {
      sent.push(route.request().postData() ?? '');
      if (failNext) {
        failNext = false;
        return route.abort('internetdisconnected');
      }
      await held;
      return route.continue();
    });

    await input().fill('你好');
    await input().press('Enter');
    const error = page.getByRole('alert');
    await expect.poll(() => error.textContent()).toContain('发送失败，请重试');
    expect(await page.locator('#typing').isHidden()).toBe(true);
    await page.screenshot({ path: join(screenshots, '4-send-failed.png') });

    await page.getByRole('button', { name: '重试发送 (Retry)' }).click();
    await page.locator('#typing').waitFor({ state: 'visible' });
    expect(await page.getByRole('button', { name: '发送' }).isDisabled()).toBe(true);
    release();
    await expect.poll(() => botMessages().count()).toBeGreaterThan(0);
    await page.locator('#typing').waitFor({ state: 'hidden' });
    expect(await error.count()).toBe(0);

    // The retry carried the same message id, so the server would have deduplicated a lost response.
    const [first, second] = sent.map((body) => JSON.parse(body) as { messageId: string; text: string });
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.text).toBe('你好');
    // Only the one user message is on screen.
    expect(await page.locator('#messages > li.message.user').count()).toBe(1);
  });

  it('follows the conversation language and keeps citation markers whole on a phone', async () => {
    await page.getByLabel('选择公司 (Company)').selectOption('smarthw');
    await ask('What personal information do you collect?');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.locator('#input').getAttribute('placeholder')).toBe('Type your question…');
    expect(await page.locator('#send').textContent()).toBe('Send');
    expect(await page.locator('#new-chat').textContent()).toBe('New chat');
    // Every "[n]" chip marker is laid out on one line.
    const lines = await page.evaluate(() =>
      [...document.querySelectorAll('.citation-index')].map((node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return range.getClientRects().length;
      }),
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((n) => n === 1)).toBe(true);
    await assertFitsThePhone();
    await ask('你们收集哪些个人信息？');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.locator('#send').textContent()).toBe('发送');
    expect(problems).toEqual([]);
  });

  it('shows markup in messages as text', async () => {
    const markup = '<img src=x onerror="document.title=\'pwned\'"> <b>hi</b>';
    await ask(markup);
    expect(await page.locator('#messages > li.message.user .text').last().textContent()).toBe(markup);
    expect(await page.locator('#messages img, #messages b').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    expect(problems).toEqual([]);
  });
});

afterAll(() => {
  // Screenshots stay in the temp dir for a person to look at; they are never committed.
  console.info(`web chat screenshots: ${screenshots}`);
});
