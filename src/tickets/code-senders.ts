// How a one-time code reaches the requester: by email through nodemailer (SMTP_URL,
// MAIL_FROM), or by SMS through any gateway behind SMS_WEBHOOK_URL, which receives an HTTP
// POST of {"to", "text"}. The code travels only in the message itself, never in a log.

import type { Transporter } from 'nodemailer';
import { BotError } from '../errors.ts';
import type { ContactKind } from './contact.ts';

export interface CodeMessage {
  /** The clear address or mobile number (decrypted only for sending). */
  to: string;
  subject: string;
  text: string;
}

export interface CodeSender {
  readonly method: 'email' | 'sms';
  send(message: CodeMessage): Promise<void>;
}

export interface CodeSenderConfig {
  smtpUrl: string | null;
  mailFrom: string | null;
  smsWebhookUrl: string | null;
}

export class EmailCodeSender implements CodeSender {
  readonly method = 'email' as const;
  // nodemailer is loaded with the first email, not at start-up (a fifth of a second).
  private transport: Promise<Transporter> | null = null;
  private closed = false;

  constructor(
    private readonly smtpUrl: string,
    private readonly from: string,
  ) {}

  private connect(): Promise<Transporter> {
    this.transport ??= import('nodemailer').then((nodemailer) => nodemailer.default.createTransport(this.smtpUrl));
    return this.transport;
  }

  async send(message: CodeMessage): Promise<void> {
    if (this.closed) throw new BotError('delivery_failed', 'Sending the verification email failed (closed).');
    try {
      await (await this.connect()).sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
    } catch (error) {
      // The SMTP error may quote the recipient: keep only its code.
      const code = (error as { code?: unknown; responseCode?: unknown }).responseCode ?? (error as { code?: unknown }).code;
      throw new BotError('delivery_failed', `Sending the verification email failed (${String(code ?? 'unknown error')}).`);
    }
  }

  close(): void {
    this.closed = true;
    void this.transport?.then((t) => t.close()).catch(() => undefined);
  }
}

export class SmsWebhookSender implements CodeSender {
  readonly method = 'sms' as const;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(message: CodeMessage): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: message.to, text: message.text }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new BotError('delivery_failed', 'The SMS gateway (SMS_WEBHOOK_URL) could not be reached.', { cause: error });
    }
    await response.body?.cancel();
    if (!response.ok) throw new BotError('delivery_failed', `The SMS gateway (SMS_WEBHOOK_URL) answered HTTP ${response.status}.`);
  }
}

/** The senders the configuration enables, by contact kind. */
export function codeSendersFrom(config: CodeSenderConfig): Partial<Record<ContactKind, CodeSender>> {
  const senders: Partial<Record<ContactKind, CodeSender>> = {};
  if (config.smtpUrl && config.mailFrom) senders.email = new EmailCodeSender(config.smtpUrl, config.mailFrom);
  if (config.smsWebhookUrl) senders.mobile = new SmsWebhookSender(config.smsWebhookUrl);
  return senders;
}
