// What the web chat page POSTs to /api/web/messages, validated before anything reaches the
// core. The page is public and needs no login, so every field is checked here and a bad
// request gets a 400 that says which field is wrong (never a 500, never the user's text).

import { z } from 'zod';
import type { InboundMessage } from '../../src/conversation/types.ts';

/** Longer than the core's question limit, so the core can refuse an overlong question in words the person reads. */
export const MAX_TEXT_LENGTH = 10_000;

const ID = /^[A-Za-z0-9_-]+$/;

export const WebMessageRequestSchema = z.object({
  // No session field: the session is the server's signed cookie (session.ts), never the client's choice.
  tenant: z.string().min(1, 'tenant: required').max(64, 'tenant: at most 64 characters'),
  text: z.string().max(MAX_TEXT_LENGTH, `text: at most ${MAX_TEXT_LENGTH} characters`),
  /** Generated once per message by the page; a retried fetch sends it again and the core dedupes it. */
  messageId: z
    .string()
    .min(8, 'messageId: must be 8–128 characters of A–Z, a–z, 0–9, "_" or "-"')
    .max(128, 'messageId: must be 8–128 characters of A–Z, a–z, 0–9, "_" or "-"')
    .regex(ID, 'messageId: must be 8–128 characters of A–Z, a–z, 0–9, "_" or "-"'),
});
export type WebMessageRequest = z.infer<typeof WebMessageRequestSchema>;

export type WebRequestErrorCode = 'unsupported_media_type' | 'malformed_json' | 'invalid_request';

export interface WebRequestError {
  code: WebRequestErrorCode;
  /** Written for the developer of a client; never quotes the body. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: WebRequestError };

/** Parses the raw POST body. `contentType` is the request's content-type header. */
export function parseMessageRequest(body: Buffer, contentType: string | undefined): Result<WebMessageRequest> {
  // Requiring JSON also keeps cross-site HTML forms (which cannot send it without a CORS preflight) out.
  if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) {
    return { ok: false, error: { code: 'unsupported_media_type', message: 'Send the message as JSON with "content-type: application/json".' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, error: { code: 'malformed_json', message: 'The request body is not valid JSON.' } };
  }
  const parsed = WebMessageRequestSchema.safeParse(json);
  if (!parsed.success) {
    const messages = [...new Set(parsed.error.issues.map(issueMessage))];
    return { ok: false, error: { code: 'invalid_request', message: `Invalid message: ${messages.join('; ')}.` } };
  }
  return { ok: true, value: parsed.data };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  // Our own messages already name the field; zod's defaults ("Invalid input: expected string") do not.
  const field = issue.path.join('.');
  if (issue.path.length === 0) return 'the body must be a JSON object with tenant, text and messageId';
  return issue.message.startsWith(`${field}:`) ? issue.message : `${field}: ${issue.message}`;
}

/** The core's view of a web message: one conversation per tenant and browser session (the server-issued id). */
export function toInboundMessage(request: WebMessageRequest, session: string, time: Date): InboundMessage {
  return {
    channel: 'web',
    tenant: request.tenant,
    userRef: `web:${session}`,
    conversationRef: `web:${request.tenant}:${session}`,
    messageId: request.messageId,
    text: request.text,
    time,
  };
}
