// Abuse limits of the public web chat (rate-limiter-flexible): messages per session and per
// client address, and new chats (sessions, hence conversations) per address. With
// DATABASE_URL the counters live in PostgreSQL, so every instance counts together; without
// it, in this process's memory. A limiter that cannot reach its store lets the message
// through (an outage of the limiter must not take the chat down) and says so in the log.

import type { IncomingMessage } from 'node:http';
import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface WebLimitSettings {
  messagesPerMinute: number;
  messagesPerMinutePerIp: number;
  newChatsPerHourPerIp: number;
}

export type LimitName = 'session' | 'ip' | 'new_chats';
export type LimitCheck = { ok: true } | { ok: false; limit: LimitName; retryAfterSeconds: number };

const TABLE = 'web_rate_limits';

interface Limiters {
  session: RateLimiterAbstract;
  ip: RateLimiterAbstract;
  newChats: RateLimiterAbstract;
}

export class WebLimits {
  private constructor(
    private readonly limiters: Limiters,
    private readonly pool: pg.Pool | null,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** In memory, or in PostgreSQL at `databaseUrl` (table web_rate_limits, in `schema` when given). */
  static async open(settings: WebLimitSettings, options: { databaseUrl: string | null; schema?: string; onError: (error: unknown) => void }): Promise<WebLimits> {
    const specs = {
      session: { keyPrefix: 'web_session', points: settings.messagesPerMinute, duration: 60 },
      ip: { keyPrefix: 'web_ip', points: settings.messagesPerMinutePerIp, duration: 60 },
      newChats: { keyPrefix: 'web_new_chats', points: settings.newChatsPerHourPerIp, duration: 3600 },
    };
    if (!options.databaseUrl) {
      return new WebLimits(
        { session: new RateLimiterMemory(specs.session), ip: new RateLimiterMemory(specs.ip), newChats: new RateLimiterMemory(specs.newChats) },
        null,
        options.onError,
      );
    }
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4, connectionTimeoutMillis: 10_000, application_name: 'privacy-bot-limits' });
    pool.on('error', options.onError);
    const postgres = async (spec: (typeof specs)['session'], tableCreated: boolean): Promise<RateLimiterAbstract> => {
      let ready!: (error?: Error) => void;
      const created = new Promise<void>((resolve, reject) => (ready = (error) => (error ? reject(error) : resolve())));
      // The callback runs inside the constructor when the table exists already.
      const limiter = new RateLimiterPostgres(
          {
            ...spec,
            storeClient: pool,
            tableName: TABLE,
            ...(options.schema !== undefined && { schemaName: options.schema }),
            tableCreated,
            clearExpiredByTimeout: !tableCreated, // one limiter sweeps the shared table
            // While PostgreSQL is unreachable, this instance counts on its own.
            insuranceLimiter: new RateLimiterMemory(spec),
          },
          (error?: Error) => ready(error),
        );
      await created;
      return limiter;
    };
    try {
      // The first creates the shared table (a second instance starting at the same moment may
      // collide on CREATE TABLE IF NOT EXISTS: once more then finds it).
      const session = await postgres(specs.session, false).catch(() => postgres(specs.session, false));
      return new WebLimits({ session, ip: await postgres(specs.ip, true), newChats: await postgres(specs.newChats, true) }, pool, options.onError);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  /** One message of a session from an address: both limits must allow it. */
  async message(sessionId: string, ip: string): Promise<LimitCheck> {
    const perSession = await this.consume(this.limiters.session, sessionId, 'session');
    if (!perSession.ok) return perSession;
    return this.consume(this.limiters.ip, ip, 'ip');
  }

  /** A new session (a new conversation) for an address. */
  newChat(ip: string): Promise<LimitCheck> {
    return this.consume(this.limiters.newChats, ip, 'new_chats');
  }

  async close(): Promise<void> {
    // The sweeping limiter re-arms an (unref'd) timer forever; stop it before the pool goes.
    const sweeper = this.limiters.session as unknown as { _clearExpiredTimeoutId?: NodeJS.Timeout };
    if (sweeper._clearExpiredTimeoutId) clearTimeout(sweeper._clearExpiredTimeoutId);
    await this.pool?.end();
  }

  private async consume(limiter: RateLimiterAbstract, key: string, limit: LimitName): Promise<LimitCheck> {
    try {
      await limiter.consume(key);
      return { ok: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { ok: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      this.onError(rejection);
      return { ok: true };
    }
  }
}

/**
 * The client's address. Behind `trustedProxyHops` proxies (a load balancer) it is the entry
 * the outermost trusted proxy appended to X-Forwarded-For; anything a client wrote before it
 * is ignored, since the client controls it.
 */
export function clientAddress(req: IncomingMessage, trustedProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return hops[hops.length - trustedProxyHops] ?? hops[0] ?? peer;
}

/** Whether the client used https (directly, or as a trusted proxy says). */
export function isHttps(req: IncomingMessage, trustedProxyHops: number): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (trustedProxyHops <= 0) return false;
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase() === 'https';
}
