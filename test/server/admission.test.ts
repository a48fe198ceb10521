// Admission control: past MAX_TURNS_IN_FLIGHT the web chat gets a polite 503 "busy, retry"
// (and the retried message is answered), WeChat gets its "success" at once and the answer
// later through the customer-service API. A turn is held in flight by a fake embeddings
// endpoint (a remote service) that answers query embeddings only when the test says so.

import { createServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admission } from '../../src/server/admission.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { startTestServer } from '../helpers/server.ts';
import { msgId, postPlain, readReply, textXml } from '../adapters/wechat/client.ts';
import { FakeWechatApi } from '../adapters/wechat/fake-wechat-api.ts';
import { newMessageId, newSession, postRaw } from '../adapters/web/client.ts';

describe('Admission', () => {
  it('admits up to the limit, then queues in arrival order up to maxQueued', async () => {
    const admission = new Admission(2, 1);
    const a = admission.tryAcquire();
    const b = admission.tryAcquire();
    expect(a && b).toBeTruthy();
    expect(admission.load()).toBe('busy');
    expect(admission.tryAcquire()).toBeNull();
    const order: string[] = [];
    const queued = admission.acquire()!.then((release) => {
      order.push('queued');
      return release;
    });
    expect(admission.load()).toBe('full');
    expect(admission.acquire()).toBeNull();
    a!();
    a!(); // releasing twice frees one slot only
    const release = await queued;
    expect(order).toEqual(['queued']);
    expect(admission.inFlight).toBe(2);
    release();
    b!();
    expect(admission.inFlight).toBe(0);
    expect(admission.load()).toBe('free');
  });
});

/** An OpenAI-compatible embeddings endpoint whose single-text (query) requests can be held. */
class HeldEmbeddings {
  private server: HttpServer | null = null;
  private held: (() => void)[] = [];
  holding = false;
  url = '';

  get waiting(): number {
    return this.held.length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { input } = JSON.parse(body) as { input: string[] };
        const answer = () => this.answer(res, input);
        if (this.holding && input.length === 1) this.held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  releaseAll(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }

  async stop(): Promise<void> {
    this.releaseAll();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private answer(res: ServerResponse, input: string[]): void {
    const vector = (text: string) => {
      const v = new Array<number>(16).fill(0);
      for (const ch of text) v[ch.codePointAt(0)! % 16]! += 1;
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: input.map((t, index) => ({ object: 'embedding', index, embedding: vector(t) })) }));
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a server past its cap on turns in flight', () => {
  const embeddings = new HeldEmbeddings();
  const wechatApi = new FakeWechatApi();
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    await embeddings.start();
    await wechatApi.start();
    const env = { EMBEDDINGS_BASE_URL: embeddings.url, EMBEDDINGS_MODEL: 'held' };
    const assistant = await openAssistant(env);
    server = await startTestServer({
      assistant,
      env: {
        ...env,
        MAX_TURNS_IN_FLIGHT: '1',
        WECHAT_TOKEN: 'admissiontoken',
        WECHAT_APPID: 'wxadmission',
        WECHAT_APPSECRET: 'secret',
        WECHAT_API_BASE: wechatApi.url,
        WECHAT_TENANT: 'giantkone',
      },
    });
  });
  afterAll(async () => {
    embeddings.releaseAll();
    await server?.close();
    await embeddings.stop();
    await wechatApi.stop();
  });

  it('answers web "busy, retry" and WeChat later through the customer-service API', async () => {
    const question = (session: string, text: string, messageId = newMessageId()) =>
      postRaw(server.url, JSON.stringify({ tenant: 'giantkone', messageId, text }), 'application/json', session);
    embeddings.holding = true;
    const first = question(newSession(), '你们会收集哪些个人信息？');
    await until(() => embeddings.waiting === 1, 'the first turn to hold its slot');

    const session = newSession();
    const messageId = newMessageId();
    const refused = await question(session, '你们会把我的信息提供给第三方吗？', messageId);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.body).toMatchObject({ busy: true, error: expect.stringContaining('请稍等') });

    const user = `oAdmission${Date.now()}`;
    const wechat = await postPlain(`${server.url}/wechat`, 'admissiontoken', textXml({ user, text: '你们如何保护我的个人信息？', id: msgId() }));
    expect(wechat.status).toBe(200);
    expect(wechat.body).toBe('success');
    expect(readReply(wechat.body)).toBeNull();
    expect(wechatApi.deliveredTo(user)).toEqual([]);

    embeddings.releaseAll();
    expect((await first).status).toBe(200);
    await until(() => wechatApi.deliveredTo(user).length === 1, 'the deferred WeChat answer');
    expect(wechatApi.deliveredTo(user)[0]).toMatch(/依据：/);

    // The refused web message was not handled: sending it again is answered.
    const retried = await question(session, '你们会把我的信息提供给第三方吗？', messageId);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ replies: [expect.objectContaining({ kind: expect.any(String) })] });
    expect((retried.body as { duplicate?: boolean }).duplicate).not.toBe(true);
  });
});
