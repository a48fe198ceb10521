// Figures over tickets (pure): per tenant, the open ones, the overdue ones, those due within
// N days, and the mean time to close. The metrics and the agents' daily digest read them.
// Days are counted in each tenant's time zone, as due dates are.

import { addDays, dayIn } from './calendar.ts';
import { isOpen } from './ticket-service.ts';
import type { TicketRecord } from './ticket.ts';

export interface TenantTicketStats {
  tenant: string;
  open: number;
  /** Open, and the due date has passed (today in the tenant's zone is after it). */
  overdue: number;
  /** Mean seconds from filing to completed or rejected; null when none closed. */
  meanSecondsToClose: number | null;
  closed: number;
}

/** Open tickets due on or before `today + days` (overdue included), soonest first. */
export function dueWithin(tickets: readonly TicketRecord[], now: Date, days: number, timeZoneOf: (tenant: string) => string): TicketRecord[] {
  return tickets
    .filter((t) => isOpen(t.status) && t.dueDate <= addDays(dayIn(now, timeZoneOf(t.tenant)), days))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
}

export function isOverdue(ticket: TicketRecord, now: Date, timeZone: string): boolean {
  return isOpen(ticket.status) && ticket.dueDate < dayIn(now, timeZone);
}

export function ticketStats(tickets: readonly TicketRecord[], now: Date, timeZoneOf: (tenant: string) => string): TenantTicketStats[] {
  const byTenant = new Map<string, TenantTicketStats & { closeSeconds: number }>();
  for (const t of tickets) {
    const s = byTenant.get(t.tenant) ?? { tenant: t.tenant, open: 0, overdue: 0, meanSecondsToClose: null, closed: 0, closeSeconds: 0 };
    byTenant.set(t.tenant, s);
    if (isOpen(t.status)) {
      s.open++;
      if (isOverdue(t, now, timeZoneOf(t.tenant))) s.overdue++;
    } else if (t.status === 'completed' || t.status === 'rejected') {
      // A closed ticket is not changed again: its last update is when it closed.
      s.closed++;
      s.closeSeconds += (t.updatedAt.getTime() - t.createdAt.getTime()) / 1000;
    }
  }
  return [...byTenant.values()]
    .map(({ closeSeconds, ...s }) => ({ ...s, meanSecondsToClose: s.closed > 0 ? closeSeconds / s.closed : null }))
    .sort((a, b) => a.tenant.localeCompare(b.tenant));
}
