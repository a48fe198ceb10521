// A press on a ticket card (pure): a move button ("<ticket id>|<status>") or a reason picked
// from the reject list ("<ticket id>|<reason key>"), validated with zod.
// https://docs.slack.dev/reference/interaction-payloads/block_actions-payload

import { z } from 'zod';
import { isRejectionReasonKey, type RejectionReasonKey } from '../../src/tickets/rejection-reasons.ts';
import { isTicketStatus } from '../../src/tickets/ticket-service.ts';
import type { TicketStatus } from '../../src/tickets/ticket.ts';
import { TICKET_ACTIONS } from './ticket-card.ts';

const TicketPressSchema = z.object({
  user: z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() }).loose(),
  container: z.object({ channel_id: z.string().min(1), message_ts: z.string().min(1) }).loose(),
  actions: z
    .array(
      z.union([
        z.object({ type: z.literal('button'), action_id: z.literal(TICKET_ACTIONS.move), value: z.string().max(200) }).loose(),
        z.object({ type: z.literal('static_select'), action_id: z.literal(TICKET_ACTIONS.reject), selected_option: z.object({ value: z.string().max(200) }).loose() }).loose(),
      ]),
    )
    .min(1),
});

export interface TicketPress {
  ticketId: string;
  to: TicketStatus;
  /** Set for a rejection. */
  reason: RejectionReasonKey | null;
  actor: { userId: string; name: string | null };
  channel: string;
  messageTs: string;
}

const TICKET_ID = /^[A-Z]{3}-\d{8}-\d{4,}$/;

export function parseTicketPress(body: unknown): TicketPress | null {
  const parsed = TicketPressSchema.safeParse(body);
  if (!parsed.success) return null;
  const { user, container, actions } = parsed.data;
  const action = actions[0]!;
  const raw: string = action.type === 'button' ? action.value : action.selected_option.value;
  const [ticketId = '', second = ''] = raw.split('|');
  if (!TICKET_ID.test(ticketId)) return null;
  const base = { ticketId, actor: { userId: user.id, name: user.username ?? user.name ?? null }, channel: container.channel_id, messageTs: container.message_ts };
  if (action.action_id === TICKET_ACTIONS.reject) return isRejectionReasonKey(second) ? { ...base, to: 'rejected', reason: second } : null;
  if (!isTicketStatus(second) || second === 'rejected') return null;
  return { ...base, to: second, reason: null };
}
