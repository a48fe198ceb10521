// The WeChat endpoint under hostile traffic, over real HTTP: the encryption mode cannot be
// downgraded, a (timestamp, nonce) pair seen by any instance cannot carry another body, and
// signatures are checked before any XML is parsed, on bodies no larger than WeChat sends.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatCrypto } from '../../../adapters/wechat/crypto.ts';
import { createWechatAdapter } from '../../../adapters/wechat/index.ts';
import { cdata } from '../../../adapters/wechat/render.ts';
import { msgSignature, wechatSignature } from '../../../adapters/wechat/signature.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import { openAssistant, tempDir } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { ACCOUNT_ID, msgId, nonce, nowSeconds, post, postEncrypted, postPlain, readEncryptedReply, readReply, textXml } from './client.ts';
import { OFFICIAL } from './vectors.ts';

const ACCOUNT = { token: OFFICIAL.token, encodingAesKey: OFFICIAL.encodingAesKey, appId: OFFICIAL.appId };
const SAFE_ENV = {
  WECHAT_TOKEN: OFFICIAL.token,
  WECHAT_AES_KEY: OFFICIAL.encodingAesKey,
  WECHAT_APPID: OFFICIAL.appId,
  WECHAT_APPSECRET: 'sample-secret',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  WECHAT_TENANT: 'giantkone',
};
const QUESTION = '你们会把我的信息提供给第三方吗？';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let assistant: PolicyAssistant;
let users = 0;
const newUser = (label: string) => `o${label}-${process.pid}-${++users}`;

beforeAll(async () => {
  assistant = await openAssistant();
});

