// Where agents see escalated chats and act on them: the Slack agent channel, the web console.
// A desk implements AgentDesk to *show* things; it *acts* by calling the HandoffService
// (take, relayFromAgent, handBack, close). Notifications reach a desk through the durable
// outbox (target "desk:<name>"), so a desk outage delays them but never loses them: a desk
// method that throws is retried with backoff, so it must be idempotent (e.g. keyed on the
// handoff id and the event).
//
// Wiring a desk (in the composition root, src/cli/serve.ts):
//   handoffs.registerDesk(desk)          // escalations from now on queue notifications for it
//   outbox.register(deskTarget(desk.name), deskDeliverer(desk, store))
// A desk that needs to find a handoff from its own ids (a Slack thread ts) stores the mapping
// with store.setHandoffDeskRef / findHandoffByDeskRef.

import { z } from 'zod';
import { BotError } from '../errors.ts';
import type { OutboxItem } from '../outbox/types.ts';
import type { Store } from '../store/store.ts';
import { HANDOFF_EVENT_TYPES, type Handoff, type HandoffEvent, type TranscriptLine } from './types.ts';

export interface AgentDesk {
  /** Unique among desks, e.g. "slack", "console"; the outbox target is "desk:<name>". */
  readonly name: string;
  /**
   * A chat is waiting for an agent: show it (tenant, channel, reason, the last messages —
   * contacts already masked) with ways to take it over and to close it.
   */
  escalated(handoff: Handoff, lastMessages: TranscriptLine[]): Promise<void>;
  /** The user wrote while waiting or owned (text with contacts masked): show it to the agents (the owner's thread). */
  userMessage(handoff: Handoff, message: { messageId: string; text: string; at: Date }): Promise<void>;
  /**
   * Something happened: taken (by `handoff.ownerName`), handed_back, closed, timed_out, or
   * delivery_failed (an agent message could not reach the user — tell the owner). `handoff` is
   * the record as it is now; `event` is what happened.
   */
  changed(handoff: Handoff, event: HandoffEvent): Promise<void>;
}

export function deskTarget(deskName: string): string {
  return `desk:${deskName}`;
}

const LineSchema = z.object({ direction: z.enum(['in', 'out']), text: z.string(), at: z.iso.datetime() });

/** What the outbox carries to a desk (JSON; dates as ISO strings). */
export const DeskNotificationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('escalated'), handoffId: z.string(), lastMessages: z.array(LineSchema) }),
  z.object({ type: z.literal('user_message'), handoffId: z.string(), messageId: z.string(), text: z.string(), at: z.iso.datetime() }),
  z.object({
    type: z.literal('changed'),
    handoffId: z.string(),
    event: z.object({ type: z.enum(HANDOFF_EVENT_TYPES), actor: z.string(), at: z.iso.datetime(), note: z.string().nullable() }),
  }),
]);
export type DeskNotification = z.infer<typeof DeskNotificationSchema>;

export function escalatedNotification(handoffId: string, lastMessages: TranscriptLine[]): DeskNotification {
  return { type: 'escalated', handoffId, lastMessages: lastMessages.map((l) => ({ direction: l.direction, text: l.text, at: l.at.toISOString() })) };
}

export function changedNotification(event: HandoffEvent): DeskNotification {
  return { type: 'changed', handoffId: event.handoffId, event: { type: event.type, actor: event.actor, at: event.at.toISOString(), note: event.note } };
}

/** The outbox deliverer of a desk: validates the row, loads the handoff as it is now, calls the desk. */
export function deskDeliverer(desk: AgentDesk, store: Store): (item: OutboxItem) => Promise<void> {
  return async (item) => {
    const parsed = DeskNotificationSchema.safeParse(item.payload);
    if (!parsed.success) throw new BotError('invalid_input', `Outbox row ${item.id} is not a desk notification.`);
    const note = parsed.data;
    const handoff = await store.getHandoff(note.handoffId);
    if (!handoff) throw new BotError('invalid_input', `Outbox row ${item.id} names an unknown handoff.`);
    switch (note.type) {
      case 'escalated':
        return desk.escalated(
          handoff,
          note.lastMessages.map((l) => ({ direction: l.direction, text: l.text, at: new Date(l.at) })),
        );
      case 'user_message':
        return desk.userMessage(handoff, { messageId: note.messageId, text: note.text, at: new Date(note.at) });
      case 'changed':
        return desk.changed(handoff, { handoffId: handoff.id, ...note.event, at: new Date(note.event.at) });
    }
  };
}
