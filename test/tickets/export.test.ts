import { describe, expect, it } from 'vitest';
import { ticketJson, ticketsCsv } from '../../src/tickets/export.ts';
import type { TicketRecord } from '../../src/tickets/ticket.ts';

const T = new Date('2026-11-22T02:00:00Z');
const ticket: TicketRecord = {
  id: 'DEL-20261122-0001',
  type: 'delete_data',
  tenant: 'giantkone',
  channel: 'web',
  requester: 'web:s1',
  conversationRef: 'web:giantkone:s1',
  contactEncrypted: 'v1:iv:tag:data',
  contactMasked: 'l***@example.com',
  contactIndex: 'idx',
  details: { scope: '=HYPERLINK("x"), 卡 4111111111111111', 'scope.sealed': 'v1:sealed' },
  clauses: [{ policyId: 'giantkone-rules', clauseId: 'giantkone-rules#8.3', number: '8.3', title: '删除' }],
  status: 'rejected',
  dueDate: '2026-12-22',
  deadlineSource: 'policy',
  language: 'zh',
  originKey: 'o',
  identityVerified: true,
  verificationMethod: 'email',
  rejection: { reason: '身份证 11010519491231002X 与账号不符', clause: null },
  purgedAt: null,
  createdAt: T,
  updatedAt: T,
};

describe('ticket export', () => {
  it('masks details, reasons and notes, and drops sealed originals', () => {
    const json = ticketJson(ticket, { events: [{ ticketId: ticket.id, at: T, actor: 'agent:li', from: 'in_progress', to: 'rejected', note: '回电 13812345678' }] });
    const text = JSON.stringify(json);
    for (const secret of ['4111111111111111', '11010519491231002X', '13812345678', 'v1:', 'idx']) expect(text).not.toContain(secret);
    expect(json.details).toEqual({ scope: '=HYPERLINK("x"), 卡 4111********1111' });
  });

  it('writes RFC 4180 CSV that a spreadsheet will not run as a formula', () => {
    const csv = ticketsCsv([ticketJson(ticket)]);
    const row = csv.split('\r\n')[1]!;
    expect(row).toContain(`"scope: =HYPERLINK(""x""), 卡 4111********1111"`);
    expect(ticketsCsv([ticketJson({ ...ticket, requester: 'x', details: {}, rejection: { reason: '=1+1', clause: null } })]).split('\r\n')[1]).toContain(`"'=1+1"`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