async function metric(server: Server, reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('privacy_bot_webhook_rejections_total{') && l.includes(`reason="${reason}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function transcriptOf(server: Server, user: string): Promise<string[]> {
  const { openStore } = await import('../../../src/store/open-store.ts');
  const store = await openStore({ dataDir: server.dataDir });
  try {
    return (await store.transcript('giantkone', 'wechat', `wechat:giantkone:${user}`)).map((e) => `${e.direction}:${e.text}`);
  } finally {
    await store.close();
  }
}

describe('WeChat encryption modes', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });
  const start = async (env: Record<string, string>) => {
    const server = await startTestServer({ env, assistant, adapters: [createWechatAdapter()] });
    servers.push(server);
    return server;
  };

  it.each([
    ['safe (the default with WECHAT_AES_KEY)', {}],
    ['safe', { WECHAT_ENCRYPT_MODE: 'safe' }],
    ['compatible', { WECHAT_ENCRYPT_MODE: 'compatible' }],
  ])('in %s mode refuses a POST signed only with the URL signature, and answers the encrypted one', async (_name, extra) => {
    const server = await start({ ...SAFE_ENV, ...extra });
    const url = `${server.url}/wechat`;
    const victim = newUser('victim');
    const downgrade = await postPlain(url, ACCOUNT.token, textXml({ user: victim, text: '我的申请进度', id: msgId() }));
    expect(downgrade.status).toBe(401);
    expect(await metric(server, 'msg_signature_required')).toBe(1);
    expect(await transcriptOf(server, victim)).toEqual([]);

    const user = newUser('encrypted');
    const genuine = await postEncrypted(url, ACCOUNT, textXml({ user, text: QUESTION, id: msgId() }), { compatible: 'WECHAT_ENCRYPT_MODE' in extra && extra.WECHAT_ENCRYPT_MODE === 'compatible' });
    expect(genuine.status).toBe(200);
    expect(readEncryptedReply(genuine.body, ACCOUNT).reply.Content).toContain('第三方');
  });

  it('accepts plain POSTs in plain mode, set explicitly beside an EncodingAESKey', async () => {
    const server = await start({ ...SAFE_ENV, WECHAT_ENCRYPT_MODE: 'plain' });
    const user = newUser('plain');
    const response = await postPlain(`${server.url}/wechat`, ACCOUNT.token, textXml({ user, text: QUESTION, id: msgId() }));
    expect(readReply(response.body)?.ToUserName).toBe(user);
  });

  it('refuses compatible or safe mode without an EncodingAESKey at start-up', async () => {
    const { loadConfig } = await import('../../../src/config.ts');
    expect(() => loadConfig({ WECHAT_TOKEN: 'tok123', WECHAT_ENCRYPT_MODE: 'safe' })).toThrow(/WECHAT_AES_KEY/);
    expect(() => loadConfig({ WECHAT_TOKEN: 'tok123', WECHAT_ENCRYPT_MODE: 'sometimes' })).toThrow(/WECHAT_ENCRYPT_MODE/);
  });
});

describe('WeChat replayed nonces, across two instances sharing a database', () => {
  const TOKEN = 'plaintoken123';
  const ENV = { WECHAT_TOKEN: TOKEN, WECHAT_API_BASE: 'http://127.0.0.1:9', WECHAT_TENANT: 'giantkone' };
  let first: Server;
  let second: Server;
  beforeAll(async () => {
    const dataDir = tempDir();
    first = await startTestServer({ env: ENV, assistant, adapters: [createWechatAdapter()], dataDir });
    second = await startTestServer({ env: ENV, assistant, adapters: [createWechatAdapter()], dataDir });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('refuses a captured URL with another body (any openid, any message) on either instance, and lets the same body through as a redelivery', async () => {
    const victim = newUser('victim');
    const timestamp = nowSeconds();
    const n = nonce();
    const query = { signature: wechatSignature(TOKEN, timestamp, n), timestamp, nonce: n, openid: victim };
    const id = msgId();
    const genuine = textXml({ user: victim, text: QUESTION, id });
    const answered = await post(`${first.url}/wechat`, query, genuine);
    expect(readReply(answered.body)?.ToUserName).toBe(victim);

    // The same URL (a proxy log line) with the attacker's body, on the other instance and on the first.
    const forged = textXml({ user: victim, text: '删除我的聊天记录', id: msgId() });
    const replayed = await post(`${second.url}/wechat`, query, forged);
    expect(replayed.status).toBe(401);
    expect((await post(`${first.url}/wechat`, query, forged)).status).toBe(401);
    expect(await metric(second, 'replayed_nonce')).toBe(1);

    // WeChat redelivering the genuine request: allowed through, and answered once by the message-id dedupe.
    const redelivered = await post(`${second.url}/wechat`, query, genuine);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toBe('success');
    expect((await transcriptOf(first, victim)).filter((e) => e.startsWith('in:'))).toEqual([`in:${QUESTION}`]);
  });
});

describe('WeChat: authentication before parsing', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({ env: SAFE_ENV, assistant, adapters: [createWechatAdapter()] });
  });
  afterAll(() => server?.close());

  const signedQuery = (encrypt: string, token: string = ACCOUNT.token) => {
    const timestamp = nowSeconds();
    const n = nonce();
    return { timestamp, nonce: n, encrypt_type: 'aes', msg_signature: msgSignature(token, timestamp, n, encrypt) };
  };

  it('refuses a forged msg_signature with 401 without parsing the body, however broken its XML', async () => {
    const encrypt = new WechatCrypto(ACCOUNT).encrypt(textXml({ user: newUser('forged'), text: '你好', id: msgId() }));
    const broken = `<xml><ToUserName>${cdata(ACCOUNT_ID)}<Encrypt>${cdata(encrypt)}</Encrypt><unclosed></xml>`;
    const response = await post(`${server.url}/wechat`, signedQuery(encrypt, 'othertoken'), broken);
    expect(response.status).toBe(401);
    expect(await metric(server, 'bad_signature')).toBeGreaterThanOrEqual(1);
    expect(await metric(server, 'malformed_xml')).toBe(0);
  });

  it('refuses a body larger than WeChat sends with 413 before reading the rest, and stays healthy', async () => {
    const encrypt = 'A'.repeat(200 * 1024);
    const response = await post(`${server.url}/wechat`, signedQuery(encrypt, 'othertoken'), `<xml><Encrypt>${cdata(encrypt)}</Encrypt></xml>`);
    expect(response.status).toBe(413);
    expect(await metric(server, 'too_large')).toBe(1);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('still answers a genuine message near the size limit', async () => {
    const user = newUser('long');
    const text = `${'请问'.repeat(900)}${QUESTION}`;
    const response = await postEncrypted(`${server.url}/wechat`, ACCOUNT, textXml({ user, text, id: msgId() }), { compatible: true });
    expect(response.status).toBe(200);
    expect(readEncryptedReply(response.body, ACCOUNT).reply.ToUserName).toBe(user);
  });
});
