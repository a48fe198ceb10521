// A client of the web chat API, as the page uses it, for the API tests and the contract harness.

import { randomBytes } from 'node:crypto';
import type { WebTurnResponse } from '../../../adapters/web/render.ts';

/**
 * A browser of the test's: a label whose session cookie the client keeps, as a browser keeps
 * the one the server set. The first request of a label has none and gets one.
 */
export const newSession = (): string => randomBytes(9).toString('base64url');
export const newMessageId = (): string => randomBytes(12).toString('base64url');

/** label -> "pb_session=..." as the server set it. */
const cookies = new Map<string, string>();

/** The cookie a session label holds, if the server set one. */
export const sessionCookie = (label: string): string | undefined => cookies.get(label);

export interface PostResult {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function postRaw(baseUrl: string, body: string, contentType = 'application/json', session?: string, headers: Record<string, string> = {}): Promise<PostResult> {
  const cookie = session ? cookies.get(session) : undefined;
  const response = await fetch(`${baseUrl}/api/web/messages`, { method: 'POST', headers: { 'content-type': contentType, ...(cookie && { cookie }), ...headers }, body });
  const setCookie = response.headers.get('set-cookie');
  if (session && setCookie) cookies.set(session, setCookie.split(';')[0]!);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function postMessage(
  baseUrl: string,
  message: { tenant?: string; session: string; text: string; messageId?: string },
): Promise<WebTurnResponse> {
  const { session, ...fields } = message;
  const result = await postRaw(baseUrl, JSON.stringify({ tenant: 'giantkone', messageId: newMessageId(), ...fields }), 'application/json', session);
  if (result.status !== 200) throw new Error(`POST /api/web/messages: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body as WebTurnResponse;
}
