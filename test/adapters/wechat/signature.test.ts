import { describe, expect, it } from 'vitest';
import { checkTimestamp, msgSignature, verifyMsgSignature, verifyPlainSignature, wechatSignature } from '../../../adapters/wechat/signature.ts';
import { OFFICIAL } from './vectors.ts';

describe('wechatSignature (public vectors)', () => {
  it.each([
    // wechatpy tests/test_utils.py
    { token: 'test', timestamp: '1410685589', nonce: 'test', expected: 'f21891de399b4e33a1a93c9a7b8a8fffb5a443ff' },
    // silenceper/wechat util/signature_test.go: sha1("abc"), whatever the order of the parts
    { token: 'a', timestamp: 'b', nonce: 'c', expected: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
    { token: 'c', timestamp: 'a', nonce: 'b', expected: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
    { token: 'b', timestamp: 'c', nonce: 'a', expected: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
  ])('sha1 of sorted [$token, $timestamp, $nonce]', ({ token, timestamp, nonce, expected }) => {
    expect(wechatSignature(token, timestamp, nonce)).toBe(expected);
    expect(verifyPlainSignature({ token, timestamp, nonce, signature: expected })).toBe(true);
  });
});

describe('verifyPlainSignature rejects forgeries', () => {
  const good = { token: 'test', timestamp: '1410685589', nonce: 'test', signature: 'f21891de399b4e33a1a93c9a7b8a8fffb5a443ff' };
  it.each([
    ['a wrong token', { ...good, token: 'test2' }],
    ['a changed timestamp', { ...good, timestamp: '1410685590' }],
    ['a changed nonce', { ...good, nonce: 'tesT' }],
    ['one flipped hex digit', { ...good, signature: 'f21891de399b4e33a1a93c9a7b8a8fffb5a443fe' }],
    ['uppercase hex', { ...good, signature: good.signature.toUpperCase() }],
    ['a truncated signature', { ...good, signature: good.signature.slice(0, 39) }],
    ['an empty signature', { ...good, signature: '' }],
    ['an empty token', { ...good, token: '', signature: wechatSignature('', good.timestamp, good.nonce) }],
    ['a missing signature', { ...good, signature: undefined as unknown as string }],
    ['a missing nonce', { ...good, nonce: undefined as unknown as string }],
  ])('%s', (_, params) => {
    expect(verifyPlainSignature(params)).toBe(false);
  });
});

describe('msg_signature (WXBizMsgCrypt Sample.py vector)', () => {
  it('signs the sample Encrypt', () => {
    expect(msgSignature(OFFICIAL.token, OFFICIAL.timestamp, OFFICIAL.nonce, OFFICIAL.encrypt)).toBe(OFFICIAL.msgSignature);
  });

  it('verifies it, and rejects any change to the signed parts', () => {
    const good = { token: OFFICIAL.token, timestamp: OFFICIAL.timestamp, nonce: OFFICIAL.nonce, encrypt: OFFICIAL.encrypt, msgSignature: OFFICIAL.msgSignature };
    expect(verifyMsgSignature(good)).toBe(true);
    expect(verifyMsgSignature({ ...good, token: 'spamtest2' })).toBe(false);
    expect(verifyMsgSignature({ ...good, timestamp: '1409735670' })).toBe(false);
    expect(verifyMsgSignature({ ...good, nonce: '1320562133' })).toBe(false);
    expect(verifyMsgSignature({ ...good, encrypt: `A${OFFICIAL.encrypt.slice(1)}` })).toBe(false);
    expect(verifyMsgSignature({ ...good, msgSignature: '5d197aaffba7e9b25a30732f161a50dee96bd5fb' })).toBe(false);
    // The plain signature of the same request is not a msg_signature.
    expect(verifyMsgSignature({ ...good, msgSignature: wechatSignature(OFFICIAL.token, OFFICIAL.timestamp, OFFICIAL.nonce) })).toBe(false);
  });
});

describe('checkTimestamp', () => {
  const now = new Date(1_700_000_000_000);
  it.each([
    ['now', '1700000000', 300, true],
    ['5 minutes old', '1699999700', 300, true],
    ['5 minutes ahead', '1700000300', 300, true],
    ['stale by one second', '1699999699', 300, false],
    ['too far ahead', '1700000301', 300, false],
    ['a year old', '1668464000', 300, false],
    ['a year old with the window off', '1668464000', 0, true],
    ['as a number', 1700000000, 300, true],
    ['non-numeric', 'abc', 300, false],
    ['non-numeric with the window off', 'abc', 0, false],
    ['empty', '', 0, false],
    ['negative', '-1700000000', 0, false],
    ['fractional', '1700000000.5', 300, false],
    ['with spaces', ' 1700000000', 300, false],
    ['in milliseconds', '1700000000000', 300, false],
    ['with a negative window', '1700000000', -1, false],
  ] as const)('%s', (_, timestamp, skew, expected) => {
    expect(checkTimestamp(timestamp, now, skew)).toBe(expected);
  });
});
