// The web chat against abuse, over real HTTP: sessions only the server issues, messages per
// session and per address, new chats per address; counters in PostgreSQL shared by instances.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebLimits } from '../../../adapters/web/limits.ts';
import { openStore } from '../../../src/store/open-store.ts';
import { startTestServer } from '../../helpers/server.ts';
import { dropPgSchemas, newPgSchema, PG_URL, postgresAvailable } from '../../helpers/postgres.ts';
import { newMessageId, newSession, postRaw, sessionCookie } from './client.ts';

const available = await postgresAvailable();
let server: Awaited<ReturnType<typeof startTestServer>>;
let addresses = 0;
/** A client address of its own per test, as the load balancer reports it. */
const newAddress = () => `198.51.100.${++addresses}`;

beforeAll(async () => {
  server = await startTestServer({
    env: { WEB_MESSAGES_PER_MINUTE: '3', WEB_MESSAGES_PER_MINUTE_PER_IP: '5', WEB_NEW_CHATS_PER_HOUR_PER_IP: '2', TRUSTED_PROXY_HOPS: '1' },
  });
});
afterAll(async () => {
  await server?.close();
  await dropPgSchemas();
});

function send(session: string, address: string, text = '你好', extra: Record<string, string> = {}) {
  return postRaw(server.url, JSON.stringify({ tenant: 'giantkone', text, messageId: newMessageId() }), 'application/json', session, {
    'x-forwarded-for': `203.0.113.99, ${address}`,
    ...extra,
  });
}

async function conversations(session: string): Promise<number> {
  const id = /^pb_session=([^.]+)\./.exec(sessionCookie(session) ?? '')?.[1];
  const store = await openStore({ dataDir: server.dataDir });
  try {
    return (await store.transcript('giantkone', 'web', `web:giantkone:${id}`)).filter((e) => e.direction === 'in').length;
  } finally {
    await store.close();
  }
}

describe('web chat sessions', () => {
  it('issues a signed session in an HttpOnly, SameSite=Strict cookie and continues the conversation with it', async () => {
    const session = newSession();
    const address = newAddress();
    const first = await send(session, address, '我要删除我的个人信息');
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toMatch(/^pb_session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    const next = await send(session, address, '全部个人信息');
    expect(next.headers.get('set-cookie')).toBeNull();
    expect(JSON.stringify(next.body)).toMatch(/手机号或邮箱/);
  });

  it('treats a cookie with a forged signature as none: a new session, counted as a new chat', async () => {
    const address = newAddress();
    const session = newSession();
    await send(session, address);
    const genuine = sessionCookie(session)!;
    const forged = `${genuine.slice(0, -4)}AAAA`;
    const response = await postRaw(server.url, JSON.stringify({ tenant: 'giantkone', text: '你好', messageId: newMessageId() }), 'application/json', undefined, {
      cookie: forged,
      'x-forwarded-for': address,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).not.toContain(genuine);
    // That was the address's second new chat of two: the third is refused.
    const third = await send(newSession(), address);
    expect(third.status).toBe(429);
  });
});

describe('web chat limits', () => {
  it('refuses a session’s messages past its limit with a friendly 429 and Retry-After, and answers nothing', async () => {
    const session = newSession();
    const address = newAddress();
    for (let i = 0; i < 3; i++) expect((await send(session, address)).status).toBe(200);
    const refused = await send(session, address, '你们收集哪些个人信息？');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ limit: 'session', error: expect.stringMatching(/太快.*too fast/) });
    expect(await conversations(session)).toBe(3);
    // Another person from the same address is not held up by this one.
    expect((await send(newSession(), address)).status).toBe(200);
  });

  it('refuses an address’s messages past its limit, whatever the sessions', async () => {
    const address = newAddress();
    const [a, b] = [newSession(), newSession()];
    for (let i = 0; i < 3; i++) expect((await send(a, address)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await send(b, address)).status).toBe(200);
    const refused = await send(b, address);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ limit: 'ip' });
    // Another address still gets through.
    expect((await send(newSession(), newAddress())).status).toBe(200);
  });

  it('caps new chats per address: made-up or missing sessions cannot create conversations without end', async () => {
    const address = newAddress();
    expect((await send(newSession(), address)).status).toBe(200);
    expect((await send(newSession(), address)).status).toBe(200);
    const third = newSession();
    const refused = await send(third, address);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ limit: 'new_chats' });
    expect(refused.headers.get('set-cookie')).toBeNull();
    // "New chat" in the page is refused the same way.
    const fresh = await fetch(`${server.url}/api/web/session`, { method: 'POST', headers: { 'x-forwarded-for': address } });
    expect(fresh.status).toBe(429);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/privacy_bot_webhook_rejections_total\{channel="web",reason="rate_limited_new_chats"\} [1-9]/);
  });

  it('reads the address from X-Forwarded-For only as far as TRUSTED_PROXY_HOPS allows', async () => {
    // What the client wrote before the load balancer's entry does not make it someone else.
    const address = newAddress();
    for (const spoofed of ['10.0.0.1', '10.0.0.2']) {
      expect((await send(newSession(), address, '你好', { 'x-forwarded-for': `${spoofed}, ${address}` })).status).toBe(200);
    }
    expect((await send(newSession(), address, '你好', { 'x-forwarded-for': `10.0.0.3, ${address}` })).status).toBe(429);
  });

  it('gives "New chat" a fresh session', async () => {
    const response = await fetch(`${server.url}/api/web/session`, { method: 'POST', headers: { 'x-forwarded-for': newAddress() } });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^pb_session=/);
  });
});

describe.runIf(available)('web chat limits in PostgreSQL', () => {
  it('counts one session’s messages across two instances', async () => {
    const schema = newPgSchema();
    const settings = { messagesPerMinute: 3, messagesPerMinutePerIp: 100, newChatsPerHourPerIp: 100 };
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    // The schema must exist before the limiter's table goes into it.
    const store = await openStore({ dataDir: '/tmp/unused', databaseUrl: PG_URL, pgSchema: schema });
    await store.close();
    const [a, b] = [await WebLimits.open(settings, { databaseUrl: PG_URL, schema, onError }), await WebLimits.open(settings, { databaseUrl: PG_URL, schema, onError })];
    try {
      expect(await a.message('s-1', '192.0.2.1')).toEqual({ ok: true });
      expect(await b.message('s-1', '192.0.2.1')).toEqual({ ok: true });
      expect(await a.message('s-1', '192.0.2.1')).toEqual({ ok: true });
      expect(await b.message('s-1', '192.0.2.1')).toMatchObject({ ok: false, limit: 'session' });
      expect(await a.message('s-2', '192.0.2.1')).toEqual({ ok: true });
      expect(errors).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
