// Rights-request tickets: numbering, due dates, the status workflow and its audit trail.
// The store keeps the records; this is where the rules live.

import type { Citation } from '../answer/answerer.ts';
import { BotError } from '../errors.ts';
import type { TicketType } from '../conversation/types.ts';
import type { OutboxDraft } from '../outbox/types.ts';
import type { Store } from '../store/store.ts';
import { TICKET_STATUSES, type TicketClause, type TicketEvent, type TicketPatch, type TicketRecord, type TicketStatus, type VerificationMethod } from './ticket.ts';
import { maskContact, type Contact, type ContactCipher } from './contact.ts';
import { dueDate, type ResponseDeadline } from './deadline.ts';
import { filedNotifications } from './ticket-desk.ts';

export const TICKET_PREFIX: Record<TicketType, string> = {
  delete_data: 'DEL',
  access_data: 'ACC',
  correct_data: 'COR',
  cancel_account: 'CAN',
  withdraw_consent: 'WDR',
  port_data: 'POR',
  complaint: 'CMP',
  human_agent: 'HUM',
};


/** Who may move a ticket where. Terminal states have no way out. */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  submitted: ['verifying_identity', 'rejected', 'cancelled'],
  verifying_identity: ['in_progress', 'rejected', 'cancelled'],
  in_progress: ['completed', 'rejected', 'cancelled'],
  completed: [],
  rejected: [],
  cancelled: [],
};

export function isTicketStatus(value: string): value is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(value);
}

/** The statuses a ticket ends in; their personal data is purged after the ticket retention. */
/** The moves an agent may offer from `status` (cancelling is the requester's alone). */
export function agentMoves(status: TicketStatus): TicketStatus[] {
  return TRANSITIONS[status].filter((s) => s !== 'cancelled');
}

export const CLOSED_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => TRANSITIONS[s].length === 0);

export function isOpen(status: TicketStatus): boolean {
  return TRANSITIONS[status].length > 0;
}

export interface TenantDeadline {
  deadline: ResponseDeadline;
  source: 'policy' | 'tenant_default';
  /** The clause the deadline was read from (policy source only), ready to cite. */
  clause?: Citation;
  /** The tenant's time zone: due dates are counted and shown in it. */
  timeZone: string;
}

export interface NewTicket {
  type: TicketType;
  tenant: string;
  channel: string;
  requester: string;
  conversationRef: string;
  contact: Contact;
  details: Record<string, string>;
  clauses: TicketClause[];
  deadline: TenantDeadline;
  language: 'zh' | 'en';
  /** Unique per originating message, so a redelivered confirmation files nothing new. */
  originKey: string;
  at: Date;
}

/**
 * The outbox rows a status change queues (the requester's notification), built by whoever
 * owns the wording (src/conversation/ticket-notices.ts). Empty: nobody is told.
 */
export type TicketNotifier = (ticket: TicketRecord, event: TicketEvent) => OutboxDraft[];

