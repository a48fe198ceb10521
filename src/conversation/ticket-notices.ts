// What a requester is told when someone else moves their ticket (an agent on a desk, the
// console or the CLI): one outbox row to the channel and conversation the ticket was filed
// from, in the ticket's language, with the reason and the clause it rests on when rejected.
// Changes the requester made themselves (a code typed, a withdrawal) and the bot's own step
// after filing are answered in the chat, so they queue nothing.

import type { Citation } from '../answer/answerer.ts';
import type { OutboxDraft } from '../outbox/types.ts';
import type { TicketClause, TicketEvent, TicketRecord } from '../tickets/ticket.ts';
import type { OutboundReply } from './types.ts';
import { say } from './templates.ts';

/** Channels with nobody to push to later (the terminal chat ends with its process). */
const UNREACHABLE_CHANNELS: ReadonlySet<string> = new Set(['cli']);

export interface TicketNoticeOptions {
  /** The policy clause a rejection cites, ready to show (null when the knowledge lost it). */
  citation: (clause: TicketClause) => Citation | null;
}

/** Whether a change was made by someone other than the requester and the bot. */
export function isMadeByStaff(event: TicketEvent): boolean {
  return !event.actor.startsWith('user:') && event.actor !== 'system';
}

/** The requester's notification of `event` on `ticket` (already in its new status), or none. */
export function ticketNotice(ticket: TicketRecord, event: TicketEvent, options: TicketNoticeOptions): OutboxDraft[] {
  if (!isMadeByStaff(event) || UNREACHABLE_CHANNELS.has(ticket.channel) || !ticket.conversationRef) return [];
  const language = ticket.language;
  const request = say(language, `request.${ticket.type}`);
  const lines = [say(language, 'ticketNotice', { id: ticket.id, request, status: say(language, `status.${ticket.status}`) })];
  const citations: Citation[] = [];
  switch (ticket.status) {
    case 'verifying_identity':
      lines.push(say(language, 'ticketNotice.verifying_identity', { contact: ticket.contactMasked }));
      break;
    case 'in_progress':
      lines.push(say(language, 'ticketNotice.in_progress', { due: ticket.dueDate }));
      break;
    case 'completed':
      lines.push(say(language, 'ticketNotice.completed'));
      break;
    case 'rejected': {
      lines.push(say(language, 'rejectionReason', { id: ticket.id, reason: ticket.rejection?.reason ?? '' }));
      const citation = ticket.rejection?.clause ? options.citation(ticket.rejection.clause) : null;
      if (citation) {
        lines.push(say(language, 'rejectionClause', { policy: citation.policyTitle, number: citation.number, title: citation.title }));
        citations.push(citation);
      }
      break;
    }
    default:
      break;
  }
  const reply: OutboundReply = { kind: 'status', text: lines.join('\n'), citations, quickReplies: [] };
  return [
    {
      target: ticket.channel,
      conversationRef: ticket.conversationRef,
      payload: [reply],
      // One notification per status a ticket reaches: the workflow never returns to a status.
      dedupeKey: `ticket:${ticket.id}:${ticket.status}`,
      tenant: ticket.tenant,
      handoffId: null,
    },
  ];
}
