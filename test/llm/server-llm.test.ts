// The model behind the real server: a verified answer reaches the web chat with its
// citations, a model that never answers leaves the offline answer to go out, and /metrics
// counts both.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { PolicyAssistant } from '../../src/policy-assistant.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { newSession, postMessage } from '../adapters/web/client.ts';
import { tempDir } from '../helpers/assistant.ts';
import { startTestServer } from '../helpers/server.ts';
import { FakeOpenAi, shownClauses } from './fake-openai.ts';

const fake = new FakeOpenAi();
let patient: RunningServer;
let impatient: RunningServer;
let offline: PolicyAssistant;
const Q = '我怎么删除我的个人信息？';

beforeAll(async () => {
  await fake.start();
  const dataDir = tempDir();
  const env = { DATA_DIR: dataDir, LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'fake-model', LLM_TASKS: 'answer' };
  const open = (timeout: string) => PolicyAssistant.open(loadConfig({ ...env, LLM_TIMEOUT_MS: timeout }));
  patient = await startTestServer({ assistant: await open('30000') });
  impatient = await startTestServer({ assistant: await open('150') });
  offline = await PolicyAssistant.open(loadConfig({ DATA_DIR: dataDir }));
});
afterAll(async () => {
  await patient?.close();
  await impatient?.close();
  await fake.stop();
});

describe('the web chat with a model configured', () => {
  it('sends the verified model answer with its citations', async () => {
    fake.script.answer.push({
      content: (req) => {
        const c = shownClauses(req)[0]!;
        return JSON.stringify({ covered: true, statements: [{ text: /^[^。；]*[。；]?/.exec(c.text)![0], clauses: [c.id] }] });
      },
    });
    const turn = await postMessage(patient.url, { session: newSession(), text: Q });
    const clause = shownClauses(fake.requests.at(-1)!)[0]!;
    const [answer] = turn.replies;
    expect(answer?.kind).toBe('answer');
    expect(answer?.text).toContain(/^[^。；]*[。；]?/.exec(clause.text)![0]);
    expect(answer?.citations).toHaveLength(1);
    const metrics = await (await fetch(`${patient.url}/metrics`)).text();
    expect(metrics).toMatch(/privacy_bot_llm_outcomes_total\{task="answer",outcome="sent"\} 1/);
  });

  it('a model that never answers: the offline answer goes out, and the timeout is counted', async () => {
    fake.script.answer.push({ hang: true });
    const turn = await postMessage(impatient.url, { session: newSession(), text: Q });
    expect(turn.replies[0]?.text).toContain((await offline.ask('giantkone', Q)).statements[0]!.text);
    const metrics = await (await fetch(`${impatient.url}/metrics`)).text();
    expect(metrics).toMatch(/privacy_bot_llm_outcomes_total\{task="answer",outcome="timeout"\} 1/);
  });
});
