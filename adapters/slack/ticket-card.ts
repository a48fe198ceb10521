// A new rights-request ticket as the Slack agent channel shows it (pure): type, tenant, due
// date, masked contact, the requester's own words (masked when filed; sealed originals are
// never shown here) and the policy clauses the request rests on.

import type { types } from '@slack/bolt';
import { REJECTION_REASONS } from '../../src/tickets/rejection-reasons.ts';
import { agentMoves } from '../../src/tickets/ticket-service.ts';
import type { TicketRecord, TicketStatus } from '../../src/tickets/ticket.ts';
import { escapedChunks, escapeMrkdwn, type SlackMessage } from './render.ts';

const TYPE_LABELS: Record<TicketRecord['type'], string> = {
  delete_data: 'Deletion',
  access_data: 'Access / copy',
  correct_data: 'Correction',
  cancel_account: 'Account closure',
  withdraw_consent: 'Consent withdrawal',
  port_data: 'Portability',
  complaint: 'Complaint',
  human_agent: 'Follow-up',
};

export const TICKET_ACTIONS = { move: 'ticket_move', reject: 'ticket_reject' } as const;
export const TICKET_ACTION_ID = /^ticket_(move|reject)$/;

const MOVE_LABELS: Partial<Record<TicketStatus, string>> = {
  verifying_identity: 'Verify identity',
  in_progress: 'In progress',
  completed: 'Completed',
};

/** Buttons for the moves open to an agent, and a list of standard reasons to reject with. */
function ticketActions(ticket: TicketRecord): types.ActionsBlock | null {
  const moves = agentMoves(ticket.status);
  const elements: types.ActionsBlockElement[] = moves
    .filter((to) => MOVE_LABELS[to])
    .map((to) => ({ type: 'button', action_id: TICKET_ACTIONS.move, text: { type: 'plain_text', text: MOVE_LABELS[to]! }, value: `${ticket.id}|${to}` }));
  if (moves.includes('rejected')) {
    elements.push({
      type: 'static_select',
      action_id: TICKET_ACTIONS.reject,
      placeholder: { type: 'plain_text', text: 'Reject with reason…' },
      options: Object.entries(REJECTION_REASONS).map(([key, text]) => ({ text: { type: 'plain_text', text: text.en.slice(0, 75) }, value: `${ticket.id}|${key}` })),
    });
  }
  return elements.length > 0 ? { type: 'actions', block_id: `ticket:${ticket.id}`, elements } : null;
}

/** The requester's answers in the form, masked: sealed originals ("<slot>.sealed") stay out. */
export function ticketWords(ticket: TicketRecord): [string, string][] {
  return Object.entries(ticket.details).filter(([key]) => !key.endsWith('.sealed'));
}

export function renderTicketCard(ticket: TicketRecord, tenantName: string): SlackMessage {
  const type = TYPE_LABELS[ticket.type] ?? ticket.type;
  const title = `New ${type} request ${ticket.id} (${tenantName}), due ${ticket.dueDate}`;
  const fields: types.MrkdwnElement[] = [
    { type: 'mrkdwn', text: `*Type*\n${escapeMrkdwn(type)}` },
    { type: 'mrkdwn', text: `*Tenant*\n${escapeMrkdwn(tenantName)} (\`${escapeMrkdwn(ticket.tenant)}\`)` },
    { type: 'mrkdwn', text: `*Due*\n${ticket.dueDate}${ticket.deadlineSource === 'tenant_default' ? ' (tenant default)' : ''}` },
    { type: 'mrkdwn', text: `*Contact*\n${escapeMrkdwn(ticket.contactMasked)}` },
    { type: 'mrkdwn', text: `*Channel*\n${escapeMrkdwn(ticket.channel)}` },
    { type: 'mrkdwn', text: `*Status*\n${ticket.status}` },
  ];
  // escapedChunks escapes: the words go in as written.
  const words = ticketWords(ticket).map(([slot, text]) => `*${slot}*: ${text}`);
  const clauses = ticket.clauses.map((c) => `• \`${escapeMrkdwn(c.clauseId)}\` ${escapeMrkdwn(c.number)} ${escapeMrkdwn(c.title)}`);
  const actions = ticketActions(ticket);
  const section = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(title)}*` }, fields },
    ...(words.length > 0
      ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: "*The requester's words* (contacts masked)" }] } satisfies types.ContextBlock, ...escapedChunks(words.join('\n')).map(section)]
      : []),
    ...(clauses.length > 0 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: '*Cited clauses*' }] } satisfies types.ContextBlock, section(clauses.join('\n'))] : []),
    ...(actions ? [actions] : []),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `ticket \`${escapeMrkdwn(ticket.id)}\` · another reason: \`privacy-bot tickets update ${escapeMrkdwn(ticket.id)} --status rejected --note …\`` }] },
  ];
  return { text: escapeMrkdwn(title), blocks };
}

/** The daily digest (pure): open tickets due within `withinDays` days or overdue, soonest first. */
export function renderDigest(day: string, tickets: readonly TicketRecord[], withinDays: number, tenantNames: Record<string, string>): SlackMessage {
  const title = `Tickets due within ${withinDays} days or overdue, ${day}: ${tickets.length}`;
  const lines = tickets.map((t) => {
    const overdue = t.dueDate < day ? ' *overdue*' : '';
    return `• \`${t.id}\` ${TYPE_LABELS[t.type] ?? t.type} · ${tenantNames[t.tenant] ?? t.tenant} · ${t.status} · due ${t.dueDate}${overdue}`;
  });
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(title)}*` } },
    ...(lines.length > 0 ? escapedChunks(lines.join('\n')).map((text): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })) : [{ type: 'section', text: { type: 'mrkdwn', text: 'Nothing due. :white_check_mark:' } } satisfies types.SectionBlock]),
  ];
  return { text: escapeMrkdwn(title), blocks };
}
