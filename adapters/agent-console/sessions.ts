// Agent console sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure
// behind HTTPS), kept in memory with an expiry (one instance; a restart logs agents out),
// and a per-session CSRF token every POST must echo in `x-csrf-token`.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const COOKIE_NAME = 'pb_agent';

export interface AgentSession {
  agentName: string;
  csrf: string;
  expiresAt: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, AgentSession>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(agentName: string): { token: string; session: AgentSession } {
    const token = randomBytes(32).toString('base64url');
    const session = { agentName, csrf: randomBytes(24).toString('base64url'), expiresAt: this.now() + this.ttlMs };
    this.#sessions.set(token, session);
    return { token, session };
  }

  get(token: string | null): AgentSession | null {
    if (!token) return null;
    const session = this.#sessions.get(token);
    if (!session) return null;
    if (session.expiresAt <= this.now()) {
      this.#sessions.delete(token);
      return null;
    }
    return session;
  }

  delete(token: string | null): void {
    if (token) this.#sessions.delete(token);
  }
}

export function readCookie(headers: IncomingHttpHeaders, name = COOKIE_NAME): string | null {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || null;
  }
  return null;
}

/** Secure when configured, or when a proxy in front says the request came over HTTPS. */
export function isSecureRequest(headers: IncomingHttpHeaders, configured: boolean): boolean {
  return configured || String(headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

export function sessionCookie(token: string, maxAgeS: number, secure: boolean): string {
  return `${COOKIE_NAME}=${token}; Path=/agent; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

export function clearedCookie(secure: boolean): string {
  return `${COOKIE_NAME}=; Path=/agent; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** A POST from another site is refused: its Origin (when sent) must be this host. */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

export function csrfMatches(session: AgentSession, headers: IncomingHttpHeaders): boolean {
  const sent = Buffer.from(String(headers['x-csrf-token'] ?? ''));
  const expected = Buffer.from(session.csrf);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
