// Ticket figures per tenant with a fixed clock: open, overdue (by the tenant's day), due
// within N days, mean time to close.

import { describe, expect, it } from 'vitest';
import type { TicketRecord } from '../../src/tickets/ticket.ts';
import { dueWithin, ticketStats } from '../../src/tickets/ticket-stats.ts';

const t = (id: string, tenant: string, status: TicketRecord['status'], dueDate: string, created: string, updated = created) =>
  ({ id, tenant, status, dueDate, createdAt: new Date(created), updatedAt: new Date(updated) }) as TicketRecord;

// 2026-12-02 01:30 in Shanghai, still 2026-12-01 in New York.
const now = new Date('2026-12-01T17:30:00Z');
const zones: Record<string, string> = { acme: 'Asia/Shanghai', nyco: 'America/New_York' };
const zoneOf = (tenant: string) => zones[tenant] ?? 'Asia/Shanghai';

const tickets = [
  t('A1', 'acme', 'in_progress', '2026-12-01', '2026-11-01T00:00:00Z'), // overdue in Shanghai
  t('A2', 'acme', 'verifying_identity', '2026-12-02', '2026-11-20T00:00:00Z'), // due today
  t('A3', 'acme', 'submitted', '2026-12-05', '2026-11-25T00:00:00Z'), // due in 3 days
  t('A4', 'acme', 'submitted', '2026-12-06', '2026-11-26T00:00:00Z'), // due in 4 days
  t('A5', 'acme', 'completed', '2026-11-30', '2026-11-10T00:00:00Z', '2026-11-12T00:00:00Z'), // 2 days
  t('A6', 'acme', 'rejected', '2026-11-30', '2026-11-10T00:00:00Z', '2026-11-14T00:00:00Z'), // 4 days
  t('A7', 'acme', 'cancelled', '2026-11-30', '2026-11-10T00:00:00Z', '2026-11-11T00:00:00Z'), // withdrawn: not closed by an agent
  t('N1', 'nyco', 'in_progress', '2026-12-01', '2026-11-01T00:00:00Z'), // due today in New York: not overdue
];

describe('ticket figures', () => {
  it('counts open and overdue tickets by the tenant\'s day, and the mean time to close', () => {
    expect(ticketStats(tickets, now, zoneOf)).toEqual([
      { tenant: 'acme', open: 4, overdue: 1, closed: 2, meanSecondsToClose: 3 * 86_400 },
      { tenant: 'nyco', open: 1, overdue: 0, closed: 0, meanSecondsToClose: null },
    ]);
  });

  it('lists open tickets due within N days, overdue included, soonest first', () => {
    expect(dueWithin(tickets, now, 3, zoneOf).map((x) => x.id)).toEqual(['A1', 'N1', 'A2', 'A3']);
    expect(dueWithin(tickets, now, 0, zoneOf).map((x) => x.id)).toEqual(['A1', 'N1', 'A2']);
  });
});
