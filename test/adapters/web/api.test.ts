import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyAsText } from '../../../adapters/web/render.ts';
import { startTestServer } from '../../helpers/server.ts';
import { describeChannelContract, type ChannelHarness } from '../contract.ts';
import { newMessageId, newSession, postMessage, postRaw } from './client.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let url: string;

beforeAll(async () => {
  // Every test client is 127.0.0.1: the per-address limits are limits.test.ts's business.
  server = await startTestServer({ env: { WEB_NEW_CHATS_PER_HOUR_PER_IP: '100000', WEB_MESSAGES_PER_MINUTE_PER_IP: '100000' } });
  url = server.url;
});
afterAll(async () => {
  await server?.close();
});

describe('web API: tenants', () => {
  it('lists the tenant ids and a default one', async () => {
    const response = await fetch(`${url}/api/web/tenants`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { tenants: { id: string }[]; defaultTenant: string };
    expect(body.tenants.map((t) => t.id)).toEqual(expect.arrayContaining(['giantkone', 'smarthw', 'changlian', 'qiancheng']));
    expect(body.tenants.map((t) => t.id)).toContain(body.defaultTenant);
  });
});

describe('web API: messages', () => {
  it('answers a question with citations a page can show', async () => {
    const result = await postMessage(url, { session: newSession(), text: '你们收集哪些个人信息？' });
    expect(result.duplicate).toBe(false);
    expect(result.intent).toBe('question');
    const [answer] = result.replies;
    expect(answer?.kind).toBe('answer');
    expect(answer?.text).toContain('个人信息');
    expect(answer?.citations.length).toBeGreaterThan(0);
    for (const c of answer!.citations) {
      // The version's effective date follows the clause when the policy states one.
      expect(c.label).toMatch(/^《[^》]+》第.+条(（[\d-]+ 起施行版）)?$/);
      expect(c.text.length).toBeGreaterThan(0);
      expect(Object.keys(c).sort()).toEqual(['label', 'number', 'policyTitle', 'text', 'title']);
    }
  });

  it('starts a rights request as a form with quick replies', async () => {
    const result = await postMessage(url, { session: newSession(), text: '我要删除我的个人信息' });
    expect(result.intent).toBe('delete_data');
    const form = result.replies.find((r) => r.kind === 'form');
    expect(form?.text).toMatch(/删除哪些个人信息/);
    expect(form?.quickReplies).toContainEqual({ label: '全部个人信息', value: '全部个人信息' });
  });

  it('keeps one conversation per tenant and session', async () => {
    const session = newSession();
    await postMessage(url, { session, text: '我要删除我的个人信息' });
    // The same session with another tenant is another conversation: no form is open there.
    const other = await postMessage(url, { session, tenant: 'smarthw', text: '你好' });
    expect(other.replies.map((r) => r.kind)).not.toContain('form');
    const again = await postMessage(url, { session, text: '你好' });
    expect(again.replies.at(-1)?.kind).toBe('form');
  });

  it('files a ticket at the end of the form', async () => {
    const session = newSession();
    await postMessage(url, { session, text: '我要删除我的个人信息' });
    await postMessage(url, { session, text: '全部个人信息' });
    const contact = await postMessage(url, { session, text: '13812345678' });
    expect(JSON.stringify(contact)).not.toContain('13812345678');
    const done = await postMessage(url, { session, text: '确认' });
    expect(done.ticketId).toMatch(/^DEL-\d{8}-\d{4}$/);
    expect(done.replies.map(replyAsText).join('\n')).toContain(done.ticketId);
  });

  it('ignores a retried message id: duplicate, no replies', async () => {
    const session = newSession();
    const messageId = newMessageId();
    const first = await postMessage(url, { session, messageId, text: '你们收集哪些个人信息？' });
    expect(first.replies.length).toBeGreaterThan(0);
    const retried = await postMessage(url, { session, messageId, text: '你们收集哪些个人信息？' });
    expect(retried).toMatchObject({ duplicate: true, replies: [] });
  });

  it('refuses malformed JSON with 400', async () => {
    const result = await postRaw(url, '{"tenant": "giantkone", "session": ');
    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.body).toEqual({ error: 'The request body is not valid JSON.' });
  });

  it('ignores a session id the client makes up: two requests naming one are two conversations', async () => {
    const chosen = JSON.stringify({ tenant: 'giantkone', session: 'aaaaaaaaaaaaaaaa', text: '我要删除我的个人信息', messageId: newMessageId() });
    const first = await postRaw(url, chosen);
    expect(first.status).toBe(200);
    const second = await postRaw(url, JSON.stringify({ tenant: 'giantkone', session: 'aaaaaaaaaaaaaaaa', text: '全部个人信息', messageId: newMessageId() }));
    // Not the form's next step: a conversation of its own.
    expect(JSON.stringify(second.body)).not.toMatch(/手机号或邮箱/);
  });

  it('refuses a body that is not a message with 400', async () => {
    for (const body of ['[]', 'null', '"hi"', '{}', JSON.stringify({ tenant: 'giantkone', session: newSession(), text: 42, messageId: newMessageId() })]) {
      const result = await postRaw(url, body);
      expect(result.status, body).toBe(400);
      expect((result.body as { error: string }).error).toMatch(/^Invalid message: /);
    }
  });

  it('refuses a body that is not JSON by content type with 415', async () => {
    const result = await postRaw(url, JSON.stringify({ tenant: 'giantkone', session: newSession(), text: '你好', messageId: newMessageId() }), 'text/plain');
    expect(result.status).toBe(415);
  });

  it('answers an unknown tenant with 404 and the known ones', async () => {
    const result = await postRaw(url, JSON.stringify({ tenant: 'acme', session: newSession(), text: '你好', messageId: newMessageId() }));
    expect(result.status).toBe(404);
    expect((result.body as { error: string }).error).toMatch(/Unknown tenant "acme"\. Known tenants: .*giantkone/);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const text = '个'.repeat(400_000); // 1.2 MB of UTF-8
    const result = await postRaw(url, JSON.stringify({ tenant: 'giantkone', session: newSession(), text, messageId: newMessageId() }));
    expect(result.status).toBe(413);
  });

  it('lets the core refuse an overlong question in words', async () => {
    const result = await postMessage(url, { session: newSession(), text: '长'.repeat(2500) });
    expect(result.replies[0]?.kind).toBe('error');
    expect(result.replies[0]?.text).toMatch(/太长/);
  });

  it('answers GET on the message API with 405', async () => {
    expect((await fetch(`${url}/api/web/messages`)).status).toBe(405);
  });

  it('counts the replies it sent', async () => {
    await postMessage(url, { session: newSession(), text: '你们收集哪些个人信息？' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const sent = /privacy_bot_messages_out_total\{channel="web"\} (\d+)/.exec(metrics);
    expect(Number(sent?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/privacy_bot_webhook_rejections_total\{channel="web",reason="malformed_json"\} [1-9]/);
  });
});

describe('web page and assets', () => {
  it.each([
    ['/', /^text\/html; charset=utf-8$/],
    ['/web/app.js', /^text\/javascript; charset=utf-8$/],
    ['/web/app.css', /^text\/css; charset=utf-8$/],
  ])('serves %s with its type, a strict CSP and revalidation', async (path, type) => {
    const response = await fetch(`${url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'self'(;|$)/);
    expect(response.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect((await response.text()).length).toBeGreaterThan(100);
    const revalidated = await fetch(`${url}${path}`, { headers: { 'if-none-match': etag! } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });

  it('answers HEAD / without a body', async () => {
    const response = await fetch(`${url}/`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('lists the web channel in /healthz', async () => {
    const health = (await (await fetch(`${url}/healthz`)).json()) as { channels: string[] };
    expect(health.channels).toContain('web');
  });
});

// The contract: deliver = POST to the message API; a user's replies = what the API returned.
const received = new Map<string, string[]>();
const harness: ChannelHarness = {
  name: 'web',
  async setup() {},
  async teardown() {},
  async deliver({ user, text, id }) {
    const session = user.replace(/[^A-Za-z0-9_-]/g, '_').padEnd(16, '_');
    const result = await postMessage(url, { session, text, messageId: id });
    received.set(user, [...(received.get(user) ?? []), ...result.replies.map(replyAsText)]);
  },
  // Replies come back in the POST's response, so everything has arrived once deliver returns.
  async replies(user) {
    return received.get(user) ?? [];
  },
};
describeChannelContract(harness);
