// The access_token cache and the customer-service API against a fake WeChat API server.

import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WechatApi } from '../../../adapters/wechat/api.ts';
import { FakeWechatApi } from './fake-wechat-api.ts';

const SECRET = 'the-app-secret-1234';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('WechatApi', () => {
  const fake = new FakeWechatApi();
  let clock = 1_700_000_000_000;
  const make = (logger = capture().logger) => new WechatApi({ apiBase: fake.url, appId: 'wxapp', appSecret: SECRET, logger, now: () => clock });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  afterEach(() => {
    fake.tokenRequests.length = 0;
    fake.attempts.length = 0;
    fake.sendErrors.length = 0;
    fake.revokedTokens.clear();
    fake.tokenDelayMs = 0;
    fake.expiresIn = 7200;
  });

  it('shares one token fetch among concurrent callers and caches the token', async () => {
    fake.tokenDelayMs = 50;
    const api = make();
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => api.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(fake.tokenRequests[0]!)).toEqual({ grant_type: 'client_credential', appid: 'wxapp', secret: SECRET });
    expect(await api.accessToken()).toBe(tokens[0]);
    expect(fake.tokenRequests).toHaveLength(1);
  });

  it('refreshes the token five minutes before it expires', async () => {
    const api = make();
    const first = await api.accessToken();
    clock += (7200 - 6 * 60) * 1000;
    expect(await api.accessToken()).toBe(first);
    clock += 2 * 60 * 1000; // now 4 minutes before expiry
    const second = await api.accessToken();
    expect(second).not.toBe(first);
    expect(fake.tokenRequests).toHaveLength(2);
  });

  it('sends a text message with the cached token', async () => {
    const api = make();
    expect(await api.sendText('oUser1', '你好')).toBe(true);
    expect(await api.sendText('oUser2', '再见')).toBe(true);
    expect(fake.delivered).toEqual([
      { touser: 'oUser1', msgtype: 'text', text: { content: '你好' } },
      { touser: 'oUser2', msgtype: 'text', text: { content: '再见' } },
    ]);
    expect(fake.tokenRequests).toHaveLength(1);
  });

  it.each([40001, 40014, 42001])('fetches a new token once and retries on errcode %i', async (errcode) => {
    const api = make();
    fake.sendErrors.push(errcode);
    expect(await api.sendText('oUser', 'hi')).toBe(true);
    expect(fake.attempts.map((a) => a.errcode)).toEqual([errcode, 0]);
    expect(fake.attempts[0]!.accessToken).not.toBe(fake.attempts[1]!.accessToken);
    expect(fake.tokenRequests).toHaveLength(2);
  });

  it('gives up after one retry when the new token is refused too', async () => {
    const { logger, lines } = capture();
    const api = make(logger);
    fake.sendErrors.push(40001, 40001, 40001);
    expect(await api.sendText('oUser', 'hi')).toBe(false);
    expect(fake.attempts).toHaveLength(2);
    expect(lines.join('')).toContain('"errcode":40001');
  });

  it('logs other API errors (45015, 45047) and returns false instead of throwing', async () => {
    const { logger, lines } = capture();
    const api = make(logger);
    fake.sendErrors.push(45015, 45047);
    expect(await api.sendText('oUser', 'hi')).toBe(false);
    expect(await api.sendText('oUser', 'hi')).toBe(false);
    expect(fake.attempts).toHaveLength(2);
    expect(fake.tokenRequests).toHaveLength(1);
    const log = lines.join('');
    expect(log).toContain('"errcode":45015');
    expect(log).toContain('"errcode":45047');
  });

  it('survives an unreachable API without leaking the secret or the token into the logs', async () => {
    const { logger, lines } = capture();
    const good = make(logger);
    await good.accessToken();
    const token = 'TOKEN-1';
    const unreachable = new WechatApi({ apiBase: 'http://127.0.0.1:9', appId: 'wxapp', appSecret: SECRET, logger });
    expect(await unreachable.sendText('oUser', 'hi')).toBe(false);
    fake.sendErrors.push(40001, 40001);
    expect(await good.sendText('oUser', 'hi')).toBe(false);
    const log = lines.join('');
    expect(log).toContain('customer-service message not delivered');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(token);
  });
});
