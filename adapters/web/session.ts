// The web chat's sessions, issued by the server: a random id signed with a key derived from
// the bot's encryption key, kept in an HttpOnly, SameSite=Strict cookie. The id names the
// person (`web:<id>`) and, per tenant, the conversation; a client can neither choose one nor
// read it from script, and every instance sharing the key accepts the others' sessions.
//
// Signed, not stored: checking a cookie costs one HMAC and no database read, and a made-up
// id is refused before it can create anything.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'pb_session';
/** What the key is derived for (see Bot.deriveKey): a key of its own, never the contact key itself. */
export const SESSION_KEY_PURPOSE = 'web-session-v1';

const ID_BYTES = 16;
/** 128 bits of HMAC-SHA256: plenty against forgery, short enough for a cookie. */
const MAC_BYTES = 16;
const COOKIE_VALUE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;

export interface IssuedSession {
  id: string;
  /** The Set-Cookie header value. */
  setCookie: string;
}

export class WebSessions {
  constructor(
    private readonly key: Buffer,
    private readonly options: { maxAgeSeconds: number },
  ) {}

  /** A new session; `secure` adds the Secure attribute (the request came over https). */
  issue(secure: boolean): IssuedSession {
    const id = randomBytes(ID_BYTES).toString('base64url');
    const value = `${id}.${this.mac(id).toString('base64url')}`;
    const attributes = [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${this.options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
    if (secure) attributes.push('Secure');
    return { id, setCookie: attributes.join('; ') };
  }

  /** The session id of a request whose cookie carries a valid signature, else null. */
  read(headers: IncomingHttpHeaders): string | null {
    const value = cookieValue(headers.cookie, SESSION_COOKIE);
    const match = value ? COOKIE_VALUE.exec(value) : null;
    if (!match) return null;
    const [, id, mac] = match as unknown as [string, string, string];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(id);
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
  }

  private mac(id: string): Buffer {
    return createHmac('sha256', this.key).update(`${SESSION_KEY_PURPOSE}\n${id}`).digest().subarray(0, MAC_BYTES);
  }
}

/** One cookie's value from a Cookie header (the first, if a browser sends two). */
function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
