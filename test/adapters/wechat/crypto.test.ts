import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isBotError } from '../../../src/errors.ts';
import { encryptedReply, WechatCrypto, WechatCryptoError } from '../../../adapters/wechat/crypto.ts';
import { parseWechatXml } from '../../../adapters/wechat/xml.ts';
import { renderTextReply } from '../../../adapters/wechat/render.ts';
import { verifyMsgSignature } from '../../../adapters/wechat/signature.ts';
import { fixture, OFFICIAL, WXJAVA } from './vectors.ts';

const official = new WechatCrypto(OFFICIAL);

function failure(fn: () => unknown): WechatCryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WechatCryptoError);
    return error as WechatCryptoError;
  }
  throw new Error('expected a WechatCryptoError, but nothing was thrown');
}

const mutate = (base64: string, edit: (data: Buffer) => Buffer): string => edit(Buffer.from(base64, 'base64')).toString('base64');

describe('WechatCrypto against the public vectors', () => {
  it('decrypts the WXBizMsgCrypt sample to its text message', () => {
    const { message, appId } = official.decrypt(OFFICIAL.encrypt);
    expect(appId).toBe('wx2c2769f8efd9abc2');
    expect(Buffer.byteLength(message)).toBe(280);
    expect(message).toBe(fixture('text.xml'));
    expect(message).toContain('<Content><![CDATA[abcdteT]]></Content>');
    expect(message).toContain('<MsgId>6054768590064713728</MsgId>');
  });

  it('reproduces the sample ciphertext from its plaintext and random prefix', () => {
    // "89465c840c5f116f" is the sample's random prefix (the first 16 bytes of its plaintext).
    expect(official.encrypt(fixture('text.xml'), Buffer.from('89465c840c5f116f'))).toBe(OFFICIAL.encrypt);
  });

  it('matches the WxJava deterministic encryption, and decrypts it back', () => {
    const crypto = new WechatCrypto(WXJAVA);
    expect(crypto.encrypt(WXJAVA.plaintext, Buffer.from(WXJAVA.random))).toBe(WXJAVA.encrypt);
    expect(crypto.decrypt(WXJAVA.encrypt)).toEqual({ message: WXJAVA.plaintext, appId: WXJAVA.appId });
  });

  it('signs like the sample', () => {
    expect(official.sign(OFFICIAL.timestamp, OFFICIAL.nonce, OFFICIAL.encrypt)).toBe(OFFICIAL.msgSignature);
    expect(official.verify({ timestamp: OFFICIAL.timestamp, nonce: OFFICIAL.nonce, encrypt: OFFICIAL.encrypt, msgSignature: OFFICIAL.msgSignature })).toBe(true);
    expect(official.verify({ timestamp: OFFICIAL.timestamp, nonce: OFFICIAL.nonce, encrypt: WXJAVA.encrypt, msgSignature: OFFICIAL.msgSignature })).toBe(false);
  });
});

