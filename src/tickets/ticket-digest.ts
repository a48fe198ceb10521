// The agents' daily digest: open tickets due within 3 days or overdue, posted to every ticket
// desk once a day from 09:00 China time. Once across instances: the digest is an outbox row
// whose dedupe key names the day, so the store keeps one "last run" row per day and a second
// instance's insert is ignored; a crash after the insert still delivers it (the outbox retries).

import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { DEFAULT_TIME_ZONE, dayIn } from './calendar.ts';
import { ticketDeskTarget, type TicketDeskNotification } from './ticket-desk.ts';
import type { TicketService } from './ticket-service.ts';
import { dueWithin } from './ticket-stats.ts';

export const DIGEST_WITHIN_DAYS = 3;
/** The hour (China time) from which the day's digest goes out. */
export const DIGEST_HOUR = 9;

export interface TicketDigestOptions {
  tickets: TicketService;
  store: Store;
  clock: () => Date;
  timeZoneOf: (tenant: string) => string;
  logger: Logger;
  /** Called when a digest was queued (the outbox worker's wake()). */
  onQueued?: () => void;
}

function hourIn(at: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at));
}

export class TicketDigest {
  constructor(private readonly options: TicketDigestOptions) {}

  /** Queues today's digest if it is time and no instance has; returns how many desks got one. */
  async runOnce(): Promise<number> {
    const { tickets, store, clock, timeZoneOf, logger } = this.options;
    const now = clock();
    const desks = tickets.deskNames();
    if (desks.length === 0 || hourIn(now, DEFAULT_TIME_ZONE) < DIGEST_HOUR) return 0;
    const day = dayIn(now, DEFAULT_TIME_ZONE);
    const due = dueWithin(await tickets.list(), now, DIGEST_WITHIN_DAYS, timeZoneOf);
    const payload: TicketDeskNotification = { type: 'digest', day, ticketIds: due.slice(0, 500).map((t) => t.id), withinDays: DIGEST_WITHIN_DAYS };
    const queued = await store.enqueueOutbox(
      desks.map((desk) => ({ target: ticketDeskTarget(desk), conversationRef: 'digest', payload, dedupeKey: `${ticketDeskTarget(desk)}:digest:${day}`, tenant: '*', handoffId: null })),
      now,
    );
    if (queued > 0) {
      logger.info({ day, tickets: due.length, desks: queued }, 'ticket digest queued');
      this.options.onQueued?.();
    }
    return queued;
  }

  /**
   * Checks every `intervalMs` (not at start: a restart loop must not race the day's first
   * check, and the day's row stops a repeat anyway); returns a stop function.
   */
  start(intervalMs = 15 * 60_000): () => void {
    const run = () => void this.runOnce().catch((err: unknown) => this.options.logger.error({ err }, 'ticket digest failed'));
    const timer = setInterval(run, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
