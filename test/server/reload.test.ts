// A running server picks up a policy added to its knowledge directory without a restart:
// the directory is watched, the index rebuilt and the assistant swapped in one step.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../adapters/index.ts';
import { openBot, type Bot } from '../../src/bot.ts';
import { loadConfig } from '../../src/config.ts';
import { addPolicy } from '../../src/knowledge/policy-onboarding.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { newMessageId, newSession, postRaw } from '../adapters/web/client.ts';
import { copyKnowledge, tempDir } from '../helpers/assistant.ts';

const POLICY = [
  '示例科技隐私政策',
  '生效日期：2025年01月01日',
  '1. 我们收集的信息',
  '我们会收集您的手机号码，用于注册和登录。',
  '2. 保存期限',
  '我们将您的个人信息保存两年，期满后删除。',
  '3. 联系我们',
  '如有疑问，请发送邮件至 privacy@example.com，我们将在十五日内答复您的请求。',
].join('\n');

let knowledgeDir: string;
let bot: Bot;
let server: RunningServer;

beforeAll(async () => {
  knowledgeDir = copyKnowledge();
  const config = loadConfig({ KNOWLEDGE_DIR: knowledgeDir, DATA_DIR: tempDir(), HOST: '127.0.0.1', PORT: '0' });
  bot = await openBot(config, pino({ level: 'silent' }));
  server = await startServer(bot, ADAPTERS, { port: 0, host: '127.0.0.1', watchKnowledge: true });
});
afterAll(async () => {
  await server?.close();
});

async function tenants(): Promise<{ id: string; name: string }[]> {
  return ((await (await fetch(`${server.url}/api/web/tenants`)).json()) as { tenants: { id: string; name: string }[] }).tenants;
}

/** Polls until `check` holds; a reload takes an index build, so the deadline is generous. */
async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, deadlineMs = 60_000): Promise<T> {
  const until = performance.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (check(value) || performance.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('knowledge reload', () => {
  it('serves a tenant added while running, by its display name, and answers from its policy', async () => {
    const before = bot.assistant;
    expect((await tenants()).map((t) => t.id)).not.toContain('example');
    const file = join(tempDir(), 'example.txt');
    writeFileSync(file, POLICY);
    await addPolicy(knowledgeDir, { file, tenant: 'example', name: '示例科技' });

    const listed = await eventually(tenants, (list) => list.some((t) => t.id === 'example'));
    expect(listed).toContainEqual({ id: 'example', name: '示例科技' });
    // The old assistant object is untouched: an answer it was giving completes from it.
    expect(bot.assistant).not.toBe(before);
    expect(before.tenantIds()).not.toContain('example');

    const reply = await postRaw(server.url, JSON.stringify({ tenant: 'example', session: newSession(), messageId: newMessageId(), text: '我的信息保存多久？' }));
    expect(reply.status).toBe(200);
    const answer = (reply.body as { replies: { kind: string; text: string; citations: { label: string }[] }[] }).replies[0]!;
    expect(answer.kind).toBe('answer');
    expect(answer.text).toContain('保存两年');
    expect(answer.citations[0]!.label).toContain('2025-01-01 起施行版');
    // The tenant's request deadline comes from its policy after the reload, too.
    expect(bot.engine.deadlineOf('example')).toMatchObject({ source: 'policy', deadline: { days: 15 } });
  });

  it('keeps the current knowledge when the directory stops loading', async () => {
    const current = bot.assistant;
    writeFileSync(join(knowledgeDir, 'manifest.json'), '{ not json');
    expect(await bot.reload!()).toBe(false);
    expect(bot.assistant).toBe(current);
  });
});
