import { describe, expect, it } from 'vitest';
import { AcceptedEvents, isRedundantRetry } from '../../../adapters/slack/retries.ts';

describe('isRedundantRetry', () => {
  const accepted = new AcceptedEvents();
  accepted.remember('Ev0PV52K21');

  it.each([
    ['a first delivery', { eventId: 'Ev0PV52K21' }, false],
    ['a timeout retry of an accepted event', { retryNum: 1, retryReason: 'http_timeout', eventId: 'Ev0PV52K21' }, true],
    ['the third timeout retry of an accepted event', { retryNum: 3, retryReason: 'http_timeout', eventId: 'Ev0PV52K21' }, true],
    ['a timeout retry of an event never seen here', { retryNum: 1, retryReason: 'http_timeout', eventId: 'Ev0OTHER00' }, false],
    ['a retry after an error answer', { retryNum: 1, retryReason: 'http_error', eventId: 'Ev0PV52K21' }, false],
    ['a retry after a failed connection', { retryNum: 2, retryReason: 'connection_failed', eventId: 'Ev0PV52K21' }, false],
    ['a retry without a reason', { retryNum: 1, eventId: 'Ev0PV52K21' }, false],
    ['a timeout retry without an event id (interactivity)', { retryNum: 1, retryReason: 'http_timeout' }, false],
    ['a retry number that is not a number', { retryNum: Number.NaN, retryReason: 'http_timeout', eventId: 'Ev0PV52K21' }, false],
  ])('%s: %s', (_name, delivery, expected) => {
    expect(isRedundantRetry(delivery, accepted)).toBe(expected);
  });
});

describe('AcceptedEvents', () => {
  it('forgets events after the time to live', () => {
    let now = 0;
    const accepted = new AcceptedEvents(1000, 100, () => now);
    accepted.remember('Ev1');
    now = 1000;
    expect(accepted.has('Ev1')).toBe(true);
    now = 1001;
    expect(accepted.has('Ev1')).toBe(false);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const accepted = new AcceptedEvents(60_000, 3);
    for (const id of ['Ev1', 'Ev2', 'Ev3', 'Ev4']) accepted.remember(id);
    expect(['Ev1', 'Ev2', 'Ev3', 'Ev4'].map((id) => accepted.has(id))).toEqual([false, true, true, true]);
  });

  it('evicts expired entries as new ones arrive', () => {
    let now = 0;
    const accepted = new AcceptedEvents(10, 1000, () => now);
    for (let i = 0; i < 500; i++) {
      accepted.remember(`Ev${i}`);
      now += 1;
    }
    // Only the last ten milliseconds' worth remain.
    expect(Array.from({ length: 500 }, (_, i) => accepted.has(`Ev${i}`)).filter(Boolean).length).toBeLessThanOrEqual(11);
  });
});
