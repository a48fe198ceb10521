// What happens in the chat after a request is filed: identity verification by one-time code,
// finding one's tickets again from another session or device (contact + code, compared by
// blind index), withdrawing a filed request with its own confirmation, and "why was it
// rejected" answered from the ticket. The engine calls in; the ticket rules stay in
// src/tickets/.

import type { Citation } from '../answer/answerer.ts';
import { isBotError } from '../errors.ts';
import type { Tenant } from '../knowledge/knowledge-base.ts';
import type { Language } from '../knowledge/text.ts';
import { normaliseWidth } from '../privacy/mask.ts';
import { maskContact, parseContact, type Contact, type ContactCipher } from '../tickets/contact.ts';
import type { TicketFollowUp } from '../tickets/follow-up.ts';
import type { TicketClause, TicketRecord } from '../tickets/ticket.ts';
import { isOpen, type TicketService } from '../tickets/ticket-service.ts';
import { CODE_TTL_MS } from '../tickets/verification-code.ts';
import type { IdentityVerification } from '../tickets/verification.ts';
import { option, plain } from './reply.ts';
import { say } from './templates.ts';
import type { InboundMessage, Intent, OutboundReply } from './types.ts';

/** What the conversation waits for after a ticket step. Kept in the conversation state. */
export type PendingTicketStep =
  /** A code was sent; `ticketId` set and `then` null = verifying a new ticket. */
  | { kind: 'code'; ticketId: string | null; then: AfterLookup | null; contactEncrypted: string; resends: number }
  | { kind: 'contact'; ticketId: string | null; then: AfterLookup }
  | { kind: 'withdraw'; ticketId: string };

type AfterLookup = 'status' | 'why_rejected';

/** The part of the conversation state this module owns. */
export interface TicketDialogState {
  pending?: PendingTicketStep | null;
  /** A rights-request form in progress (owned by the engine): its answers are not codes. */
  form?: unknown;
  /** Blind indexes of contacts this conversation proved by code: their tickets are visible here. */
  verifiedContacts?: string[];
}

/** The part of an engine turn this module reads and writes. */
export interface DialogTurn {
  message: InboundMessage;
  tenant: Tenant;
  language: Language;
  state: TicketDialogState;
  replies: OutboundReply[];
  intent: Intent;
}

const CODE = /^\s*(\d{6})\s*[。.!！]?\s*$/;

/** What the transcript keeps of a message: a bare 6-digit message may be a code, kept as ******. */
export function transcriptText(text: string, mask: (text: string) => string): string {
  return CODE.test(normaliseWidth(text)) ? '******' : mask(text);
}
const MAX_RESENDS = 3;
const CONFIRM_WITHDRAW = /^(确认撤回|确认|确定|是的?|对|好的?|撤回|yes|y|ok|confirm|withdraw)(?![a-z])/i;
const KEEP = /^(不撤回|不|否|不用|算了|取消|保留|no|n|keep|cancel)(?![a-z])/i;

export interface TicketDialogOptions {
  tickets: TicketService;
  verification: IdentityVerification;
  cipher: ContactCipher;
  clock: () => Date;
  /** The policy clause a rejection cites, ready to show. */
  citation: (clause: TicketClause) => Citation | null;
}

export class TicketDialogs {
  constructor(private readonly options: TicketDialogOptions) {}

