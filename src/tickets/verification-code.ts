// One-time identity codes: 6 digits, valid 15 minutes, 5 attempts. Only a salted HMAC of the
// code is ever stored; the clear code exists in memory between generating and sending it.

import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_TTL_MS = 15 * 60_000;
export const CODE_MAX_ATTEMPTS = 5;

/** A stored code. `key` names who asked for it: one conversation (tenant|channel|conversationRef). */
export interface VerificationCodeRecord {
  key: string;
  tenant: string;
  /** The ticket being verified, or null for a look-up of one's tickets from a new session. */
  ticketId: string | null;
  /** Blind index of the contact the code was sent to. */
  contactIndex: string;
  method: 'email' | 'sms';
  /** `<salt>:<hmac>` in base64url. */
  codeHash: string;
  createdAt: Date;
  expiresAt: Date;
  attempts: number;
  consumedAt: Date | null;
}

/** A uniformly random 6-digit code, leading zeros kept. */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function hashCode(secret: Buffer, key: string, code: string): string {
  const salt = randomBytes(16).toString('base64url');
  return `${salt}:${mac(secret, salt, key, code)}`;
}

/** Constant-time comparison of a typed code with the stored hash. */
export function codeMatches(secret: Buffer, key: string, code: string, codeHash: string): boolean {
  const [salt, expected] = codeHash.split(':');
  if (!salt || !expected) return false;
  const actual = Buffer.from(mac(secret, salt, key, code), 'base64url');
  const wanted = Buffer.from(expected, 'base64url');
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}

function mac(secret: Buffer, salt: string, key: string, code: string): string {
  // The key is part of the MAC, so a hash copied to another conversation's row matches nothing.
  return createHmac('sha256', secret).update(`${salt}\0${key}\0${code}`).digest('base64url');
}
