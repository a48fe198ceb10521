// Request signatures of the WeChat Official Account message server.
// Plain: https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
// Safe mode: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
// Both sort the parts as strings (not as numbers) and join them with nothing in between.

import { createHash, timingSafeEqual } from 'node:crypto';

function sha1OfSorted(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join(''), 'utf8').digest('hex');
}

/** Compares in constant time so a forger cannot learn the signature byte by byte. */
function sameHex(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(given, 'utf8'));
}

function allStrings(...values: unknown[]): boolean {
  return values.every((v) => typeof v === 'string');
}

/** The `signature` query parameter: sha1 of the sorted [token, timestamp, nonce], lowercase hex. */
export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  return sha1OfSorted([token, timestamp, nonce]);
}

/** Checks the `signature` WeChat adds to every request (URL verification and plain-mode POSTs). */
export function verifyPlainSignature(params: { token: string; timestamp: string; nonce: string; signature: string }): boolean {
  const { token, timestamp, nonce, signature } = params;
  if (!allStrings(token, timestamp, nonce) || token === '') return false;
  return sameHex(wechatSignature(token, timestamp, nonce), signature);
}

/** The `msg_signature` of safe mode: sha1 of the sorted [token, timestamp, nonce, Encrypt]. */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sha1OfSorted([token, timestamp, nonce, encrypt]);
}

/**
 * Checks `msg_signature` against the body's `<Encrypt>`. Check it before decrypting: the
 * ciphertext carries no MAC of its own, so this is what makes it authentic.
 */
export function verifyMsgSignature(params: {
  token: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
  msgSignature: string;
}): boolean {
  const { token, timestamp, nonce, encrypt, msgSignature: given } = params;
  if (!allStrings(token, timestamp, nonce, encrypt) || token === '') return false;
  return sameHex(msgSignature(token, timestamp, nonce, encrypt), given);
}

/**
 * Whether the request's `timestamp` (Unix seconds) is within `maxSkewSeconds` of `now`, in
 * either direction. WeChat's signature covers the timestamp but never expires, so without
 * this a captured request can be replayed forever. `maxSkewSeconds = 0` turns the window
 * off; a timestamp that is not a plain decimal number of seconds is always invalid.
 */
export function checkTimestamp(timestamp: string | number, now: Date, maxSkewSeconds: number): boolean {
  const text = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  if (typeof text !== 'string' || !/^\d{1,12}$/.test(text)) return false;
  if (!Number.isFinite(maxSkewSeconds) || maxSkewSeconds < 0) return false;
  if (maxSkewSeconds === 0) return true;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!Number.isFinite(nowSeconds)) return false;
  return Math.abs(nowSeconds - Number(text)) <= maxSkewSeconds;
}
