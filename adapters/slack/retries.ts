// Slack's redeliveries of Events API requests.
// https://docs.slack.dev/apis/events-api/#retries
// Slack retries an event up to three times (at once, after a minute, after five minutes) when
// our answer was not a 2xx within 3 seconds, with `X-Slack-Retry-Num` and
// `X-Slack-Retry-Reason` (http_timeout, http_error, connection_failed, ...). Bolt passes both on
// as `context.retryNum` / `context.retryReason` and leaves the policy to the app.
//
// Two guards, on purpose:
// 1. The engine dedupes by message id in the store (client_msg_id, or channel + ts, which a
//    retry repeats). That is the one that holds across restarts and instances, and it alone
//    makes any redelivery harmless while the first turn succeeded or is still running.
// 2. A retry whose reason is `http_timeout` for an event this process already accepted is
//    dropped before the core sees it. Slack only missed our ack; the first delivery is being
//    (or was) handled here. Without this, a first turn that failed would have released its
//    claim (so a redelivery can be tried again) after sending the person the error reply, and
//    the timeout retry would then answer a second time. Other reasons (http_error,
//    connection_failed, ...) mean the first delivery may never have been handled, so those go
//    through and rely on guard 1.

/** Event ids accepted recently, kept long enough to outlive Slack's last retry. */
export class AcceptedEvents {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  remember(eventId: string): void {
    const now = this.clock();
    this.seen.delete(eventId);
    this.seen.set(eventId, now);
    // Insertion order is age order: evict from the front.
    for (const [id, at] of this.seen) {
      if (this.seen.size <= this.maxEntries && now - at <= this.ttlMs) break;
      this.seen.delete(id);
    }
  }

  has(eventId: string): boolean {
    const at = this.seen.get(eventId);
    return at !== undefined && this.clock() - at <= this.ttlMs;
  }
}

/** Whether a delivery is a timeout retry of an event already accepted (see guard 2 above). */
export function isRedundantRetry(
  delivery: { retryNum?: number; retryReason?: string; eventId?: string },
  accepted: AcceptedEvents,
): boolean {
  if (delivery.retryNum === undefined || !(delivery.retryNum > 0)) return false;
  if (delivery.retryReason !== 'http_timeout' || !delivery.eventId) return false;
  return accepted.has(delivery.eventId);
}
