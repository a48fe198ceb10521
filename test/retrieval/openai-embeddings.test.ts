import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { PolicyAssistant } from '../../src/policy-assistant.ts';
import { OpenAiCompatibleEmbeddings } from '../../src/retrieval/openai-embeddings.ts';
import { copyKnowledge, tempDir } from '../helpers/assistant.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addPolicy } from '../../src/knowledge/policy-onboarding.ts';

// A fake OpenAI-compatible embeddings server on 127.0.0.1: hashes characters into 16 buckets.
const requests: { auth?: string; model: string; count: number }[] = [];
let failNext = false;
let server: Server;
let baseUrl: string;

function fakeVector(text: string): number[] {
  const v = new Array<number>(16).fill(0);
  for (const ch of text) v[ch.codePointAt(0)! % 16]! += 1;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url !== '/v1/embeddings' || failNext) {
        failNext = false;
        res.writeHead(500).end('{"error":"boom"}');
        return;
      }
      const { model, input } = JSON.parse(body) as { model: string; input: string[] };
      requests.push({ auth: req.headers.authorization, model, count: input.length });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: input.map((t, index) => ({ object: 'embedding', index, embedding: fakeVector(t) })).reverse() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('OpenAI-compatible embeddings', () => {
  it('embeds in batches, in input order, with the configured model and key', async () => {
    const embeddings = new OpenAiCompatibleEmbeddings({ baseUrl, model: 'm-1', apiKey: 'sk-test', batchSize: 2 });
    const vectors = await embeddings.embedDocuments(['甲', '乙', '丙']);
    expect(vectors).toEqual(['甲', '乙', '丙'].map(fakeVector));
    expect(requests.slice(-2)).toEqual([
      { auth: 'Bearer sk-test', model: 'm-1', count: 2 },
      { auth: 'Bearer sk-test', model: 'm-1', count: 1 },
    ]);
  });

  it('builds and queries the index through the endpoint when configured', async () => {
    const before = requests.length;
    const assistant = await PolicyAssistant.open(
      loadConfig({ DATA_DIR: tempDir(), EMBEDDINGS_BASE_URL: baseUrl, EMBEDDINGS_MODEL: 'm-2' }),
    );
    expect(requests.length).toBeGreaterThan(before);
    const hits = await assistant.search('giantkone', '删除个人信息', 3);
    expect(hits).toHaveLength(3);
    expect(requests.at(-1)).toMatchObject({ model: 'm-2', count: 1 });
  });

  it('a rebuild after a policy is added sends only the new clauses to the endpoint', async () => {
    const env = { DATA_DIR: tempDir(), KNOWLEDGE_DIR: copyKnowledge(), EMBEDDINGS_BASE_URL: baseUrl, EMBEDDINGS_MODEL: 'm-cache' };
    const sent = () => requests.filter((r) => r.model === 'm-cache').reduce((n, r) => n + r.count, 0);
    const first = await PolicyAssistant.open(loadConfig(env));
    const all = [...first.index.tenants.values()].reduce((n, t) => n + t.clauses.length, 0);
    // Each distinct text once (a few clauses repeat word for word).
    const firstSent = sent();
    expect(firstSent).toBeGreaterThan(all * 0.9);
    expect(firstSent).toBeLessThanOrEqual(all);

    const file = join(tempDir(), 'acme.txt');
    writeFileSync(file, '1. 我们收集的信息\n我们收集您的手机号码。\n2. 联系我们\n邮箱 privacy@acme.example。\n');
    await addPolicy(env.KNOWLEDGE_DIR, { file, tenant: 'acme' });
    const second = await PolicyAssistant.open(loadConfig(env));
    expect(second.index.hash).not.toBe(first.index.hash);
    expect(second.index.tenants.get('acme')!.clauses.length).toBe(2);
    expect(sent()).toBe(firstSent + 2);
    expect((await second.search('acme', '手机号码', 1))[0]!.text).toContain('手机号码');
  });

  it('reports a failing endpoint as a BotError', async () => {
    const embeddings = new OpenAiCompatibleEmbeddings({ baseUrl: `${baseUrl}/wrong`, model: 'm' });
    await expect(embeddings.embedQuery('x')).rejects.toMatchObject({ code: 'embeddings_failed' });
  });

  it('needs a model when a base URL is set', () => {
    expect(() => loadConfig({ EMBEDDINGS_BASE_URL: baseUrl })).toThrow(/EMBEDDINGS_MODEL/);
  });
});
