// The shared server: health, metrics, body limit, routing errors, graceful shutdown, and
// logs that never carry what people typed.

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterFactory } from '../../src/channels/channel.ts';
import { createLogger } from '../../src/logger.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { sendJson, type RunningServer } from '../../src/server/server.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { Chat, openEngine } from '../helpers/chat.ts';
import { startTestServer } from '../helpers/server.ts';

let probes = 0;
const PROBE_TIME = new Date('2026-11-22T02:00:00Z');

let assistant: PolicyAssistant;
let server: RunningServer;
let release: () => void = () => undefined;

/** A channel with one POST route that hands the body's text to the core, optionally held back. */
const probe: AdapterFactory = {
  name: 'probe',
  create: (ctx) => ({
    name: 'probe',
    routes: () => [
      {
        method: 'POST',
        path: '/probe',
        async handle(req, res) {
          const { text, hold } = JSON.parse(req.body.toString('utf8')) as { text: string; hold?: boolean };
          if (hold) await new Promise<void>((resolve) => (release = resolve));
          const result = await ctx.dispatch({ channel: 'probe', tenant: 'giantkone', userRef: 'p', conversationRef: 'probe:p', messageId: `probe-${++probes}`, text, time: PROBE_TIME });
          ctx.metrics.sent('probe', result.replies.length);
          sendJson(res, 200, { kinds: result.replies.map((r) => r.kind) });
        },
      },
    ],
  }),
};

const off: AdapterFactory = { name: 'dormant', create: () => ({ disabled: 'set DORMANT_TOKEN to enable it' }) };

beforeAll(async () => {
  assistant = await openAssistant();
  server = await startTestServer({ assistant, adapters: [probe, off] });
});
afterAll(async () => {
  await server.close();
});

const post = (path: string, body: string | Buffer) => fetch(`${server.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/json' } });

describe('server', () => {
  it('reports health with storage and index, and lists only enabled channels', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', storage: 'ok', index: 'ok', store: 'sqlite', channels: ['probe'] });
  });

  it('counts messages, replies and latency in Prometheus text', async () => {
    expect((await post('/probe', JSON.stringify({ text: '你们收集哪些个人信息？' }))).status).toBe(200);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/privacy_bot_messages_in_total\{channel="probe"\} [1-9]/);
    expect(text).toMatch(/privacy_bot_messages_out_total\{channel="probe"\} [1-9]/);
    expect(text).toMatch(/privacy_bot_replies_total\{kind="answer"\} [1-9]/);
    // The turn is recorded in the latency histogram (its count), whatever it took: no timed assertion.
    expect(text).toMatch(/privacy_bot_turn_seconds_count\{channel="probe"\} [1-9]/);
    expect(text).toContain('privacy_bot_tickets_created_total');
    expect(text).toContain('privacy_bot_webhook_rejections_total');
  });

  it('refuses bodies over 1 MB with 413 and counts the rejection', async () => {
    const res = await post('/probe', Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect(res.status).toBe(413);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/privacy_bot_webhook_rejections_total\{channel="probe",reason="too_large"\} 1/);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${server.url}/probe`)).status).toBe(405);
  });

  it('returns 500 without details when a handler fails, and keeps serving', async () => {
    const res = await post('/probe', 'not json');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('finishes the message in flight, then stops accepting and closes storage', async () => {
    const own = await startTestServer({ assistant, adapters: [probe] });
    const inFlight = post('/probe', JSON.stringify({ text: '你好', hold: true }));
    const url = own.url;
    await new Promise((r) => setTimeout(r, 100));
    const closing = own.close();
    await new Promise((r) => setTimeout(r, 50));
    release();
    // The held request was accepted before the shutdown and still gets its answer.
    const res = await inFlight.catch(() => null);
    expect(res?.status).toBe(200);
    expect(await res!.json()).toEqual({ kinds: ['greeting'] });
    await closing;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('logs', () => {
  it('never carry message text or contacts at info level', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ text: '我的手机号 13812345678', contact: 'a@example.com', headers: { authorization: 'Bearer x' } }, 'explicit fields');
    const fx = await openEngine(assistant, { logger });
    const chat = new Chat(fx.engine, 'giantkone', 'logged-user');
    await chat.send('我要删除我的个人信息');
    await chat.send('全部');
    await chat.send('13812345678');
    await chat.send('确认');
    await fx.store.close();
    const all = lines.join('');
    expect(all).toContain('"msg":"turn"');
    expect(all).toContain('[redacted]');
    for (const secret of ['13812345678', '138****5678', 'a@example.com', 'Bearer x', '删除我的个人信息', '全部']) expect(all).not.toContain(secret);
  });
});
