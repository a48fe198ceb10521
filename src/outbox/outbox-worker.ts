// Delivers the outbox: claims due rows (several workers or instances never claim the same
// one), hands each to the deliverer registered for its target (a channel adapter's `send`, an
// agent desk), and marks it sent only after the deliverer returned. A failure is retried
// with exponential backoff; a permanent one (BotError 'recipient_unreachable' or
// 'invalid_input', or too many attempts) marks the row failed and tells the failure listeners
// (the handoff service records delivery_failed and tells the agent).
//
// Delivery is at least once: a crash between a successful send and the mark re-sends after
// the lease. Everything before that (redeliveries, double clicks) is stopped by the dedupe key.

import type { Logger } from 'pino';
import { isBotError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { OutboxItem } from './types.ts';

export type Deliver = (item: OutboxItem) => Promise<void>;
export type FailureListener = (item: OutboxItem, reason: string) => Promise<void>;

export interface RetryPolicy {
  /** Delay after the first failed attempt; doubles with each further one. */
  baseMs: number;
  maxMs: number;
  /** After this many failed attempts the row is failed for good. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 10 * 60_000, maxAttempts: 10 };

export interface OutboxWorkerOptions {
  store: Store;
  logger: Logger;
  clock?: () => Date;
  retry?: Partial<RetryPolicy>;
  /** How long a claimed row stays reserved for this worker (then another may take it). */
  leaseMs?: number;
  batchSize?: number;
}

export interface OutboxRun {
  sent: number;
  retried: number;
  failed: number;
}

/** The delay before attempt `attempts + 1`, after `attempts` failed ones. */
export function backoffMs(attempts: number, policy: RetryPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

export class OutboxWorker {
  readonly #deliverers = new Map<string, Deliver>();
  readonly #listeners: FailureListener[] = [];
  readonly #retry: RetryPolicy;
  readonly #clock: () => Date;
  #running: Promise<OutboxRun> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Routes rows of `target` (a channel name, or "desk:<name>") to `deliver`. */
  register(target: string, deliver: Deliver): void {
    this.#deliverers.set(target, deliver);
  }

  /** Called once for each row that is given up on. */
  onFailure(listener: FailureListener): void {
    this.#listeners.push(listener);
  }

  /** Delivers everything due now; concurrent calls share one run (and trigger one more). */
  runOnce(): Promise<OutboxRun> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        void this.runOnce();
      }
    });
    return this.#running;
  }

  /** Runs now and then every `intervalMs` (new rows also call wake()). */
  start(intervalMs = 1000): void {
    this.#stopped = false;
    this.wake();
    this.#timer = setInterval(() => this.wake(), intervalMs);
    this.#timer.unref();
  }

  /** Something was queued: deliver it without waiting for the next tick. */
  wake(): void {
    if (this.#stopped) return;
    void this.runOnce().catch((err: unknown) => this.options.logger.error({ err }, 'outbox run failed'));
  }

  /** Stops the timer and waits for the current run. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  async #drain(): Promise<OutboxRun> {
    const run: OutboxRun = { sent: 0, retried: 0, failed: 0 };
    const { store } = this.options;
    // Bounded, so one run cannot spin forever on rows that keep becoming due.
    for (let round = 0; round < 50; round++) {
      const items = await store.claimOutbox(this.#clock(), this.options.batchSize ?? 20, this.options.leaseMs ?? 60_000);
      if (items.length === 0) break;
      // One row per conversation per claim, so running them side by side keeps each conversation in order.
      const outcomes = await Promise.all(items.map((item) => this.#deliver(item)));
      for (const outcome of outcomes) run[outcome]++;
    }
    return run;
  }

  async #deliver(item: OutboxItem): Promise<keyof OutboxRun> {
    const { store, logger } = this.options;
    const log = { outboxId: item.id, target: item.target, tenant: item.tenant, handoffId: item.handoffId ?? undefined, attempt: item.attempts };
    const deliver = this.#deliverers.get(item.target);
    try {
      if (!deliver) throw new NoDeliverer();
      await deliver(item);
    } catch (error) {
      const reason = error instanceof NoDeliverer ? 'no_deliverer' : isBotError(error) ? error.code : 'error';
      const permanent = isBotError(error, 'recipient_unreachable') || isBotError(error, 'invalid_input');
      if (!permanent && item.attempts < this.#retry.maxAttempts) {
        const next = new Date(this.#clock().getTime() + backoffMs(item.attempts, this.#retry));
        await store.retryOutbox(item.id, next, reason, this.#clock());
        logger.warn({ ...log, reason, err: error, nextAttemptAt: next.toISOString() }, 'outbox delivery failed; will retry');
        return 'retried';
      }
      await store.failOutbox(item.id, reason, this.#clock());
      logger.error({ ...log, reason, err: error }, 'outbox delivery failed for good');
      for (const listener of this.#listeners) {
        await listener(item, reason).catch((err: unknown) => logger.error({ ...log, err }, 'outbox failure listener failed'));
      }
      return 'failed';
    }
    await store.markOutboxSent(item.id, this.#clock());
    logger.debug(log, 'outbox delivered');
    return 'sent';
  }
}

class NoDeliverer extends Error {}