  /** After a ticket is filed: send a code to its contact, or leave it for an agent to verify. */
  async afterFiled(turn: DialogTurn, ticket: TicketRecord, contact: Contact): Promise<void> {
    const { tickets, verification, clock } = this.options;
    const { language } = turn;
    const contactMasked = maskContact(contact);
    const canSend = verification.canSend(contact.kind);
    await tickets.transition(ticket.id, 'verifying_identity', {
      actor: 'system',
      note: canSend ? `verification code sent (${contact.kind === 'email' ? 'email' : 'sms'})` : 'no code provider: an agent verifies identity',
      at: clock(),
    });
    if (!canSend) {
      turn.replies.push(plain('info', say(language, 'verifyByAgent', { contact: contactMasked }), [option(say(language, 'option.status'))]));
      return;
    }
    const contactEncrypted = this.options.cipher.encrypt(contact);
    turn.state.pending = { kind: 'code', ticketId: ticket.id, then: null, contactEncrypted, resends: 0 };
    if (await this.sendCode(turn, ticket.id, contact)) {
      turn.replies.push(plain('form', say(language, 'verifyCodeSent', { contact: contactMasked, minutes: CODE_TTL_MS / 60_000 }), [option(say(language, 'option.resendCode'))]));
    } else {
      turn.replies.push(plain('info', say(language, 'verifySendFailed', { contact: contactMasked }), [option(say(language, 'option.resendCode'))]));
    }
  }

  /**
   * Answers a message while a ticket step waits (a code, a contact, a withdrawal
   * confirmation). Returns false when the message is about something else: the step is
   * dropped (contact, withdrawal) or kept (a code may still come), and the engine routes it.
   */
  async continuePending(turn: DialogTurn, text: string): Promise<boolean> {
    const pending = turn.state.pending;
    if (!pending) return false;
    switch (pending.kind) {
      case 'code': {
        const code = CODE.exec(normaliseWidth(text))?.[1];
        if (!code || turn.state.form) return false;
        await this.checkCode(turn, pending, code);
        return true;
      }
      case 'contact': {
        const contact = parseContact(text);
        if (!contact) {
          turn.state.pending = null;
          return false;
        }
        await this.lookupByContact(turn, pending, contact);
        return true;
      }
      case 'withdraw': {
        const answer = text.trim();
        if (CONFIRM_WITHDRAW.test(answer) && !KEEP.test(answer)) {
          turn.state.pending = null;
          await this.withdraw(turn, pending.ticketId);
          return true;
        }
        turn.state.pending = null;
        if (KEEP.test(answer)) {
          turn.intent = 'request_status';
          turn.replies.push(plain('info', say(turn.language, 'withdrawKept', { id: pending.ticketId }), [option(say(turn.language, 'option.status'))]));
          return true;
        }
        return false;
      }
    }
  }

  /** A follow-up about a filed ticket (see src/tickets/follow-up.ts). */
  async followUp(turn: DialogTurn, followUp: TicketFollowUp): Promise<void> {
    turn.intent = 'request_status';
    switch (followUp.kind) {
      case 'status':
        return this.showTicket(turn, followUp.ticketId);
      case 'withdraw':
        return this.askWithdraw(turn, followUp.ticketId);
      case 'why_rejected':
        return this.explainRejection(turn, followUp.ticketId);
      case 'resend_code':
        return this.resend(turn);
    }
  }

  /** "我的申请进度": the tickets this person may see here, or the way to find them from elsewhere. */
  async showStatus(turn: DialogTurn): Promise<void> {
    const { language } = turn;
    turn.intent = 'request_status';
    const tickets = await this.visibleTickets(turn);
    if (tickets.length === 0) {
      if (this.options.verification.canSend('email') || this.options.verification.canSend('mobile')) {
        turn.state.pending = { kind: 'contact', ticketId: null, then: 'status' };
        turn.replies.push(plain('status', say(language, 'statusNoneHere'), [option(say(language, 'option.example'))]));
      } else {
        turn.replies.push(plain('status', say(language, 'statusNone'), [option(say(language, 'option.example'))]));
      }
      return;
    }
    const lines = tickets.map((t) => statusLine(t, language));
    const withdrawable = tickets.filter((t) => isOpen(t.status)).slice(0, 3);
    turn.replies.push(
      plain(
        'status',
        [say(language, 'statusHeader'), ...lines].join('\n'),
        withdrawable.map((t) => ({ label: say(language, 'option.cancelTicketLabel', { id: t.id }), value: say(language, 'option.cancelTicket', { id: t.id }) })),
      ),
    );
  }

