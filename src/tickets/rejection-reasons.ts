// The standard reasons an agent picks from to reject a request (a desk's list); the requester
// reads the reason in the ticket's language. A reason outside the list is typed (`tickets
// update --note`).

import type { TicketRecord } from './ticket.ts';

export const REJECTION_REASONS = {
  identity_unverified: { zh: '无法核验您的身份', en: 'We could not verify your identity' },
  duplicate: { zh: '与您已提交的另一项申请重复', en: 'It duplicates another request you filed' },
  legal_retention: { zh: '法律、行政法规要求我们继续保存相关信息', en: 'Laws or regulations require us to keep this information' },
  no_data: { zh: '我们没有找到与您相关的个人信息', en: 'We hold no personal information about you' },
  not_a_right: { zh: '申请的内容不属于个人信息权利的范围', en: 'The request is not about your personal-information rights' },
} as const;
export type RejectionReasonKey = keyof typeof REJECTION_REASONS;

export function isRejectionReasonKey(value: string): value is RejectionReasonKey {
  return Object.hasOwn(REJECTION_REASONS, value);
}

/** The reason as the requester of `ticket` reads it. */
export function rejectionReasonText(key: RejectionReasonKey, language: TicketRecord['language']): string {
  return REJECTION_REASONS[key][language];
}
