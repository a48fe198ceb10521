// Recognises what a requester says about a ticket already filed, in any phrasing: a ticket id
// with a question ("DEL-20261202-0002 进度怎么样了？"), withdrawing one, asking why one was
// rejected, or asking for a new code. Pure; the conversation engine calls it before intent
// detection, because a ticket id outranks any topic words around it.

import { normaliseWidth } from '../privacy/mask.ts';
import { TICKET_PREFIX } from './ticket-service.ts';

export type TicketFollowUp =
  | { kind: 'withdraw'; ticketId: string }
  | { kind: 'why_rejected'; ticketId: string | null }
  | { kind: 'status'; ticketId: string }
  | { kind: 'resend_code' };

/** DEL-20261202-0002; also written with spaces, underscores or lower case. */
const TICKET_ID_IN_TEXT = new RegExp(`(?<![A-Za-z])(${Object.values(TICKET_PREFIX).join('|')})[\\s_-]?(\\d{8})[\\s_-]?(\\d{4,})(?!\\d)`, 'i');
const WITHDRAW = /取消|撤销|撤回|不办了|不要了|cancel|withdraw/i;
const WHY_REJECTED =
  /(为什么|为何|为啥|怎么|什么原因|原因|理由|凭什么).{0,10}(拒绝|驳回|不予|没通过|不通过|被拒)|(拒绝|驳回|被拒).{0,8}(原因|理由|为什么|依据)|\bwhy\b.{0,40}\b(reject|declin|den(y|ied)|refus)|reason.{0,20}(reject|declin|den(y|ied)|refus)/i;
const RESEND = /重新发送|重发|再发.{0,4}验证码|没(有)?收到.{0,6}验证码|resend|send.{0,12}(code|it) again|new code/i;

/** The ticket id in a text, normalised (DEL-20261202-0002), or null. */
export function findTicketId(text: string): string | null {
  const m = TICKET_ID_IN_TEXT.exec(normaliseWidth(text));
  return m ? `${m[1]!.toUpperCase()}-${m[2]}-${m[3]}` : null;
}

export function detectTicketFollowUp(text: string): TicketFollowUp | null {
  const ticketId = findTicketId(text);
  const rest = ticketId ? normaliseWidth(text).replace(TICKET_ID_IN_TEXT, ' ') : text;
  if (WHY_REJECTED.test(rest)) return { kind: 'why_rejected', ticketId };
  if (ticketId && WITHDRAW.test(rest)) return { kind: 'withdraw', ticketId };
  if (ticketId) return { kind: 'status', ticketId };
  if (RESEND.test(text)) return { kind: 'resend_code' };
  return null;
}
