// Safe mode (安全模式) and compatible mode (兼容模式) over real HTTP, with the credentials of the
// official WXBizMsgCrypt sample (../shared/PROTOCOLS.md): requests encrypted and signed as
// WeChat does, replies that must decrypt and verify with the same credentials.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatCrypto } from '../../../adapters/wechat/crypto.ts';
import { createWechatAdapter } from '../../../adapters/wechat/index.ts';
import { cdata } from '../../../adapters/wechat/render.ts';
import { msgSignature, wechatSignature } from '../../../adapters/wechat/signature.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import { openAssistant } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { ACCOUNT_ID, msgId, nonce, nowSeconds, post, postEncrypted, postPlain, readEncryptedReply, textXml } from './client.ts';
import { fixture, OFFICIAL } from './vectors.ts';

const ACCOUNT = { token: OFFICIAL.token, encodingAesKey: OFFICIAL.encodingAesKey, appId: OFFICIAL.appId };
const ENV = {
  WECHAT_TOKEN: OFFICIAL.token,
  WECHAT_AES_KEY: OFFICIAL.encodingAesKey,
  WECHAT_APPID: OFFICIAL.appId,
  WECHAT_APPSECRET: 'sample-secret',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  WECHAT_TENANT: 'giantkone',
};

type Server = Awaited<ReturnType<typeof startTestServer>>;
let assistant: PolicyAssistant;
let users = 0;
const newUser = (label: string) => `o${label}-${Date.now()}-${++users}`;

beforeAll(async () => {
  assistant = await openAssistant();
});

