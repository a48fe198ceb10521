// A client of the web chat API, as the page uses it, for the API tests and the contract harness.

import { randomBytes } from 'node:crypto';
import type { WebTurnResponse } from '../../../adapters/web/render.ts';

export const newSession = (): string => randomBytes(18).toString('base64url');
export const newMessageId = (): string => randomBytes(12).toString('base64url');

export interface PostResult {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function postRaw(baseUrl: string, body: string, contentType = 'application/json'): Promise<PostResult> {
  const response = await fetch(`${baseUrl}/api/web/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
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
  const result = await postRaw(baseUrl, JSON.stringify({ tenant: 'giantkone', messageId: newMessageId(), ...message }));
  if (result.status !== 200) throw new Error(`POST /api/web/messages: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body as WebTurnResponse;
}