  // Steps -----------------------------------------------------------------------------------

  private async showTicket(turn: DialogTurn, id: string): Promise<void> {
    const ticket = await this.visibleTicket(turn, id);
    if (!ticket) return this.askContact(turn, id, 'status');
    const { language } = turn;
    const lines = [say(language, 'ticketStatus', { id: ticket.id, request: say(language, `request.${ticket.type}`), status: say(language, `status.${ticket.status}`), due: ticket.dueDate })];
    lines.push(
      ticket.identityVerified && ticket.verificationMethod
        ? say(language, 'identityVerifiedLine', { method: say(language, `method.${ticket.verificationMethod}`) })
        : say(language, 'identityPendingLine'),
    );
    const reply = plain('status', lines.join('\n'), isOpen(ticket.status) ? [{ label: say(language, 'option.cancelTicketLabel', { id: ticket.id }), value: say(language, 'option.cancelTicket', { id: ticket.id }) }] : []);
    turn.replies.push(reply);
    if (ticket.status === 'rejected') this.pushRejection(turn, ticket);
  }

  private async askWithdraw(turn: DialogTurn, id: string): Promise<void> {
    const { language } = turn;
    const ticket = await this.visibleTicket(turn, id);
    if (!ticket) {
      turn.replies.push(plain('info', say(language, 'ticketNotFound', { id })));
      return;
    }
    if (!isOpen(ticket.status)) {
      turn.replies.push(plain('info', say(language, 'ticketNotCancellable', { id, status: say(language, `status.${ticket.status}`) })));
      return;
    }
    turn.state.pending = { kind: 'withdraw', ticketId: ticket.id };
    turn.replies.push(
      plain('form', say(language, 'withdrawConfirm', { id: ticket.id, request: say(language, `request.${ticket.type}`) }), [
        option(say(language, 'option.withdrawConfirm', { id: ticket.id })),
        option(say(language, 'option.withdrawKeep')),
      ]),
    );
  }

  private async withdraw(turn: DialogTurn, id: string): Promise<void> {
    const { language, message } = turn;
    turn.intent = 'request_status';
    const ticket = await this.visibleTicket(turn, id);
    if (!ticket) {
      turn.replies.push(plain('info', say(language, 'ticketNotFound', { id })));
      return;
    }
    try {
      await this.options.tickets.transition(ticket.id, 'cancelled', { actor: `user:${message.userRef}`, at: this.options.clock() });
      turn.replies.push(plain('ticket', say(language, 'ticketCancelled', { id: ticket.id })));
    } catch (error) {
      if (!isBotError(error, 'invalid_transition')) throw error;
      const now = await this.options.tickets.get(ticket.id);
      turn.replies.push(plain('info', say(language, 'ticketNotCancellable', { id: ticket.id, status: now ? say(language, `status.${now.status}`) : '' })));
    }
  }

  private async explainRejection(turn: DialogTurn, id: string | null): Promise<void> {
    const visible = await this.visibleTickets(turn);
    const candidates = visible.filter((t) => (id ? t.id === id : true));
    if (candidates.length === 0) return this.askContact(turn, id, 'why_rejected');
    const rejected = candidates.find((t) => t.status === 'rejected');
    if (!rejected) {
      turn.replies.push(plain('status', say(turn.language, 'rejectionNone'), [option(say(turn.language, 'option.status'))]));
      return;
    }
    this.pushRejection(turn, rejected);
  }

  private pushRejection(turn: DialogTurn, ticket: TicketRecord): void {
    const { language } = turn;
    const reason = ticket.rejection?.reason ?? '';
    const lines = [say(language, 'rejectionReason', { id: ticket.id, reason })];
    const citation = ticket.rejection?.clause ? this.options.citation(ticket.rejection.clause) : null;
    if (citation) lines.push(say(language, 'rejectionClause', { policy: citation.policyTitle, number: citation.number, title: citation.title }));
    turn.replies.push({ kind: 'status', text: lines.join('\n'), citations: citation ? [citation] : [], quickReplies: [] });
  }