describe('WeChat safe and compatible mode', () => {
  let server: Server;
  const url = () => `${server.url}/wechat`;

  beforeAll(async () => {
    server = await startTestServer({ env: ENV, assistant });
  });
  afterAll(() => server?.close());

  it('decrypts a safe-mode message and answers with an encrypted, signed reply', async () => {
    const user = newUser('safe');
    const response = await postEncrypted(url(), ACCOUNT, textXml({ user, text: '你们会把我的信息提供给第三方吗？', id: msgId() }));
    expect(response.status).toBe(200);
    expect(response.body).toMatch(/^<xml><Encrypt>/);
    expect(response.body).not.toContain('第三方');
    const { reply, signatureValid } = readEncryptedReply(response.body, ACCOUNT);
    expect(signatureValid).toBe(true);
    expect(reply).toMatchObject({ ToUserName: user, FromUserName: ACCOUNT_ID, MsgType: 'text' });
    expect(reply.Content).toMatch(/^依据：《[^》]+》/m);
    expect(Buffer.byteLength(reply.Content)).toBeLessThanOrEqual(2048);
  });

  it('trusts only the encrypted copy in compatible mode', async () => {
    const user = newUser('compatible');
    const id = msgId();
    const genuine = textXml({ user, text: '你们会把我的信息提供给第三方吗？', id });
    const response = await postEncrypted(url(), ACCOUNT, genuine, { compatible: true });
    const { reply, signatureValid } = readEncryptedReply(response.body, ACCOUNT);
    expect(signatureValid).toBe(true);
    expect(reply.Content).toContain('第三方');

    // The plaintext fields are not covered by msg_signature: tampering with them changes nothing.
    const other = newUser('compatible-tampered');
    const crypto = new WechatCrypto(ACCOUNT);
    const encrypt = crypto.encrypt(textXml({ user: other, text: '你们会把我的信息提供给第三方吗？', id: msgId() }));
    const timestamp = nowSeconds();
    const n = nonce();
    const tampered = `<xml><ToUserName>${cdata(ACCOUNT_ID)}</ToUserName><FromUserName>${cdata('oAttacker')}</FromUserName><MsgType>text</MsgType><Content>${cdata('我要删除我的个人信息')}</Content><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
    const answered = await post(url(), { timestamp, nonce: n, encrypt_type: 'aes', msg_signature: msgSignature(ACCOUNT.token, timestamp, n, encrypt) }, tampered);
    const inner = readEncryptedReply(answered.body, ACCOUNT).reply;
    expect(inner.ToUserName).toBe(other);
    expect(inner.Content).toContain('第三方');
    expect(inner.Content).not.toContain('删除哪些个人信息');
  });

  it('refuses a missing or wrong msg_signature with 401', async () => {
    const crypto = new WechatCrypto(ACCOUNT);
    const encrypt = crypto.encrypt(textXml({ user: newUser('forged'), text: '你好', id: msgId() }));
    const body = `<xml><ToUserName>${cdata(ACCOUNT_ID)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
    const timestamp = nowSeconds();
    const n = nonce();
    // A valid plain signature does not stand in for msg_signature.
    const missing = await post(url(), { signature: wechatSignature(ACCOUNT.token, timestamp, n), timestamp, nonce: n, encrypt_type: 'aes' }, body);
    expect(missing.status).toBe(401);
    const wrong = await post(url(), { timestamp, nonce: n, encrypt_type: 'aes', msg_signature: msgSignature('othertoken', timestamp, n, encrypt) }, body);
    expect(wrong.status).toBe(401);
  });

  it('refuses a message encrypted for another AppID with 400, even when signed', async () => {
    const foreign = new WechatCrypto({ ...ACCOUNT, appId: 'wxb11529c136998cb6' });
    const encrypt = foreign.encrypt(textXml({ user: newUser('foreign'), text: '你好', id: msgId() }));
    const timestamp = nowSeconds();
    const n = nonce();
    const response = await post(
      url(),
      { timestamp, nonce: n, encrypt_type: 'aes', msg_signature: msgSignature(ACCOUNT.token, timestamp, n, encrypt) },
      `<xml><Encrypt>${cdata(encrypt)}</Encrypt></xml>`,
    );
    expect(response.status).toBe(400);
  });

  it('refuses the official sample request as stale with the default clock window', async () => {
    const response = await post(
      url(),
      { timestamp: OFFICIAL.timestamp, nonce: OFFICIAL.nonce, encrypt_type: 'aes', msg_signature: OFFICIAL.msgSignature },
      fixture('encrypted-envelope.xml'),
    );
    expect(response.status).toBe(401);
  });

  it('refuses plain-mode POSTs (no msg_signature), and still answers URL verification', async () => {
    const user = newUser('plain');
    const plain = await postPlain(url(), ACCOUNT.token, textXml({ user, text: '你好', id: msgId() }));
    expect(plain.status).toBe(401);
    const timestamp = nowSeconds();
    const query = new URLSearchParams({ signature: wechatSignature(ACCOUNT.token, timestamp, 'n1'), timestamp, nonce: 'n1', echostr: 'hello-echo' });
    expect(await (await fetch(`${url()}?${query}`)).text()).toBe('hello-echo');
  });
});

describe('WeChat safe mode with the official sample request replayed (WECHAT_MAX_CLOCK_SKEW_S=0)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({ env: { ...ENV, WECHAT_MAX_CLOCK_SKEW_S: '0' }, assistant, adapters: [createWechatAdapter()] });
  });
  afterAll(() => server?.close());

  it('decrypts WXBizMsgCrypt Sample.py’s request and replies in kind, once', async () => {
    const send = () =>
      post(
        `${server.url}/wechat`,
        { timestamp: OFFICIAL.timestamp, nonce: OFFICIAL.nonce, encrypt_type: 'aes', msg_signature: OFFICIAL.msgSignature },
        fixture('encrypted-envelope.xml'),
      );
    const response = await send();
    expect(response.status).toBe(200);
    const { reply, signatureValid } = readEncryptedReply(response.body, ACCOUNT);
    expect(signatureValid).toBe(true);
    expect(reply).toMatchObject({ ToUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', FromUserName: 'gh_10f6c3c3ac5a', MsgType: 'text' });
    expect(reply.Content.length).toBeGreaterThan(0);
    // The reply echoes the request's nonce, as the official samples do.
    expect(response.body).toContain(`<Nonce><![CDATA[${OFFICIAL.nonce}]]></Nonce>`);
    // MsgId 6054768590064713728 again: a redelivery.
    expect((await send()).body).toBe('success');
  });
});
