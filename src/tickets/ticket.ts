// The ticket domain: what a rights-request ticket is, its statuses, its audit trail and who
// looked at its personal data. The store persists these shapes; the rules live in
// ticket-service.ts.

import type { TicketType } from '../conversation/types.ts';

export const TICKET_STATUSES = ['submitted', 'verifying_identity', 'in_progress', 'completed', 'rejected', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** How the requester's identity was established: a code by email or SMS, or an agent. */
export type VerificationMethod = 'email' | 'sms' | 'agent';

export interface TicketClause {
  policyId: string;
  clauseId: string;
  number: string;
  title: string;
}

/** Why a request was rejected, and the policy clause the rejection rests on where one applies. */
export interface Rejection {
  reason: string;
  clause: TicketClause | null;
}

export interface TicketRecord {
  /** Human-friendly, e.g. DEL-20261122-0007. */
  id: string;
  type: TicketType;
  tenant: string;
  channel: string;
  /** Pseudonymous channel reference of the requester (never a name or a phone number). */
  requester: string;
  conversationRef: string;
  /** Encrypted contact (see contact.ts); never stored in clear. Empty once purged. */
  contactEncrypted: string;
  /** Masked for display, e.g. 138****5678 or a***@example.com. */
  contactMasked: string;
  /** Keyed hash of the contact (a blind index): finds a person's tickets without decrypting any. Empty once purged. */
  contactIndex: string;
  /** Masked answers, plus sealed originals under "<slot>.sealed". */
  details: Record<string, string>;
  clauses: TicketClause[];
  status: TicketStatus;
  /** Calendar date (YYYY-MM-DD, tenant time zone) by which the request must be answered. */
  dueDate: string;
  /** Where the deadline comes from: the tenant's policy, or the tenant's configured default. */
  deadlineSource: 'policy' | 'tenant_default';
  language: 'zh' | 'en';
  /** Unique per originating form (channel|tenant|form:<id>): neither a redelivery nor a second confirmation files twice. */
  originKey: string;
  identityVerified: boolean;
  verificationMethod: VerificationMethod | null;
  rejection: Rejection | null;
  /** When the retention purge removed the personal data (contact, sealed details); the record stays. */
  purgedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A new ticket before the store gives it its number. */
export type TicketDraft = Omit<TicketRecord, 'id'> & {
  /** Id prefix, e.g. "DEL"; the store appends -YYYYMMDD-NNNN from `createdAt` (UTC+8 day). */
  idPrefix: string;
};

export interface TicketEvent {
  ticketId: string;
  at: Date;
  /** Who made the change: "user:<ref>", "agent:<name>", "system". */
  actor: string;
  from: TicketStatus | null;
  to: TicketStatus;
  note: string | null;
}

/** What a transition changes besides the status. */
export interface TicketPatch {
  identityVerified?: VerificationMethod;
  rejection?: Rejection;
}

/** Someone saw a ticket's personal data in clear, or exported tickets: the access log. */
export interface TicketAccess {
  ticketId: string;
  at: Date;
  /** "agent:<name>" */
  actor: string;
  action: 'reveal_contact' | 'export';
}

export interface TicketFilter {
  tenant?: string;
  status?: TicketStatus;
  /** Only this requester's tickets (with channel, so two channels' refs never mix). */
  requester?: { channel: string; userRef: string };
  /** Only tickets whose contact has this blind index. */
  contactIndex?: string;
  /** Only tickets created at or after this instant. */
  since?: Date;
  /** Only tickets with a contact but no blind index yet (filed before the index existed). */
  unindexed?: true;
}
