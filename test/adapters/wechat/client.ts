// What the WeChat message server does, for tests: builds signed (and encrypted) requests to
// /wechat and reads the passive replies; and the adapter over a slow core.

import { randomBytes } from 'node:crypto';
import { WechatCrypto } from '../../../adapters/wechat/crypto.ts';
import { createWechatAdapter } from '../../../adapters/wechat/index.ts';
import { cdata } from '../../../adapters/wechat/render.ts';
import { msgSignature, wechatSignature } from '../../../adapters/wechat/signature.ts';
import { parseWechatXml } from '../../../adapters/wechat/xml.ts';
import type { AdapterFactory } from '../../../src/channels/channel.ts';

export const ACCOUNT_ID = 'gh_10f6c3c3ac5a';
export const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));
export const nonce = (): string => randomBytes(6).toString('hex');

let sequence = 0;
/** A fresh MsgId: a decimal above 2^53, as WeChat's are. */
export const msgId = (): string => `${BigInt(Date.now()) * 1000000n + BigInt(++sequence)}`;

export function textXml(params: { user: string; text: string; id: string; createTime?: string; to?: string }): string {
  return (
    `<xml><ToUserName>${cdata(params.to ?? ACCOUNT_ID)}</ToUserName><FromUserName>${cdata(params.user)}</FromUserName>` +
    `<CreateTime>${params.createTime ?? nowSeconds()}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(params.text)}</Content><MsgId>${params.id}</MsgId></xml>`
  );
}

export function eventXml(params: { user: string; event: string; createTime?: string; eventKey?: string }): string {
  return (
    `<xml><ToUserName>${cdata(ACCOUNT_ID)}</ToUserName><FromUserName>${cdata(params.user)}</FromUserName>` +
    `<CreateTime>${params.createTime ?? nowSeconds()}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata(params.event)}</Event>${params.eventKey !== undefined ? `<EventKey>${cdata(params.eventKey)}</EventKey>` : ''}</xml>`
  );
}

export function mediaXml(params: { user: string; type: 'image' | 'voice' | 'video' | 'location' | 'link'; id: string }): string {
  return (
    `<xml><ToUserName>${cdata(ACCOUNT_ID)}</ToUserName><FromUserName>${cdata(params.user)}</FromUserName>` +
    `<CreateTime>${nowSeconds()}</CreateTime><MsgType>${cdata(params.type)}</MsgType>` +
    `<MediaId>${cdata('media-1')}</MediaId><MsgId>${params.id}</MsgId></xml>`
  );
}

export interface WechatResponse {
  status: number;
  body: string;
  ms: number;
}

export async function post(url: string, query: Record<string, string>, body: string): Promise<WechatResponse> {
  const started = performance.now();
  const response = await fetch(`${url}?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

/** A plain-mode POST signed with `token` (or a forged signature). */
export function postPlain(url: string, token: string, body: string, options: { timestamp?: string; forged?: boolean } = {}): Promise<WechatResponse> {
  const timestamp = options.timestamp ?? nowSeconds();
  const n = nonce();
  const signature = options.forged ? wechatSignature(`${token}x`, timestamp, n) : wechatSignature(token, timestamp, n);
  return post(url, { signature, timestamp, nonce: n, openid: 'ignored' }, body);
}

/** A safe-mode POST: the message encrypted and signed as WeChat does; `compatible` adds the plaintext fields. */
export function postEncrypted(
  url: string,
  account: { token: string; encodingAesKey: string; appId: string },
  xml: string,
  options: { compatible?: boolean; timestamp?: string } = {},
): Promise<WechatResponse> {
  const crypto = new WechatCrypto(account);
  const encrypt = crypto.encrypt(xml);
  const timestamp = options.timestamp ?? nowSeconds();
  const n = nonce();
  const plainFields = options.compatible ? xml.replace(/^<xml>/, '').replace(/<\/xml>$/, '') : `<ToUserName>${cdata(ACCOUNT_ID)}</ToUserName>`;
  const body = `<xml>${plainFields}<Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
  return post(
    url,
    { signature: wechatSignature(account.token, timestamp, n), timestamp, nonce: n, encrypt_type: 'aes', msg_signature: msgSignature(account.token, timestamp, n, encrypt) },
    body,
  );
}

export interface PassiveReply {
  ToUserName: string;
  FromUserName: string;
  CreateTime: string;
  MsgType: string;
  Content: string;
}

/** The passive reply's fields, or null for "success" / an empty body. */
export function readReply(body: string): PassiveReply | null {
  if (body === 'success' || body === '') return null;
  const parsed = parseWechatXml(body);
  if (!parsed.ok) throw new Error(`not a reply: ${parsed.error.message}`);
  return parsed.value as unknown as PassiveReply;
}

/** Decrypts and checks a safe-mode reply; returns its inner reply and whether MsgSignature verifies. */
export function readEncryptedReply(body: string, account: { token: string; encodingAesKey: string; appId: string }): { reply: PassiveReply; signatureValid: boolean } {
  const parsed = parseWechatXml(body);
  if (!parsed.ok) throw new Error(`not an encrypted reply: ${parsed.error.message}`);
  const { Encrypt, MsgSignature, TimeStamp, Nonce } = parsed.value as Record<string, string>;
  const crypto = new WechatCrypto(account);
  const signatureValid = crypto.verify({ timestamp: TimeStamp!, nonce: Nonce!, encrypt: Encrypt!, msgSignature: MsgSignature! });
  const reply = readReply(crypto.decrypt(Encrypt!).message);
  if (!reply) throw new Error('the encrypted reply holds no message');
  return { reply, signatureValid };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real adapter with a 50 ms reply budget, over a core that takes `delayMs` to answer. */
export function slowWechat(delayMs: number): AdapterFactory {
  const inner = createWechatAdapter({ replyBudgetMs: 50 });
  return {
    name: inner.name,
    create: (ctx) =>
      inner.create({
        ...ctx,
        dispatch: async (message) => {
          await sleep(delayMs);
          return ctx.dispatch(message);
        },
      }),
  };
}
