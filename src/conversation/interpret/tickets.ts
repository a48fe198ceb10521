// A filed ticket named or asked about, in any phrasing ("DEL-20261202-0002 进度怎么样了？",
// "撤回申请 DEL-…", "为什么被拒绝", "没收到验证码"): the tickets module owns the patterns.

import { detectTicketFollowUp, type TicketFollowUp } from '../../tickets/follow-up.ts';

export type TicketMention = TicketFollowUp;

export function ticketMention(text: string): TicketMention | null {
  return detectTicketFollowUp(text);
}