export class TicketService {
  #notifier: TicketNotifier = () => [];
  readonly #queuedListeners: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly cipher: ContactCipher,
  ) {}

  readonly #deskNames: string[] = [];

  /** The ticket desks registered so far. */
  deskNames(): readonly string[] {
    return this.#deskNames;
  }

  /** New tickets from now on are announced to this desk (see ticket-desk.ts). */
  registerDesk(name: string): void {
    if (!this.#deskNames.includes(name)) this.#deskNames.push(name);
  }

  /** Sets who words the requester's notification of a status change. */
  setNotifier(notifier: TicketNotifier): void {
    this.#notifier = notifier;
  }

  /** Called after a change queued outbox rows (the outbox worker's wake(), when it runs in this process). */
  onQueued(listener: () => void): void {
    this.#queuedListeners.push(listener);
  }

  async create(input: NewTicket): Promise<{ ticket: TicketRecord; created: boolean }> {
    const { contact, deadline, at, ...rest } = input;
    const result = await this.store.createTicket(
      {
        ...rest,
        idPrefix: TICKET_PREFIX[input.type],
        contactEncrypted: this.cipher.encrypt(contact),
        contactMasked: maskContact(contact),
        contactIndex: this.cipher.blindIndex(contact),
        identityVerified: false,
        verificationMethod: null,
        rejection: null,
        purgedAt: null,
        status: 'submitted',
        dueDate: dueDate(at, deadline.deadline, deadline.timeZone),
        deadlineSource: deadline.source,
        createdAt: at,
        updatedAt: at,
      },
      { at, actor: `user:${input.requester}`, from: null, to: 'submitted', note: null },
      (ticket) => filedNotifications(ticket, this.#deskNames),
    );
    if (result.created && this.#deskNames.length > 0) for (const listener of this.#queuedListeners) listener();
    return result;
  }

  get(id: string): Promise<TicketRecord | null> {
    return this.store.getTicket(id.toUpperCase());
  }

  list(filter: Parameters<Store['listTickets']>[0] = {}): Promise<TicketRecord[]> {
    return this.store.listTickets(filter);
  }

  events(id: string): Promise<TicketEvent[]> {
    return this.store.ticketEvents(id.toUpperCase());
  }

  /**
   * Gives tickets filed before the blind index existed their index, so their requesters can
   * find them from another device. Run at start-up; a no-op once done.
   */
  async indexContacts(): Promise<number> {
    const missing = await this.store.listTickets({ unindexed: true });
    return this.store.indexTicketContacts(missing.map((t) => ({ ticketId: t.id, contactIndex: this.cipher.blindIndex(this.cipher.decrypt(t.contactEncrypted)) })));
  }

  /** Request details with sealed originals opened, for the agent who handles the request. */
  revealDetails(ticket: TicketRecord): Record<string, string> {
    const details: Record<string, string> = {};
    for (const [key, value] of Object.entries(ticket.details)) {
      if (key.endsWith('.sealed')) details[key.slice(0, -'.sealed'.length)] = this.cipher.openText(value);
      else if (!(`${key}.sealed` in ticket.details)) details[key] = value;
    }
    return details;
  }

  /** The clear contact, for the agent who verifies identity. */
  revealContact(ticket: TicketRecord): Contact {
    return this.cipher.decrypt(ticket.contactEncrypted);
  }

  /**
   * Moves a ticket along the workflow. Agents may not cancel (only the requester can), a
   * rejection needs a reason, and any other move outside the workflow is refused.
   */
  async transition(
    id: string,
    to: TicketStatus,
    change: { actor: string; note?: string | null; at: Date; identityVerified?: VerificationMethod; rejectionClause?: TicketClause | null },
  ): Promise<TicketRecord> {
    const ticket = await this.get(id);
    if (!ticket) throw new BotError('not_found', `No ticket ${id}.`);
    const note = change.note?.trim() || null;
    if (!TRANSITIONS[ticket.status].includes(to)) {
      const allowed = TRANSITIONS[ticket.status];
      throw new BotError(
        'invalid_transition',
        `Ticket ${ticket.id} is ${ticket.status}; it cannot become ${to}.` +
          (allowed.length > 0 ? ` Allowed next: ${allowed.join(', ')}.` : ' It is closed.'),
      );
    }
    if (to === 'rejected' && !note) throw new BotError('invalid_transition', `Rejecting ${ticket.id} needs a reason (--note).`);
    if (to === 'cancelled' && !change.actor.startsWith('user:')) {
      throw new BotError('invalid_transition', `Only the requester can cancel ${ticket.id}; an agent rejects it with a reason instead.`);
    }
    const patch: TicketPatch = {};
    if (to === 'rejected') patch.rejection = { reason: note!, clause: change.rejectionClause ?? null };
    // Leaving verifying_identity for in_progress means the identity was established: by code, or by the agent who moves it.
    if (to === 'in_progress' && ticket.status === 'verifying_identity') patch.identityVerified = change.identityVerified ?? 'agent';
    else if (change.identityVerified) patch.identityVerified = change.identityVerified;
    const event: TicketEvent = { ticketId: ticket.id, at: change.at, actor: change.actor, from: ticket.status, to, note };
    // The notification is worded from the ticket as it will be once changed, and written with the change.
    const outbox = this.#notifier({ ...ticket, status: to, updatedAt: change.at, ...(patch.rejection && { rejection: patch.rejection }) }, event);
    const updated = await this.store.transitionTicket(event, patch, outbox);
    if (!updated) throw new BotError('invalid_transition', `Ticket ${ticket.id} was changed by someone else just now; look at it again.`);
    if (outbox.length > 0) for (const listener of this.#queuedListeners) listener();
    return updated;
  }

  /** The requester cancels their own ticket; someone else's is reported as not found. */
  async cancelByRequester(id: string, requester: { channel: string; userRef: string }, at: Date): Promise<TicketRecord> {
    const ticket = await this.get(id);
    if (!ticket || ticket.channel !== requester.channel || ticket.requester !== requester.userRef) {
      throw new BotError('not_found', `No ticket ${id}.`);
    }
    return this.transition(ticket.id, 'cancelled', { actor: `user:${requester.userRef}`, at });
  }
}
