// Who may talk to the web chat, and how much: the server-issued session (session.ts) and the
// abuse limits (limits.ts) in front of the message API. The API handler asks `admit` for the
// caller's session and sends nothing itself when it gets null: `admit` has answered (429).

import type { ServerResponse } from 'node:http';
import type { AdapterContext, HttpRequest } from '../../src/channels/channel.ts';
import { sendJson } from '../../src/server/server.ts';
import { clientAddress, isHttps, WebLimits, type LimitCheck, type LimitName } from './limits.ts';
import { SESSION_KEY_PURPOSE, WebSessions } from './session.ts';
import { SECURITY_HEADERS } from './static.ts';

/** Shown by the page as it is; both languages, since the limit is hit before anything is read. */
const SLOW_DOWN: Record<LimitName, (seconds: number) => string> = {
  session: (s) => `您发消息太快了，请 ${s} 秒后再试。(You are sending messages too fast; please try again in ${s} s.)`,
  ip: (s) => `您所在的网络发出的消息太多了，请 ${s} 秒后再试。(Too many messages from your network; please try again in ${s} s.)`,
  new_chats: (s) => `您所在的网络新开的对话太多了，请 ${Math.ceil(s / 60)} 分钟后再试。(Too many new chats from your network; please try again in ${Math.ceil(s / 60)} min.)`,
};

export class WebAccess {
  private constructor(
    private readonly ctx: AdapterContext,
    private readonly sessions: WebSessions,
    private readonly limits: WebLimits,
  ) {}

  static async open(ctx: AdapterContext, options: { limitsSchema?: string } = {}): Promise<WebAccess> {
    const sessions = new WebSessions(ctx.deriveKey(SESSION_KEY_PURPOSE), { maxAgeSeconds: ctx.config.transcriptRetentionDays * 86_400 });
    const limits = await WebLimits.open(ctx.config.web, {
      databaseUrl: ctx.config.databaseUrl,
      ...(options.limitsSchema !== undefined && { schema: options.limitsSchema }),
      onError: (err) => ctx.logger.warn({ err }, 'web rate limiter unavailable; message let through'),
    });
    return new WebAccess(ctx, sessions, limits);
  }

  /**
   * The caller's session id, after the limits. Without a valid session cookie a new session is
   * issued (counted as a new chat of the address) and set on `res`. Null: refused, answered.
   */
  async admit(request: HttpRequest, res: ServerResponse): Promise<string | null> {
    const hops = this.ctx.config.server.trustedProxyHops;
    const address = clientAddress(request.raw, hops);
    let session = this.sessions.read(request.headers);
    if (session === null) {
      const allowed = await this.limits.newChat(address);
      if (!allowed.ok) return this.refuse(res, allowed);
      const issued = this.sessions.issue(isHttps(request.raw, hops));
      res.setHeader('set-cookie', issued.setCookie);
      session = issued.id;
    }
    const allowed = await this.limits.message(session, address);
    return allowed.ok ? session : this.refuse(res, allowed);
  }

  /**
   * The caller's session for reading its own conversation (history, push): the cookie's, or a
   * new one issued and counted as a new chat, without a message limit. Null: refused, answered.
   */
  async session(request: HttpRequest, res: ServerResponse): Promise<string | null> {
    const current = this.sessions.read(request.headers);
    if (current !== null) return current;
    const hops = this.ctx.config.server.trustedProxyHops;
    const allowed = await this.limits.newChat(clientAddress(request.raw, hops));
    if (!allowed.ok) return this.refuse(res, allowed);
    const issued = this.sessions.issue(isHttps(request.raw, hops));
    res.setHeader('set-cookie', issued.setCookie);
    return issued.id;
  }

  /** The session of a valid cookie, else null (nothing issued, nothing answered). */
  current(request: HttpRequest): string | null {
    return this.sessions.read(request.headers);
  }

  /** POST /api/web/session: "New chat" — a fresh session (and conversation) for the browser. */
  async newSession(request: HttpRequest, res: ServerResponse): Promise<void> {
    const hops = this.ctx.config.server.trustedProxyHops;
    const allowed = await this.limits.newChat(clientAddress(request.raw, hops));
    if (!allowed.ok) return void this.refuse(res, allowed);
    res.setHeader('set-cookie', this.sessions.issue(isHttps(request.raw, hops)).setCookie);
    send(res, 200, { ok: true });
  }

  close(): Promise<void> {
    return this.limits.close();
  }

  private refuse(res: ServerResponse, check: Extract<LimitCheck, { ok: false }>): null {
    this.ctx.metrics.rejected('web', `rate_limited_${check.limit}`);
    this.ctx.logger.info({ limit: check.limit }, 'web message refused by a rate limit');
    res.setHeader('retry-after', String(check.retryAfterSeconds));
    send(res, 429, { error: SLOW_DOWN[check.limit](check.retryAfterSeconds), limit: check.limit, retryAfterSeconds: check.retryAfterSeconds });
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })) res.setHeader(name, value);
  sendJson(res, status, body);
}