describe('WechatCrypto round trips', () => {
  // 16 + 4 + 26 + 18 (appId) = 64 bytes: a whole number of 32-byte blocks, so the pad is a full 32.
  it.each([
    ['empty', ''],
    ['a full 32-byte pad', 'x'.repeat(26)],
    ['a 1-byte pad', 'x'.repeat(25)],
    ['Chinese and emoji', '你好，隐私政策第8.3条 👨‍👩‍👧 🇨🇳'],
    ['a long reply', '个人信息保护。'.repeat(2000)],
  ])('%s', (_, message) => {
    const encrypted = official.encrypt(message);
    expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
    expect(official.decrypt(encrypted)).toEqual({ message, appId: OFFICIAL.appId });
  });

  it('uses fresh randomness for every message', () => {
    expect(official.encrypt('same')).not.toBe(official.encrypt('same'));
  });

  it('builds a signed, encrypted passive reply', () => {
    const reply = renderTextReply({ toUser: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', fromUser: 'gh_10f6c3c3ac5a', createTime: 1409735670, content: '您好' });
    const body = encryptedReply(official, { xml: reply, timestamp: '1409735670', nonce: '1320562132', random16: Buffer.from('aaaabbbbccccdddd') });
    expect(body).toMatch(/^<xml><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><MsgSignature><!\[CDATA\[[0-9a-f]{40}\]\]><\/MsgSignature><TimeStamp>1409735670<\/TimeStamp><Nonce><!\[CDATA\[1320562132\]\]><\/Nonce><\/xml>$/);
    const parsed = parseWechatXml(body);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const { Encrypt, MsgSignature, TimeStamp, Nonce } = parsed.value as Record<string, string>;
    expect(Encrypt).toBe(official.encrypt(reply, Buffer.from('aaaabbbbccccdddd')));
    expect(verifyMsgSignature({ token: OFFICIAL.token, timestamp: TimeStamp!, nonce: Nonce!, encrypt: Encrypt!, msgSignature: MsgSignature! })).toBe(true);
    expect(official.decrypt(Encrypt!).message).toBe(reply);
  });

  it('refuses a reply timestamp that is not Unix seconds, and a bad random prefix', () => {
    expect(failure(() => encryptedReply(official, { xml: '<xml/>', timestamp: 'soon', nonce: '1' })).reason).toBe('invalid_argument');
    expect(failure(() => encryptedReply(official, { xml: '<xml/>', timestamp: 1, nonce: '' })).reason).toBe('invalid_argument');
    expect(failure(() => official.encrypt('x', Buffer.alloc(15))).reason).toBe('invalid_argument');
  });
});

describe('WechatCrypto refuses what is not ours or not intact', () => {
  it('a message encrypted for another AppID', () => {
    const other = new WechatCrypto({ ...OFFICIAL, appId: 'wx0000000000000000' });
    const error = failure(() => other.decrypt(OFFICIAL.encrypt));
    expect(error.reason).toBe('appid_mismatch');
    expect(isBotError(error, 'invalid_input')).toBe(true);
    expect(failure(() => official.decrypt(WXJAVA.encrypt)).reason).toBe('appid_mismatch');
  });

  it('a message encrypted with another key', () => {
    const other = new WechatCrypto({ ...OFFICIAL, encodingAesKey: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg' });
    failure(() => other.decrypt(OFFICIAL.encrypt));
  });

  it('a tampered padding block', () => {
    // Flipping a bit of the second-to-last block flips the same bit of the last plaintext block.
    const tampered = mutate(OFFICIAL.encrypt, (d) => {
      const copy = Buffer.from(d);
      copy[copy.length - 17] = copy[copy.length - 17]! ^ 0x40;
      return copy;
    });
    expect(failure(() => official.decrypt(tampered)).reason).toBe('invalid_padding');
  });

  it('a tampered length field', () => {
    // The length field is the start of the second block; flipping block 1 flips it.
    const tampered = mutate(OFFICIAL.encrypt, (d) => {
      const copy = Buffer.from(d);
      copy[0] = copy[0]! ^ 0x80;
      return copy;
    });
    expect(failure(() => official.decrypt(tampered)).reason).toBe('truncated');
  });

  it('truncated ciphertext', () => {
    expect(failure(() => official.decrypt(mutate(OFFICIAL.encrypt, (d) => d.subarray(0, 40)))).reason).toBe('invalid_length');
    failure(() => official.decrypt(mutate(OFFICIAL.encrypt, (d) => d.subarray(0, d.length - 16))));
    failure(() => official.decrypt(mutate(OFFICIAL.encrypt, (d) => d.subarray(0, 32))));
    expect(failure(() => official.decrypt('')).reason).toBe('invalid_length');
  });

  it.each([
    ['not base64', 'not base64!!'],
    ['whitespace inside', `${OFFICIAL.encrypt.slice(0, 20)} ${OFFICIAL.encrypt.slice(20)}`],
    ['a missing padding character', OFFICIAL.encrypt.slice(0, -1)],
    ['url-safe alphabet', OFFICIAL.encrypt.replaceAll('+', '-').replaceAll('/', '_')],
  ])('%s', (_, input) => {
    expect(failure(() => official.decrypt(input)).reason).toBe('invalid_base64');
  });

  it('never lets a raw crypto error out, whatever the corruption', () => {
    // Deterministic pseudo-random corruption of the sample: every outcome is a result or a WechatCryptoError.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const data = Buffer.from(OFFICIAL.encrypt, 'base64');
    for (let i = 0; i < 500; i++) {
      const copy = Buffer.from(data.subarray(0, 16 * (1 + (next() % (data.length / 16)))));
      const at = next() % copy.length;
      copy[at] = copy[at]! ^ (1 + (next() % 255));
      try {
        official.decrypt(copy.toString('base64'));
      } catch (error) {
        expect(error).toBeInstanceOf(WechatCryptoError);
      }
    }
  });
});

describe('WechatCrypto configuration', () => {
  it.each([
    ['a 42-character key', { ...OFFICIAL, encodingAesKey: OFFICIAL.encodingAesKey.slice(1) }, /exactly 43 characters/],
    ['a 44-character key', { ...OFFICIAL, encodingAesKey: `${OFFICIAL.encodingAesKey}=` }, /exactly 43 characters/],
    ['a key with non-base64 characters', { ...OFFICIAL, encodingAesKey: `${OFFICIAL.encodingAesKey.slice(1)}!` }, /exactly 43 characters/],
    ['an empty token', { ...OFFICIAL, token: '' }, /token/],
    ['an empty appId', { ...OFFICIAL, appId: '' }, /appId/],
  ])('fails fast on %s, saying how to fix it', (_, config, message) => {
    let thrown: unknown;
    try {
      new WechatCrypto(config);
    } catch (error) {
      thrown = error;
    }
    expect(isBotError(thrown, 'invalid_config')).toBe(true);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/服务器配置|基本配置/);
  });

  it('keeps the token and key out of logs', () => {
    const shown = `${JSON.stringify(official)} ${inspect(official, { depth: 5, showHidden: true })}`;
    expect(shown).not.toContain(OFFICIAL.token);
    expect(shown).not.toContain(OFFICIAL.encodingAesKey);
    const key = Buffer.from(`${OFFICIAL.encodingAesKey}=`, 'base64');
    expect(shown).not.toContain(inspect(key).slice('<Buffer '.length, '<Buffer '.length + 23));
    expect(shown).not.toContain(key.toString('hex').slice(0, 16));
  });
});
