// The receiver alone, with a stand-in for Bolt's App: when Slack gets its answer, and what
// processEvent is given.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { App, ReceiverEvent } from '@slack/bolt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SharedServerReceiver } from '../../../adapters/slack/receiver.ts';
import type { HttpRequest } from '../../../src/channels/channel.ts';
import { Metrics } from '../../../src/server/metrics.ts';
import { FIXTURES, slackSignature } from './fake-slack.ts';

const SECRET = 'receiver-test-secret';
const EVENT = readFileSync(join(FIXTURES, 'message.im.json'), 'utf8');
let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** Serves the receiver's route the way the shared server does (raw body read first). */
async function serve(processEvent: (event: ReceiverEvent) => Promise<void>, ackDeadlineMs = 2500, processBeforeResponse?: (body: unknown) => boolean) {
  const metrics = new Metrics();
  const receiver = new SharedServerReceiver({ signingSecret: SECRET, logger: pino({ level: 'silent' }), metrics, ackDeadlineMs, processBeforeResponse });
  receiver.init({ processEvent } as unknown as App);
  const route = receiver.route();
  const finished: Promise<void>[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: HttpRequest = { raw: req, method: 'POST', path: route.path as string, query: new URLSearchParams(), headers: req.headers, body: Buffer.concat(chunks) };
      finished.push(Promise.resolve(route.handle(request, res)));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/slack/events`;
  const post = (headers: Record<string, string> = {}, body = EVENT) => {
    const ts = Math.floor(Date.now() / 1000);
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, ts, body), ...headers },
      body,
    });
  };
  return { post, finished, metrics };
}

describe('SharedServerReceiver', () => {
  it('hands Bolt the parsed body and the retry headers', async () => {
    const seen: ReceiverEvent[] = [];
    const { post } = await serve(async (event) => {
      seen.push(event);
      await event.ack();
    });
    const response = await post({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(seen[0]).toMatchObject({ body: JSON.parse(EVENT), retryNum: 2, retryReason: 'http_timeout' });
  });

  it('answers at the ack, while the work goes on', async () => {
    let done = false;
    const { post, finished } = await serve(async (event) => {
      await event.ack();
      await new Promise((r) => setTimeout(r, 300));
      done = true;
    });
    const response = await post();
    expect(response.status).toBe(200);
    expect(done).toBe(false);
    await Promise.all(finished);
    expect(done).toBe(true);
  });

  it('answers 200 by the deadline when Bolt has not acknowledged yet (a slow authorize)', async () => {
    let acked: 'no' | 'late' = 'no';
    const started = Date.now();
    const { post, finished } = await serve(async (event) => {
      await new Promise((r) => setTimeout(r, 400));
      await event.ack(); // a late ack is ignored, not an error
      acked = 'late';
    }, 50);
    const response = await post();
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(400);
    await Promise.all(finished);
    expect(acked).toBe('late');
  });

  it('answers 500 when Bolt fails before acknowledging, so Slack delivers again', async () => {
    const { post } = await serve(async () => {
      throw Object.assign(new Error('authorize failed: 你好'), { code: 'slack_bolt_authorization_error' });
    });
    expect((await post()).status).toBe(500);
  });

  it('answers 400, not 500, when Bolt fails on an interactivity payload, which Slack never redelivers', async () => {
    const { post, metrics } = await serve(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'team_id')");
    });
    const action = JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' }, actions: [{ type: 'button', action_id: 'a' }] });
    expect((await post({}, action)).status).toBe(400);
    expect(await metrics.registry.metrics()).toMatch(/reason="unprocessable"\} 1/);
  });

  it('answers 200 when no listener acknowledged', async () => {
    const { post } = await serve(async () => undefined);
    const response = await post();
    expect(response.status).toBe(200);
  });

  it('sends what the listener acknowledges with', async () => {
    const { post } = await serve(async (event) => event.ack({ response_action: 'clear' }));
    const response = await post();
    expect(await response.json()).toEqual({ response_action: 'clear' });
  });

  it('holds the answer of a request marked process-before-response until it was processed (an agent message is stored first)', async () => {
    const order: string[] = [];
    const { post } = await serve(
      async (event) => {
        await event.ack();
        order.push('acked');
        await new Promise((r) => setTimeout(r, 100));
        order.push('processed');
      },
      2500,
      (body) => (body as { event?: { channel?: string } }).event?.channel === 'D024BE91L',
    );
    const response = await post();
    order.push('answered');
    expect(response.status).toBe(200);
    expect(order).toEqual(['acked', 'processed', 'answered']);
  });

  it('answers 500 when a held request fails after its ack, so Slack delivers it again', async () => {
    const { post } = await serve(
      async (event) => {
        await event.ack();
        throw new Error('store unavailable');
      },
      2500,
      () => true,
    );
    expect((await post()).status).toBe(500);
  });

  it('still answers a held request by the deadline', async () => {
    const order: string[] = [];
    const { post, finished } = await serve(
      async (event) => {
        await event.ack();
        await new Promise((r) => setTimeout(r, 400));
        order.push('processed');
      },
      50,
      () => true,
    );
    expect((await post()).status).toBe(200);
    order.push('answered');
    await Promise.all(finished);
    expect(order).toEqual(['answered', 'processed']);
  });

  it('never calls Bolt for a refused request', async () => {
    let called = false;
    const { post, metrics } = await serve(async () => {
      called = true;
    });
    expect((await post({ 'x-slack-signature': 'v0=0000' })).status).toBe(401);
    expect(called).toBe(false);
    expect(await metrics.registry.metrics()).toMatch(/privacy_bot_webhook_rejections_total\{channel="slack",reason="bad_signature"\} 1/);
  });
});
