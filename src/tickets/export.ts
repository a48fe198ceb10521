// Tickets for the record and for tools: one JSON shape (used by `tickets list/show/export`)
// and CSV. Everything here is masked: contacts, and any personal number in details and notes;
// sealed originals never leave. Clear data only through an audited reveal (cli/tickets.ts).

import { maskPersonalData } from '../privacy/mask.ts';
import type { TicketAccess, TicketEvent, TicketRecord } from './ticket.ts';

export interface TicketTrail {
  events?: TicketEvent[];
  access?: TicketAccess[];
}

export function ticketJson(t: TicketRecord, trail: TicketTrail = {}) {
  return {
    id: t.id,
    type: t.type,
    tenant: t.tenant,
    channel: t.channel,
    requester: t.requester,
    contact: t.contactMasked,
    details: maskedDetails(t.details),
    clauses: t.clauses,
    status: t.status,
    dueDate: t.dueDate,
    deadlineSource: t.deadlineSource,
    policyStatesDeadline: t.deadlineSource === 'policy',
    identityVerified: t.identityVerified,
    verificationMethod: t.verificationMethod,
    rejection: t.rejection && { reason: maskPersonalData(t.rejection.reason), clause: t.rejection.clause },
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    purgedAt: t.purgedAt?.toISOString() ?? null,
    ...(trail.events && {
      events: trail.events.map((e) => ({ at: e.at.toISOString(), actor: e.actor, from: e.from, to: e.to, note: e.note === null ? null : maskPersonalData(e.note) })),
    }),
    ...(trail.access && { accessLog: trail.access.map((a) => ({ at: a.at.toISOString(), actor: a.actor, action: a.action })) }),
  };
}

export type TicketJson = ReturnType<typeof ticketJson>;

/** Shown answers, masked again (older tickets predate some masks); sealed originals dropped. */
export function maskedDetails(details: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !key.endsWith('.sealed')).map(([key, value]) => [key, maskPersonalData(value)]));
}

const CSV_COLUMNS = [
  'id',
  'type',
  'tenant',
  'channel',
  'status',
  'dueDate',
  'deadlineSource',
  'contact',
  'identityVerified',
  'verificationMethod',
  'rejectionReason',
  'rejectionClause',
  'details',
  'clauses',
  'createdAt',
  'updatedAt',
  'purgedAt',
  'events',
  'accessLog',
] as const;

/** RFC 4180 CSV, one row per ticket; the audit trail is one cell ("at actor from->to note | ..."). */
export function ticketsCsv(tickets: TicketJson[]): string {
  const rows = tickets.map((t) => {
    const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
      id: t.id,
      type: t.type,
      tenant: t.tenant,
      channel: t.channel,
      status: t.status,
      dueDate: t.dueDate,
      deadlineSource: t.deadlineSource,
      contact: t.contact,
      identityVerified: String(t.identityVerified),
      verificationMethod: t.verificationMethod ?? '',
      rejectionReason: t.rejection?.reason ?? '',
      rejectionClause: t.rejection?.clause ? `${t.rejection.clause.policyId} ${t.rejection.clause.number}` : '',
      details: Object.entries(t.details).map(([k, v]) => `${k}: ${v}`).join('; '),
      clauses: t.clauses.map((c) => `${c.policyId} ${c.number}`).join('; '),
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      purgedAt: t.purgedAt ?? '',
      events: (t.events ?? []).map((e) => `${e.at} ${e.actor} ${e.from ?? '-'}->${e.to}${e.note ? ` ${e.note}` : ''}`).join(' | '),
      accessLog: (t.accessLog ?? []).map((a) => `${a.at} ${a.actor} ${a.action}`).join(' | '),
    };
    return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

function csvCell(value: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replaceAll('"', '""')}"` : safe;
}
