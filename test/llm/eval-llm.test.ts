// `npm run eval -- --llm` as a real child process against the fake OpenAI-compatible server:
// the offline figures plus what became of the model's drafts.

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FALLBACK_REASONS } from '../../src/llm/verify.ts';
import type { SetFigures } from '../../src/tools/eval.ts';
import { tempDir } from '../helpers/assistant.ts';
import { FakeOpenAi, shownClauses } from './fake-openai.ts';

const BIN = resolve(import.meta.dirname, '../../src/cli/privacy-bot.mjs');
const run = promisify(execFile);
const fake = new FakeOpenAi();
const dir = tempDir();
const questions = join(dir, 'questions.jsonl');

beforeAll(async () => {
  await fake.start();
  // A faithful draft for every question: the first sentence of the first clause shown.
  fake.fallback.answer = {
    content: (req) => {
      const c = shownClauses(req)[0]!;
      return JSON.stringify({ covered: true, statements: [{ text: /^[^。；]*[。；]?/.exec(c.text)![0], clauses: [c.id] }] });
    },
  };
  mkdirSync(join(dir, 'no-corpus'));
  writeFileSync(
    questions,
    [
      { id: 'q1', tenant: 'giantkone', question: '我怎么删除我的个人信息？', answerable: true, gold: ['用户可以向我们提出删除个人信息的请求'] },
      { id: 'q2', tenant: 'qiancheng', question: '你们多久能处理我的请求？', answerable: true, gold: ['15个工作日'] },
      { id: 'q3', tenant: 'giantkone', question: '电梯维保一年多少钱', answerable: false, gold: [] },
    ]
      .map((q) => JSON.stringify(q))
      .join('\n'),
  );
});
afterAll(() => fake.stop());

// An empty --corpus: the structure check over CAPP-130 is another test's business.
const evalWith = (env: Record<string, string>, args: string[]) =>
  run(process.execPath, [BIN, 'eval', '--questions', questions, '--corpus', join(dir, 'no-corpus'), '--json', ...args], { env: { ...process.env, DATA_DIR: join(dir, 'data'), ...env }, timeout: 120_000 });

describe('eval --llm', () => {
  it('reports the offline figures plus the share of drafts passing verification', async () => {
    const env = { LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '30000', LLM_TASKS: 'answer' };
    const { stdout } = await evalWith(env, ['--llm']);
    const { dev } = JSON.parse(stdout) as { dev: SetFigures };
    expect(dev.questions).toBe(3);
    expect(dev.model).toBeDefined();
    const m = dev.model!;
    expect(m.asked, JSON.stringify(m)).toBe(3);
    expect(m.sent, JSON.stringify(m)).toBe(2);
    expect(m.sent).toBe(2);
    // The uncovered question stays refused: the draft contradicted a clear decision.
    expect(m.fallbacks).toEqual({ contradicts_decision: 1 });
    expect(m.passedVerification).toBeCloseTo(2 / 3);
    expect(dev.uncoveredRefused).toBe(1);
    for (const reason of Object.keys(m.fallbacks)) expect(FALLBACK_REASONS).toContain(reason);

    // Without --llm the same environment gives the offline eval, and no model is asked.
    const asked = fake.requests.length;
    const offline = JSON.parse((await evalWith(env, [])).stdout) as { dev: SetFigures };
    expect(offline.dev.model).toBeUndefined();
    expect(fake.requests.length).toBe(asked);
  });

  it('--llm without a model says what to set', async () => {
    await expect(evalWith({ LLM_BASE_URL: '', LLM_MODEL: '' }, ['--llm'])).rejects.toMatchObject({ stderr: expect.stringMatching(/LLM_BASE_URL and LLM_MODEL/) });
  });
});