  private askContact(turn: DialogTurn, ticketId: string | null, then: AfterLookup): void {
    turn.state.pending = { kind: 'contact', ticketId, then };
    turn.replies.push(plain('form', say(turn.language, 'lookupAskContact')));
  }

  /**
   * The person typed a contact to find their tickets. The reply is the same whether or not a
   * ticket carries it, so nobody learns whose contact is on file; a code goes out only when
   * one does.
   */
  private async lookupByContact(turn: DialogTurn, pending: Extract<PendingTicketStep, { kind: 'contact' }>, contact: Contact): Promise<void> {
    const { language, tenant } = turn;
    const { verification, cipher } = this.options;
    turn.intent = 'request_status';
    const masked = maskContact(contact);
    if (!verification.canSend(contact.kind)) {
      turn.state.pending = null;
      turn.replies.push(plain('info', say(language, 'lookupNoProvider', { contact: masked }), [option(say(language, 'option.human'))]));
      return;
    }
    turn.state.pending = { kind: 'code', ticketId: pending.ticketId, then: pending.then, contactEncrypted: cipher.encrypt(contact), resends: 0 };
    if (await this.hasTickets(turn, contact, pending.ticketId)) await this.sendCode(turn, pending.ticketId, contact);
    else await verification.issueUnsent({ key: this.key(turn), tenant: tenant.id, ticketId: pending.ticketId, contact });
    turn.replies.push(plain('form', say(language, 'lookupCodeSent', { contact: masked, minutes: CODE_TTL_MS / 60_000 }), [option(say(language, 'option.resendCode'))]));
  }

  private async checkCode(turn: DialogTurn, pending: Extract<PendingTicketStep, { kind: 'code' }>, code: string): Promise<void> {
    const { language, message } = turn;
    const { verification, tickets, clock } = this.options;
    turn.intent = 'request_status';
    const result = await verification.check(this.key(turn), code);
    if (!result.ok) {
      const resend = [option(say(language, 'option.resendCode'))];
      if (result.reason === 'wrong') turn.replies.push(plain('form', say(language, 'codeWrong', { left: result.attemptsLeft })));
      else if (result.reason === 'expired') turn.replies.push(plain('form', say(language, 'codeExpired'), resend));
      else if (result.reason === 'locked') turn.replies.push(plain('info', say(language, 'codeLocked'), resend));
      else {
        turn.state.pending = null;
        turn.replies.push(plain('info', say(language, 'codeNone')));
      }
      return;
    }
    turn.state.pending = null;
    const verified = new Set(turn.state.verifiedContacts ?? []);
    verified.add(result.code.contactIndex);
    turn.state.verifiedContacts = [...verified];
    if (pending.then === null && pending.ticketId) {
      const ticket = await tickets.get(pending.ticketId);
      if (ticket?.status === 'verifying_identity') {
        await tickets.transition(ticket.id, 'in_progress', {
          actor: `user:${message.userRef}`,
          note: `identity verified by ${result.code.method} code`,
          at: clock(),
          identityVerified: result.code.method,
        });
      }
      turn.replies.push(plain('ticket', say(language, 'verifyDone', { id: pending.ticketId }), [option(say(language, 'option.status'))]));
      return;
    }
    turn.replies.push(plain('info', say(language, 'verifyDoneLookup')));
    if (pending.then === 'why_rejected') return this.explainRejection(turn, pending.ticketId);
    if (pending.ticketId) return this.showTicket(turn, pending.ticketId);
    return this.showStatus(turn);
  }

