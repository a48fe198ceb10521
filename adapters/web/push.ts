// Server push for the web chat: Server-Sent Events at GET /api/web/events, one stream per open
// page, keyed by the conversation. The outbox delivers agents' messages through the adapter's
// send(), which publishes them here. A page that is closed misses nothing: everything pushed is
// in the transcript, which the page loads again (history.ts).
// https://html.spec.whatwg.org/multipage/server-sent-events.html

import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { HttpRequest } from '../../src/channels/channel.ts';
import { sendJson } from '../../src/server/server.ts';
import { SECURITY_HEADERS } from './static.ts';

const HEARTBEAT_MS = 25_000;
/** Open streams per conversation (tabs of one browser), so one client cannot pile up sockets. */
const MAX_STREAMS_PER_CONVERSATION = 5;

/** The page names its tenant; the session comes from its cookie (access.ts), never the query. */
export const WebConversationQuerySchema = z.object({ tenant: z.string().min(1).max(64) });
export type WebConversationQuery = z.infer<typeof WebConversationQuerySchema>;

/** The tenant a page names in its query, or why not. */
export function parseConversationQuery(query: URLSearchParams, tenants: readonly string[]): { ok: true; value: WebConversationQuery } | { ok: false; status: 400 | 404; error: string } {
  const parsed = WebConversationQuerySchema.safeParse({ tenant: query.get('tenant') ?? '' });
  if (!parsed.success) return { ok: false, status: 400, error: `Invalid query: ${parsed.error.issues.map((i) => i.message).join('; ')}` };
  if (!tenants.includes(parsed.data.tenant)) return { ok: false, status: 404, error: 'Unknown tenant.' };
  return { ok: true, value: parsed.data };
}

export function webConversationRef(q: { tenant: string; session: string }): string {
  return `web:${q.tenant}:${q.session}`;
}

/** One SSE event: `event`, an optional `id`, and JSON data on one line. */
export function formatEvent(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id.replace(/[\r\n]/g, '')}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class WebPushHub {
  readonly #streams = new Map<string, Set<ServerResponse>>();

  /** Opens the stream of `conversationRef` on `res`; it ends when the client goes away or stop() runs. */
  open(request: HttpRequest, res: ServerResponse, conversationRef: string): void {
    const streams = this.#streams.get(conversationRef) ?? new Set<ServerResponse>();
    if (streams.size >= MAX_STREAMS_PER_CONVERSATION) {
      sendJson(res, 429, { error: 'too many open streams for this conversation' });
      return;
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies such as nginx buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    streams.add(res);
    this.#streams.set(conversationRef, streams);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const close = () => {
      clearInterval(heartbeat);
      streams.delete(res);
      if (streams.size === 0 && this.#streams.get(conversationRef) === streams) this.#streams.delete(conversationRef);
    };
    request.raw.once('close', close);
    res.once('close', close);
  }

  /** Sends an event to every open page of the conversation; returns how many got it. */
  publish(conversationRef: string, event: string, data: unknown, id?: string): number {
    const streams = this.#streams.get(conversationRef);
    if (!streams) return 0;
    const text = formatEvent(event, data, id);
    for (const res of streams) res.write(text);
    return streams.size;
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    for (const streams of this.#streams.values()) for (const res of streams) res.end();
    this.#streams.clear();
  }
}
