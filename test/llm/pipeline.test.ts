import { Writable } from 'node:stream';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { RunnableLambda } from '@langchain/core/runnables';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { PolicyAssistant } from '../../src/policy-assistant.ts';
import type { Verified } from '../../src/answer/pipeline.ts';
import { tempDir } from '../helpers/assistant.ts';

const dataDir = tempDir();
const Q = '我怎么删除我的个人信息？';
let offline: PolicyAssistant;
let shownIds: string[];
let first: { id: string; sentence: string };

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}

const open = (model: FakeListChatModel, extra: { logger?: ReturnType<typeof createLogger>; modelTimeoutMs?: number } = {}) =>
  PolicyAssistant.open(loadConfig({ DATA_DIR: dataDir }), { model, modelTimeoutMs: 30_000, ...extra });

beforeAll(async () => {
  offline = await PolicyAssistant.open(loadConfig({ DATA_DIR: dataDir }));
  shownIds = (await offline.search('giantkone', Q, 5)).map((h) => h.clauseId);
  const hit = (await offline.search('giantkone', Q, 1))[0]!;
  first = { id: hit.clauseId, sentence: /^[^。；]*[。；]?/.exec(hit.text)![0] };
});

const rerankAsIs = () => JSON.stringify({ ids: shownIds });
const rewriteAsIs = JSON.stringify({ query: Q });

describe('the answer pipeline with langchain fake chat models', () => {
  it('runs retrieve → rerank → compose → verify → render, logging each step\'s time and never the text', async () => {
    const { logger, lines } = recordingLogger();
    const good = JSON.stringify({ covered: true, statements: [{ text: first.sentence, clauses: [first.id] }] });
    const assistant = await open(new FakeListChatModel({ responses: [rewriteAsIs, rerankAsIs(), good] }), { logger });
    const a = await assistant.ask('giantkone', Q);
    expect(a.model).toBe('sent');
    expect(a.statements[0]!.text).toBe(first.sentence);
    const steps = lines.filter((l) => l.msg === 'answer step').map((l) => l.step);
    expect(steps).toEqual(expect.arrayContaining(['retrieve', 'rerank', 'compose', 'verify', 'render', 'answer', 'model-rewrite', 'model-answer', 'model-rerank']));
    expect(steps.indexOf('retrieve')).toBeLessThan(steps.indexOf('rerank'));
    expect(steps.indexOf('compose')).toBeLessThan(steps.indexOf('verify'));
    for (const l of lines.filter((x) => x.msg === 'answer step')) expect(typeof l.ms).toBe('number');
    const all = lines.map((l) => JSON.stringify(l)).join('\n');
    expect(all).not.toContain('删除');
    expect(all).not.toContain(first.sentence.slice(0, 8));
  });

  it('without a model there is no rerank step and the answer is the offline one', async () => {
    const { logger, lines } = recordingLogger();
    const assistant = await PolicyAssistant.open(loadConfig({ DATA_DIR: dataDir }), { logger });
    expect(assistant.answerSteps().rerank).toBeNull();
    expect(await assistant.ask('giantkone', Q)).toEqual(await offline.ask('giantkone', Q));
    expect(lines.filter((l) => l.msg === 'answer step').map((l) => l.step)).toEqual(['retrieve', 'compose', 'verify', 'render', 'answer']);
  });

  it('a model slower than the deadline: the offline answer (deadline injected small)', async () => {
    const assistant = await open(new FakeListChatModel({ responses: ['{"covered": false, "statements": []}'], sleep: 60_000 }), { modelTimeoutMs: 30 });
    const a = await assistant.ask('giantkone', Q);
    expect(a.model).toBe('timeout');
    expect(a.answer).toBe((await offline.ask('giantkone', Q)).answer);
  });

  it('each step can be swapped', async () => {
    const assistant = await open(new FakeListChatModel({ responses: [rewriteAsIs, rerankAsIs(), '{"covered": false, "statements": []}'] }));
    const seen: string[] = [];
    assistant.replaceSteps({
      verify: RunnableLambda.from((c: Verified) => {
        seen.push(String(c.shown.length));
        return { ...c, outcome: 'uncited' as const };
      }) as never,
    });
    const a = await assistant.ask('giantkone', Q);
    expect(seen).toEqual([String(shownIds.length)]);
    expect(a.model).toBe('uncited');
  });
});
