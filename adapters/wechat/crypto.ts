// WeChat's safe-mode (安全模式) message encryption, compatible with the official WXBizMsgCrypt.
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
//
// AES-256-CBC with key = base64(EncodingAESKey + "=") and IV = the key's first 16 bytes;
// plaintext = 16 random bytes + 4-byte big-endian length + message + appId, PKCS#7-padded to
// a multiple of 32 bytes (not 16), so Node's automatic padding cannot be used.
// The ciphertext has no MAC: verify msg_signature before calling decrypt().

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BotError } from '../../src/errors.ts';
import { cdata } from './render.ts';
import { msgSignature, verifyMsgSignature } from './signature.ts';

const BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** WeChat bodies are capped well below this; it keeps a hostile <Encrypt> from costing much. */
const MAX_ENCRYPT_CHARS = 2 * 1024 * 1024;

export type WechatCryptoFailure =
  | 'invalid_base64' // not canonical base64
  | 'invalid_length' // empty, or not whole AES blocks
  | 'invalid_padding' // PKCS#7 pad byte outside 1..32 or pad bytes that differ
  | 'truncated' // the length field points past the end of the data
  | 'invalid_utf8' // the message is not valid UTF-8
  | 'appid_mismatch' // encrypted for another account
  | 'invalid_argument'; // bad input to encrypt()

/** Why a ciphertext was refused. A BotError('invalid_input') so the core handles it like any refused input. */
export class WechatCryptoError extends BotError {
  readonly reason: WechatCryptoFailure;

  constructor(reason: WechatCryptoFailure, message: string, options?: { cause?: unknown }) {
    super('invalid_input', message, options);
    this.name = 'WechatCryptoError';
    this.reason = reason;
  }
}

export interface WechatCryptoConfig {
  /** The Token set on the account's server configuration page (服务器配置). */
  token: string;
  /** The 43-character EncodingAESKey from the same page. */
  encodingAesKey: string;
  /** The account's AppID (wx...); decrypted messages must carry it. */
  appId: string;
}

export class WechatCrypto {
  readonly appId: string;
  // Private fields stay out of JSON.stringify and util.inspect, so logging the object leaks nothing.
  readonly #token: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;

  constructor(config: WechatCryptoConfig) {
    const { token, encodingAesKey, appId } = config ?? ({} as WechatCryptoConfig);
    if (typeof token !== 'string' || token === '') {
      throw new BotError('invalid_config', 'WeChat token is empty: copy the Token from the Official Account server configuration (服务器配置).');
    }
    if (typeof encodingAesKey !== 'string' || !ENCODING_AES_KEY.test(encodingAesKey)) {
      const length = typeof encodingAesKey === 'string' ? encodingAesKey.length : 0;
      throw new BotError(
        'invalid_config',
        `WeChat EncodingAESKey must be exactly 43 characters of [A-Za-z0-9+/] (got ${length}): copy it from the Official Account server configuration (服务器配置), or generate a new one there.`,
      );
    }
    const key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (key.length !== 32) {
      throw new BotError('invalid_config', `WeChat EncodingAESKey decodes to ${key.length} bytes instead of 32: copy it again from the server configuration.`);
    }
    if (typeof appId !== 'string' || appId === '' || Buffer.byteLength(appId, 'utf8') > 128) {
      throw new BotError('invalid_config', 'WeChat appId is empty or too long: copy the AppID (wx...) from the account\'s basic configuration (基本配置).');
    }
    this.#token = token;
    this.#key = key;
    this.#iv = key.subarray(0, 16);
    this.appId = appId;
  }

