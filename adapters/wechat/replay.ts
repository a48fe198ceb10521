// Replay protection for signed WeChat requests, shared by every instance through the store.
//
// The URL `signature` covers token, timestamp and nonce, not the body, so a URL seen once (in
// a proxy log) could carry any message within the timestamp window. Each (timestamp, nonce)
// is therefore remembered with a digest of the authenticated body: the same body again is
// WeChat redelivering (the message-id dedupe answers it once), another body is a replay.
// Entries expire once the timestamp window can no longer admit the pair.

import { createHash } from 'node:crypto';
import type { NonceCheck, Store } from '../../src/store/store.ts';

/** With the timestamp check off (WECHAT_MAX_CLOCK_SKEW_S=0) a pair is remembered this long. */
const UNBOUNDED_WINDOW_S = 86_400;
/** Expired pairs are deleted at most this often, off the request's path. */
const PURGE_EVERY_MS = 60_000;

export class ReplayGuard {
  private lastPurge = 0;

  constructor(
    private readonly store: Store,
    private readonly options: { maxClockSkewS: number; now: () => Date; onPurgeError: (error: unknown) => void },
  ) {}

  /** 'conflict' means refuse: the pair came before with another body. */
  async check(scope: string, timestamp: string, nonce: string, body: string): Promise<NonceCheck> {
    const now = this.options.now();
    const skew = this.options.maxClockSkewS > 0 ? this.options.maxClockSkewS : UNBOUNDED_WINDOW_S;
    // A timestamp admitted now stays admissible for at most 2 × skew (from now − skew to now + skew).
    const expiresAt = new Date(now.getTime() + 2 * skew * 1000);
    const digest = createHash('sha256').update(body, 'utf8').digest('base64url');
    const check = await this.store.rememberRequest({ scope, timestamp, nonce, digest, expiresAt }, now);
    if (now.getTime() - this.lastPurge >= PURGE_EVERY_MS) {
      this.lastPurge = now.getTime();
      void this.store.purgeExpiredRequests(now).catch(this.options.onPurgeError);
    }
    return check;
  }
}
