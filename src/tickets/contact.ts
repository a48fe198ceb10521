// Contact details given for identity verification: validated, masked for display and
// encrypted at rest (AES-256-GCM). Only the ticket store ever holds the ciphertext; logs,
// transcripts and replies see the masked form.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { BotError } from '../errors.ts';
import { EMAIL_IN_TEXT, maskEmail, maskMobile, maskPersonalData, normaliseWidth } from '../privacy/mask.ts';

export type ContactKind = 'mobile' | 'email';

export interface Contact {
  kind: ContactKind;
  /** Normalised: 11 digits for a mobile, lower-cased for an email. */
  value: string;
}

const MOBILE = /^1[3-9]\d{9}$/;
// Deliberately plain: one @, a dot in the domain, no spaces. RFC 5322 allows more, but a
// support agent has to be able to write to it.
const EMAIL = /^[a-z0-9._%+-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,24}$/i;

/**
 * Finds a mainland mobile number (with optional +86/0086, spaces or dashes, full-width digits)
 * or an email, also written right after Chinese text, in what the user typed; null when there
 * is neither.
 */
export function parseContact(text: string): Contact | null {
  const trimmed = normaliseWidth(text).trim().replace(/[。.,，！!]+$/, '');
  const email = trimmed.match(new RegExp(EMAIL_IN_TEXT.source))?.[0];
  if (email && EMAIL.test(email)) return { kind: 'email', value: email.toLowerCase() };
  const digits = trimmed
    .replace(/[\s-]/g, '')
    .replace(/^(?:\+86|0086|86)(?=1\d{10}$)/, '')
    .match(/(?<!\d)1\d{10}(?!\d)/)?.[0];
  if (digits && MOBILE.test(digits)) return { kind: 'mobile', value: digits };
  return null;
}

/** 138****5678 for a mobile; a***@example.com for an email. */
export function maskContact(contact: Contact): string {
  return contact.kind === 'mobile' ? maskMobile(contact.value) : maskEmail(contact.value);
}

/** Hides contacts and ID, bank-card and passport numbers in free text (see src/privacy/mask.ts). */
export function maskContactsInText(text: string): string {
  return maskPersonalData(text);
}

const VERSION = 'v1';

/** AES-256-GCM with a 32-byte key; the output is `v1:<iv>:<tag>:<ciphertext>` in base64url. */
export class ContactCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new BotError('invalid_config', `The encryption key must be 32 bytes (got ${key.length}).`);
    this.key = key;
  }

  /**
   * A separate key for another purpose (blind index, code hashes), derived from the encryption
   * key with HKDF so that one secret to back up still gives independent keys.
   */
  derive(purpose: 'contact-index' | 'verification-code'): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `privacy-bot ${purpose}`, 32));
  }

  /**
   * The blind index of a contact: an HMAC of its normalised value, equal for equal contacts,
   * so a person's tickets are found by contact without decrypting any ticket.
   */
  blindIndex(contact: Contact): string {
    return createHmac('sha256', this.derive('contact-index')).update(`${contact.kind}:${contact.value}`).digest('base64url');
  }

  encrypt(contact: Contact): string {
    return this.seal(JSON.stringify(contact));
  }

  decrypt(sealed: string): Contact {
    return JSON.parse(this.open(sealed)) as Contact;
  }

  /** Seals free text (a request detail that carries a phone number or email). */
  sealText(text: string): string {
    return this.seal(JSON.stringify({ kind: 'text', value: text }));
  }

  openText(sealed: string): string {
    return (JSON.parse(this.open(sealed)) as { value: string }).value;
  }

  private seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
  }

  private open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || !data) throw new BotError('invalid_input', 'Not an encrypted value.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new BotError('invalid_config', 'Could not decrypt a contact: the encryption key differs from the one it was written with.', { cause: error });
    }
  }
}