  /** Encrypts a reply (or anything) the way WeChat expects; `random16` only for reproducible tests. */
  encrypt(xml: string, random16: Buffer = randomBytes(RANDOM_BYTES)): string {
    if (typeof xml !== 'string') throw new WechatCryptoError('invalid_argument', 'encrypt() takes the message as a string.');
    if (!Buffer.isBuffer(random16) || random16.length !== RANDOM_BYTES) {
      throw new WechatCryptoError('invalid_argument', `encrypt() needs exactly ${RANDOM_BYTES} random bytes.`);
    }
    const message = Buffer.from(xml, 'utf8');
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32BE(message.length);
    const body = Buffer.concat([random16, length, message, Buffer.from(this.appId, 'utf8')]);
    const pad = BLOCK - (body.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  }

  /** Decrypts an `<Encrypt>` value; throws WechatCryptoError (never a raw crypto error) when it is not ours or not intact. */
  decrypt(encryptBase64: string): { message: string; appId: string } {
    if (typeof encryptBase64 !== 'string' || encryptBase64.length > MAX_ENCRYPT_CHARS || !BASE64.test(encryptBase64)) {
      throw new WechatCryptoError('invalid_base64', 'The encrypted message is not valid base64.');
    }
    const data = Buffer.from(encryptBase64, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new WechatCryptoError('invalid_length', `The encrypted message is ${data.length} bytes, not a whole number of AES blocks.`);
    }
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch (cause) {
      // Unreachable with whole blocks and auto-padding off; kept so no OpenSSL error escapes.
      throw new WechatCryptoError('invalid_length', 'The encrypted message cannot be decrypted.', { cause });
    }

    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK || pad > plain.length || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
      throw new WechatCryptoError('invalid_padding', 'The encrypted message has invalid padding (wrong key, or tampered with).');
    }
    const body = plain.subarray(0, plain.length - pad);
    if (body.length < RANDOM_BYTES + LENGTH_BYTES) {
      throw new WechatCryptoError('truncated', 'The decrypted message is too short to hold its length field.');
    }
    const length = body.readUInt32BE(RANDOM_BYTES);
    const start = RANDOM_BYTES + LENGTH_BYTES;
    if (length > body.length - start) {
      throw new WechatCryptoError('truncated', 'The decrypted message is shorter than its length field says.');
    }
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let message: string;
    let appId: string;
    try {
      message = decoder.decode(body.subarray(start, start + length));
      appId = decoder.decode(body.subarray(start + length));
    } catch (cause) {
      throw new WechatCryptoError('invalid_utf8', 'The decrypted message is not valid UTF-8.', { cause });
    }
    if (appId !== this.appId) {
      throw new WechatCryptoError('appid_mismatch', 'The message was encrypted for another AppID.');
    }
    return { message, appId };
  }

  /** msg_signature over `encrypt` with this account's token. */
  sign(timestamp: string, nonce: string, encrypt: string): string {
    return msgSignature(this.#token, timestamp, nonce, encrypt);
  }

  /** Checks a request's msg_signature against its `<Encrypt>` with this account's token (constant time). */
  verify(params: { timestamp: string; nonce: string; encrypt: string; msgSignature: string }): boolean {
    return verifyMsgSignature({ ...params, token: this.#token });
  }
}

/**
 * The safe-mode passive reply: the reply XML encrypted and signed.
 * `timestamp` is Unix seconds; `nonce` is usually the request's nonce echoed back.
 */
export function encryptedReply(
  crypto: WechatCrypto,
  params: { xml: string; timestamp: string | number; nonce: string; random16?: Buffer },
): string {
  const timestamp = String(params.timestamp);
  if (!/^\d{1,12}$/.test(timestamp)) throw new WechatCryptoError('invalid_argument', 'The reply timestamp must be Unix seconds.');
  if (typeof params.nonce !== 'string' || params.nonce === '') throw new WechatCryptoError('invalid_argument', 'The reply needs a nonce.');
  const encrypt = params.random16 ? crypto.encrypt(params.xml, params.random16) : crypto.encrypt(params.xml);
  const signature = crypto.sign(timestamp, params.nonce, encrypt);
  return (
    `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
    `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(params.nonce)}</Nonce></xml>`
  );
}
