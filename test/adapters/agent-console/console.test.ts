// The agent console's gate over real HTTP: nothing under /agent answers without a session
// (401, or a redirect for the page), cookies are HttpOnly/SameSite=Strict (Secure behind
// HTTPS), POSTs need the CSRF token and the same origin, logins are rate-limited, and the
// one-time admin token works once.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent, hashPassword, readAgentsFile, verifyPassword } from '../../../src/agents/accounts.ts';
import { startTestServer } from '../../helpers/server.ts';
import { tempDir } from '../../helpers/assistant.ts';

const PASSWORD = 'correct horse battery';
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  const agentsFile = join(tempDir(), 'agents.json');
  await addAgent(agentsFile, 'alice', PASSWORD);
  server = await startTestServer({ env: { AGENTS_FILE: agentsFile } });
});
afterAll(async () => {
  await server?.close();
});

async function login(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), redirect: 'manual' });
}

describe('agent accounts', () => {
  it('hashes with scrypt and a salt, verifies only the right password, and updates in place', async () => {
    const a = await hashPassword('x'.repeat(12));
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(await hashPassword('x'.repeat(12)));
    expect(await verifyPassword('x'.repeat(12), a)).toBe(true);
    expect(await verifyPassword('y'.repeat(12), a)).toBe(false);
    const file = join(tempDir(), 'agents.json');
    expect(await addAgent(file, 'bob', 'first-password')).toBe('added');
    expect(await addAgent(file, 'bob', 'second-password')).toBe('updated');
    const { agents } = readAgentsFile(file);
    expect(agents.map((x) => x.name)).toEqual(['bob']);
    expect(await verifyPassword('second-password', agents[0]!.passwordHash)).toBe(true);
    await expect(addAgent(file, 'bob', 'short')).rejects.toThrow(/10 characters/);
  });
});

describe('agent console gate', () => {
  it('answers nothing under /agent without a session', async () => {
    const page = await fetch(`${server.url}/agent`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/agent/login');
    for (const path of ['/agent/agent.js', '/agent/api/me', '/agent/api/handoffs', '/agent/api/events']) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(401);
    }
    for (const path of ['/agent/logout', '/agent/api/handoffs/h1/take', '/agent/api/handoffs/h1/reply', '/agent/api/handoffs/h1/handback', '/agent/api/handoffs/h1/close']) {
      expect((await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, path).toBe(401);
    }
    // Only the login page and what it needs are public.
    expect((await fetch(`${server.url}/agent/login`)).status).toBe(200);
  });

  it('logs in with a strict session cookie, needs the CSRF token on POSTs, and refuses other origins', async () => {
    expect((await login({ name: 'alice', password: 'wrong password' })).status).toBe(401);
    const ok = await login({ name: 'alice', password: PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^pb_agent=[\w-]+; Path=\/agent; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/);
    const session = cookie.split(';')[0]!;
    const me = (await (await fetch(`${server.url}/agent/api/me`, { headers: { cookie: session } })).json()) as { name: string; csrf: string };
    expect(me.name).toBe('alice');
    const take = (headers: Record<string, string>) =>
      fetch(`${server.url}/agent/api/handoffs/nope/take`, { method: 'POST', headers: { cookie: session, 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await take({})).status).toBe(403);
    expect((await take({ 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await take({ 'x-csrf-token': me.csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect((await take({ 'x-csrf-token': me.csrf })).status).toBe(404);
    expect((await login({ name: 'alice', password: PASSWORD }, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('rate-limits failed logins', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login({ name: 'mallory', password: `guess-${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

describe('admin token', () => {
  it('lets the printed one-time token in once when no accounts are configured', async () => {
    const printed: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let bare: Awaited<ReturnType<typeof startTestServer>>;
    try {
      bare = await startTestServer({ logLevel: 'warn' });
    } finally {
      process.stderr.write = original;
    }
    try {
      const token = /admin token ([\w-]+)/.exec(printed.join(''))?.[1];
      expect(token).toBeDefined();
      const use = (t: string) => fetch(`${bare.url}/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: t }) });
      expect((await use('not-the-token')).status).toBe(401);
      const ok = await use(token!);
      expect(ok.status).toBe(200);
      const session = ok.headers.get('set-cookie')!.split(';')[0]!;
      expect(((await (await fetch(`${bare.url}/agent/api/me`, { headers: { cookie: session } })).json()) as { name: string }).name).toBe('admin');
      // One-time: the same token does not open a second session.
      expect((await use(token!)).status).toBe(401);
    } finally {
      await bare.close();
    }
  });
});
