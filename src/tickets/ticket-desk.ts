// Where agents are told of new tickets: the Slack agent channel (later the web console). A
// ticket desk only *shows*; moves go through TicketService.transition, refused alike
// everywhere. The announcement is an outbox row (target "tickets:<name>") written in the same
// transaction as the ticket, so a desk outage delays it and a crash never loses it; a desk
// method is retried, so it must tolerate a repeat.

import { z } from 'zod';
import { BotError } from '../errors.ts';
import type { OutboxDraft, OutboxItem } from '../outbox/types.ts';
import type { TicketRecord } from './ticket.ts';

export interface TicketDesk {
  /** Unique among ticket desks, e.g. "slack"; the outbox target is "tickets:<name>". */
  readonly name: string;
  /** A ticket was filed: show it (contact and words already masked in the record). */
  filed(ticket: TicketRecord): Promise<void>;
  /** The daily digest: open tickets due within a few days or overdue, soonest first (`day` in China time). */
  digest(day: string, tickets: TicketRecord[], withinDays: number): Promise<void>;
}

export function ticketDeskTarget(deskName: string): string {
  return `tickets:${deskName}`;
}

export const TicketDeskNotificationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('filed'), ticketId: z.string().min(1) }),
  z.object({ type: z.literal('digest'), day: z.iso.date(), ticketIds: z.array(z.string().min(1)).max(500), withinDays: z.number().int().min(0).max(30) }),
]);
export type TicketDeskNotification = z.infer<typeof TicketDeskNotificationSchema>;

/** The outbox rows announcing `ticket` to each desk. */
export function filedNotifications(ticket: TicketRecord, deskNames: readonly string[]): OutboxDraft[] {
  return deskNames.map((name) => ({
    target: ticketDeskTarget(name),
    conversationRef: ticket.id,
    payload: { type: 'filed', ticketId: ticket.id } satisfies TicketDeskNotification,
    dedupeKey: `${ticketDeskTarget(name)}:${ticket.id}:filed`,
    tenant: ticket.tenant,
    handoffId: null,
  }));
}

/** The outbox deliverer of a ticket desk: validates the row, loads the ticket as it is now, calls the desk. */
export function ticketDeskDeliverer(desk: TicketDesk, getTicket: (id: string) => Promise<TicketRecord | null>): (item: OutboxItem) => Promise<void> {
  return async (item) => {
    const parsed = TicketDeskNotificationSchema.safeParse(item.payload);
    if (!parsed.success) throw new BotError('invalid_input', `Outbox row ${item.id} is not a ticket desk notification.`);
    const note = parsed.data;
    if (note.type === 'digest') {
      // Shown as they are now; one purged or gone since is left out.
      const tickets = (await Promise.all(note.ticketIds.map(getTicket))).filter((t): t is TicketRecord => t !== null);
      return desk.digest(note.day, tickets, note.withinDays);
    }
    const ticket = await getTicket(note.ticketId);
    if (!ticket) throw new BotError('invalid_input', `Outbox row ${item.id} names an unknown ticket.`);
    await desk.filed(ticket);
  };
}
