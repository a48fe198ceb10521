// The two WeChat server APIs the adapter calls: access_token and the customer-service message
// (客服消息) that carries an answer that missed the 5-second window of a passive reply.
// https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
//
// Fetching a token invalidates the previous one five minutes later, so the token is cached,
// fetched by one caller at a time and refreshed a few minutes before it expires. Several
// instances each keep their own cache; a token another instance replaced is refetched when
// the API says it is invalid (40001 / 40014 / 42001). No error from here reaches the core.

import type { Logger } from 'pino';
import { z } from 'zod';
import { BotError } from '../../src/errors.ts';

/**
 * Customer-service errors that no retry can fix, so the outbox gives up at once: 45015 the
 * user has not written within 48 hours, 40003 not a follower's OpenID, 43004 unfollowed,
 * 43019 blocked by the user.
 */
export const UNREACHABLE_ERRORS: ReadonlySet<number> = new Set([45015, 40003, 43004, 43019]);

/** access_token errors that mean "fetch a new token and try again". */
export const TOKEN_ERRORS: ReadonlySet<number> = new Set([40001, 40014, 42001]);
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

const TokenResponse = z.union([
  z.object({ access_token: z.string().min(1), expires_in: z.number().positive() }),
  z.object({ errcode: z.number(), errmsg: z.string().optional() }),
]);
const ApiResponse = z.object({ errcode: z.number().optional(), errmsg: z.string().optional() });

/** An API call that failed; carries WeChat's errcode when there is one, never the token. */
export class WechatApiError extends Error {
  constructor(
    message: string,
    readonly errcode: number | null = null,
  ) {
    super(message);
    this.name = 'WechatApiError';
  }
}

export interface WechatApiOptions {
  /** e.g. https://api.weixin.qq.com (no trailing slash). */
  apiBase: string;
  appId: string;
  appSecret: string;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
}

export class WechatApi {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private cached: { token: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;
  /** How many tokens were fetched (for metrics and tests). */
  tokenFetches = 0;

  constructor(private readonly options: WechatApiOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  /** A valid access_token: the cached one, or one fetch shared by every concurrent caller. */
  async accessToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Forgets `token` if it is still the cached one (the API said it is no longer valid). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async fetchToken(): Promise<string> {
    const { apiBase, appId, appSecret } = this.options;
    const url = `${apiBase}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(appSecret)}`;
    this.tokenFetches += 1;
    const body = TokenResponse.safeParse(await this.request(url, { method: 'GET' }));
    if (!body.success) throw new WechatApiError('access_token: unexpected response');
    if ('errcode' in body.data) throw new WechatApiError(`access_token: ${body.data.errmsg ?? 'error'}`, body.data.errcode);
    const { access_token: token, expires_in: expiresIn } = body.data;
    const lifetimeMs = expiresIn * 1000;
    // Refresh five minutes early; a token that lives less than ten is refreshed halfway.
    this.cached = { token, refreshAt: this.now() + Math.max(lifetimeMs - REFRESH_BEFORE_EXPIRY_MS, lifetimeMs / 2) };
    return token;
  }

  private async request(url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      // The URL carries the secret or the token: only the failure's kind is reported.
      const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new WechatApiError(`request failed (${code})`);
    }
    if (!response.ok) throw new WechatApiError(`HTTP ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw new WechatApiError('response is not JSON');
    }
  }

  /** POSTs to `path` with the access_token, fetching a new token once if WeChat says it is invalid. */
  async call(path: string, payload: unknown): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const raw = await this.request(`${this.options.apiBase}${path}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(payload),
      });
      const body = ApiResponse.safeParse(raw);
      if (!body.success) throw new WechatApiError(`${path}: unexpected response`);
      const errcode = body.data.errcode ?? 0;
      if (errcode === 0) return;
      if (TOKEN_ERRORS.has(errcode) && attempt === 0) {
        this.invalidate(token);
        continue;
      }
      throw new WechatApiError(`${path}: ${body.data.errmsg ?? 'error'}`, errcode);
    }
  }

  /**
   * Sends a text through the customer-service API for the outbox: throws BotError
   * 'recipient_unreachable' when WeChat says the user cannot be reached (45015, ...), and
   * 'delivery_failed' for anything worth retrying (quota 45047, network, HTTP errors).
   */
  async deliverText(openId: string, content: string): Promise<void> {
    try {
      await this.call('/cgi-bin/message/custom/send', { touser: openId, msgtype: 'text', text: { content } });
    } catch (error) {
      const errcode = error instanceof WechatApiError ? error.errcode : null;
      const code = errcode !== null && UNREACHABLE_ERRORS.has(errcode) ? 'recipient_unreachable' : 'delivery_failed';
      throw new BotError(code, `WeChat customer-service message not delivered${errcode !== null ? ` (errcode ${errcode})` : ''}`, { cause: error });
    }
  }

  /**
   * Sends a text through the customer-service API. Never throws: a failure (45015: the user
   * has not written for 48 h; 45047: over quota; a network error) is logged and returns false.
   */
  async sendText(openId: string, content: string): Promise<boolean> {
    try {
      await this.call('/cgi-bin/message/custom/send', { touser: openId, msgtype: 'text', text: { content } });
      return true;
    } catch (error) {
      const { errcode, message } = error instanceof WechatApiError ? error : { errcode: null, message: 'unexpected error' };
      this.options.logger.warn({ errcode, error: message }, 'customer-service message not delivered');
      return false;
    }
  }
}