  private async resend(turn: DialogTurn): Promise<void> {
    const { language } = turn;
    const pending = turn.state.pending;
    if (pending?.kind !== 'code') {
      turn.replies.push(plain('info', say(language, 'codeNone'), [option(say(language, 'option.status'))]));
      return;
    }
    if (pending.resends >= MAX_RESENDS) {
      turn.replies.push(plain('info', say(language, 'codeResendLimit'), [option(say(language, 'option.human'))]));
      return;
    }
    pending.resends += 1;
    const contact = this.options.cipher.decrypt(pending.contactEncrypted);
    const masked = maskContact(contact);
    // A look-up for a contact on no ticket stays unsent, as the first time.
    if (pending.then !== null && !(await this.hasTickets(turn, contact, pending.ticketId))) {
      await this.options.verification.issueUnsent({ key: this.key(turn), tenant: turn.tenant.id, ticketId: pending.ticketId, contact });
      turn.replies.push(plain('form', say(language, 'lookupCodeSent', { contact: masked, minutes: CODE_TTL_MS / 60_000 })));
      return;
    }
    if (await this.sendCode(turn, pending.ticketId, contact)) {
      turn.replies.push(plain('form', say(language, 'verifyCodeSent', { contact: masked, minutes: CODE_TTL_MS / 60_000 })));
    } else {
      turn.replies.push(plain('info', say(language, 'verifySendFailed', { contact: masked })));
    }
  }

  // Helpers ---------------------------------------------------------------------------------

  private async sendCode(turn: DialogTurn, ticketId: string | null, contact: Contact): Promise<boolean> {
    const { language, tenant } = turn;
    const minutes = CODE_TTL_MS / 60_000;
    try {
      await this.options.verification.issue({
        key: this.key(turn),
        tenant: tenant.id,
        ticketId,
        contact,
        subject: say(language, 'verifyEmailSubject', { code: '{code}' }),
        text: say(language, contact.kind === 'email' ? 'verifyEmailText' : 'verifySmsText', { code: '{code}', minutes, tenant: tenant.name }),
      });
      return true;
    } catch (error) {
      if (isBotError(error, 'delivery_failed')) return false;
      throw error;
    }
  }

  /** True when the contact is on one of the tenant's tickets (that one ticket, when named). Compared by blind index. */
  private async hasTickets(turn: DialogTurn, contact: Contact, ticketId: string | null): Promise<boolean> {
    const found = await this.options.tickets.list({ tenant: turn.tenant.id, contactIndex: this.options.cipher.blindIndex(contact) });
    return found.some((t) => !ticketId || t.id === ticketId);
  }

  /** One live code per conversation. */
  private key(turn: DialogTurn): string {
    return `${turn.tenant.id}|${turn.message.channel}|${turn.message.conversationRef}`;
  }

  /** The requester's own tickets here, plus those of contacts this conversation verified. */
  private async visibleTickets(turn: DialogTurn): Promise<TicketRecord[]> {
    const { tickets } = this.options;
    const own = await tickets.list({ tenant: turn.tenant.id, requester: { channel: turn.message.channel, userRef: turn.message.userRef } });
    const byId = new Map(own.map((t) => [t.id, t]));
    for (const index of turn.state.verifiedContacts ?? []) {
      for (const t of await tickets.list({ tenant: turn.tenant.id, contactIndex: index })) byId.set(t.id, t);
    }
    return [...byId.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
  }

  private async visibleTicket(turn: DialogTurn, id: string): Promise<TicketRecord | null> {
    const ticket = await this.options.tickets.get(id);
    if (!ticket || ticket.tenant !== turn.tenant.id) return null;
    const own = ticket.channel === turn.message.channel && ticket.requester === turn.message.userRef;
    const verified = ticket.contactIndex !== '' && (turn.state.verifiedContacts ?? []).includes(ticket.contactIndex);
    return own || verified ? ticket : null;
  }
}

function statusLine(t: TicketRecord, language: Language): string {
  return say(language, 'statusLine', { id: t.id, request: say(language, `request.${t.type}`), status: say(language, `status.${t.status}`), due: t.dueDate });
}
