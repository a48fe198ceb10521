import { describe, expect, it } from 'vitest';
import { classifyIntent } from '../../src/conversation/interpret/index.ts';
import { detectTicketFollowUp, findTicketId } from '../../src/tickets/follow-up.ts';

describe('ticket follow-ups in any phrasing', () => {
  it.each([
    ['DEL-20261202-0002 进度怎么样了？', { kind: 'status', ticketId: 'DEL-20261202-0002' }],
    ['请问del-20261202-0002办好了吗', { kind: 'status', ticketId: 'DEL-20261202-0002' }],
    ['我的申请 DEL 20261202 0002 到哪一步了', { kind: 'status', ticketId: 'DEL-20261202-0002' }],
    ['DEL－２０２６１２０２－０００２ 怎么样了', { kind: 'status', ticketId: 'DEL-20261202-0002' }],
    ['what is the status of ACC-20261202-0011?', { kind: 'status', ticketId: 'ACC-20261202-0011' }],
    ['撤回申请 DEL-20261202-0002', { kind: 'withdraw', ticketId: 'DEL-20261202-0002' }],
    ['I want to withdraw CAN-20261202-0001', { kind: 'withdraw', ticketId: 'CAN-20261202-0001' }],
    ['为什么被拒绝了？', { kind: 'why_rejected', ticketId: null }],
    ['DEL-20261202-0002 为什么被拒绝', { kind: 'why_rejected', ticketId: 'DEL-20261202-0002' }],
    ['我的申请被驳回的理由是什么', { kind: 'why_rejected', ticketId: null }],
    ['Why was my request rejected?', { kind: 'why_rejected', ticketId: null }],
    ['没收到验证码，重新发送一下', { kind: 'resend_code' }],
    ['resend code', { kind: 'resend_code' }],
  ])('%s', (text, expected) => {
    expect(detectTicketFollowUp(text)).toEqual(expected);
  });

  it.each(['你们会拒绝我的删除请求吗？', '怎么删除个人信息？', '我的申请进度', 'DEL-2026-0002', '13812345678'])('is not a follow-up: %s', (text) => {
    expect(detectTicketFollowUp(text)).toBeNull();
  });

  it('keeps "why would you refuse" a policy question for the intent classifier', () => {
    expect(classifyIntent('你们在什么情况下会拒绝删除？').intent).toBe('question');
    expect(findTicketId('no id here')).toBeNull();
  });
});
