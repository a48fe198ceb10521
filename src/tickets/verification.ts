// Identity verification by one-time code: a code goes to the contact on the ticket, the
// requester types it into the chat, and only then does the bot act on or show a ticket. One
// live code per conversation; 15 minutes, 5 attempts; only a salted HMAC is stored.

import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { BotError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Contact, ContactCipher } from './contact.ts';
import type { CodeSender } from './code-senders.ts';
import { CODE_MAX_ATTEMPTS, CODE_TTL_MS, codeMatches, generateCode, hashCode, type VerificationCodeRecord } from './verification-code.ts';

export type CodeCheck =
  | { ok: true; code: VerificationCodeRecord }
  /** Wrong code; `attemptsLeft` more tries before the code is dead. */
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'expired' | 'locked' | 'none' };

export interface CodeRequest {
  /** The conversation that asked: tenant|channel|conversationRef. */
  key: string;
  tenant: string;
  ticketId: string | null;
  contact: Contact;
  /** Subject and text with "{code}" where the code goes. */
  subject: string;
  text: string;
}

/** Codes one contact may receive per hour: enough for a person, too few to flood someone's inbox. */
export const CODES_PER_CONTACT_PER_HOUR = 5;

export class IdentityVerification {
  private readonly secret: Buffer;
  // Per process: several instances each allow this many, which still bounds a flood.
  private readonly sendLimit = new RateLimiterMemory({ points: CODES_PER_CONTACT_PER_HOUR, duration: 3600 });

  constructor(
    private readonly options: {
      store: Store;
      cipher: ContactCipher;
      senders: Partial<Record<Contact['kind'], CodeSender>>;
      clock: () => Date;
      logger: Logger;
    },
  ) {
    this.secret = options.cipher.derive('verification-code');
  }

  /** True when codes can be sent to this kind of contact. */
  canSend(kind: Contact['kind']): boolean {
    return this.options.senders[kind] !== undefined;
  }

  /**
   * Generates, stores (hashed) and sends a code. Throws BotError delivery_failed when sending
   * fails or the contact had its hourly share of codes.
   */
  async issue(request: CodeRequest): Promise<{ expiresAt: Date; method: 'email' | 'sms' }> {
    const sender = this.options.senders[request.contact.kind];
    if (!sender) throw new Error(`no sender for ${request.contact.kind}`);
    const contactIndex = this.options.cipher.blindIndex(request.contact);
    try {
      await this.sendLimit.consume(contactIndex);
    } catch {
      this.options.logger.warn({ tenant: request.tenant, ticketId: request.ticketId ?? undefined }, 'verification code refused: hourly limit for this contact');
      throw new BotError('delivery_failed', `A contact receives at most ${CODES_PER_CONTACT_PER_HOUR} codes an hour.`);
    }
    const code = generateCode();
    const now = this.options.clock();
    const record: VerificationCodeRecord = {
      key: request.key,
      tenant: request.tenant,
      ticketId: request.ticketId,
      contactIndex,
      method: sender.method,
      codeHash: hashCode(this.secret, request.key, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      attempts: 0,
      consumedAt: null,
    };
    await this.options.store.saveVerificationCode(record);
    await sender.send({ to: request.contact.value, subject: request.subject.replaceAll('{code}', code), text: request.text.replaceAll('{code}', code) });
    this.options.logger.info({ tenant: request.tenant, ticketId: request.ticketId ?? undefined, method: sender.method }, 'verification code sent');
    return { expiresAt: record.expiresAt, method: sender.method };
  }

  /**
   * Stores a code that is never sent: a look-up for a contact on no ticket behaves exactly
   * like one that is (same reply, same checks), so the chat reveals nobody's contact.
   */
  async issueUnsent(request: Omit<CodeRequest, 'subject' | 'text'>): Promise<void> {
    const now = this.options.clock();
    await this.options.store.saveVerificationCode({
      key: request.key,
      tenant: request.tenant,
      ticketId: request.ticketId,
      contactIndex: this.options.cipher.blindIndex(request.contact),
      method: request.contact.kind === 'email' ? 'email' : 'sms',
      codeHash: hashCode(this.secret, request.key, generateCode()),
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      attempts: 0,
      consumedAt: null,
    });
  }

  /** The live code of a conversation (for what it is about), or null. */
  pending(key: string): Promise<VerificationCodeRecord | null> {
    return this.options.store.verificationCode(key);
  }

  /**
   * Checks a typed code. The attempt is counted before comparing, atomically, so parallel
   * guesses cannot exceed the limit; the code is consumed by the one caller that matches.
   */
  async check(key: string, typed: string): Promise<CodeCheck> {
    const { store, clock } = this.options;
    const current = await store.verificationCode(key);
    if (!current || current.consumedAt) return { ok: false, reason: 'none' };
    const now = clock();
    if (now.getTime() >= current.expiresAt.getTime()) return { ok: false, reason: 'expired' };
    const counted = await store.countVerificationAttempt(key, CODE_MAX_ATTEMPTS);
    if (!counted) return { ok: false, reason: current.attempts >= CODE_MAX_ATTEMPTS ? 'locked' : 'none' };
    if (counted.codeHash === current.codeHash && codeMatches(this.secret, key, typed.trim(), counted.codeHash)) {
      if (await store.consumeVerificationCode(key, now)) return { ok: true, code: counted };
      return { ok: false, reason: 'none' };
    }
    const attemptsLeft = CODE_MAX_ATTEMPTS - counted.attempts;
    return attemptsLeft > 0 ? { ok: false, reason: 'wrong', attemptsLeft } : { ok: false, reason: 'locked' };
  }
}
