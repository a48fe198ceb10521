// The web chat's push stream and history API over real HTTP: Server-Sent Events carry what the
// outbox delivers to a web conversation; the history returns the masked transcript with the
// bot's citations; bad queries are refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEvent } from '../../../adapters/web/push.ts';
import { startTestServer } from '../../helpers/server.ts';
import { newSession, postMessage, sessionCookie } from './client.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
const browser = newSession();
const tenant = 'giantkone';
/** The browser's cookie, as its page sends it. */
const cookie = () => ({ cookie: sessionCookie(browser)! });
/** The conversation the server keys by the cookie's session id. */
const ref = () => `web:${tenant}:${sessionCookie(browser)!.replace(/^pb_session=/, '').split('.')[0]}`;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function post(text: string, messageId: string) {
  return postMessage(server.url, { tenant, session: browser, text, messageId });
}

/** Reads SSE events from a stream until `count` named events arrived. */
async function readEvents(body: ReadableStream<Uint8Array>, count: number): Promise<{ event: string; id?: string; data: unknown }[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; id?: string; data: unknown }[] = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      if (fields.event) events.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data ?? 'null') });
    }
  }
  await reader.cancel();
  return events;
}

describe('web push and history', () => {
  it('formats one event per message, data on one line', () => {
    expect(formatEvent('replies', { text: 'a\nb' }, 'k1')).toBe('id: k1\nevent: replies\ndata: {"text":"a\\nb"}\n\n');
  });

  it('streams an agent message to the open page and keeps it in the history with the cited answer', async () => {
    await post('你们收集哪些个人信息？', 'push-msg-0001');
    await post('转人工', 'push-msg-0002');
    const stream = await fetch(`${server.url}/api/web/events?tenant=${tenant}`, { headers: cookie() });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const handoff = (await server.handoffs.openFor(tenant, 'web', ref()))!;
    await server.handoffs.take(handoff.id, { id: 'console:li', name: 'Li' });
    await server.handoffs.relayFromAgent(handoff.id, { id: 'console:li', name: 'Li' }, { messageId: 'a1', text: '您好 13812345678 是您的电话吗？' });
    const events = await readEvents(stream.body!, 2);
    expect(events.map((e) => e.event)).toEqual(['replies', 'replies']);
    const second = events[1]!.data as { replies: { kind: string; text: string }[]; key: string; at: string };
    expect(second.replies).toEqual([{ kind: 'agent', text: '【人工客服 Li】您好 13812345678 是您的电话吗？', citations: [], quickReplies: [] }]);
    expect(events[1]!.id).toBe(second.key);

    const history = (await (await fetch(`${server.url}/api/web/history?tenant=${tenant}`, { headers: cookie() })).json()) as {
      entries: { direction: string; text: string; citations: { label: string }[] }[];
    };
    expect(history.entries[0]).toMatchObject({ direction: 'in', text: '你们收集哪些个人信息？' });
    expect(history.entries[1]!.citations.length).toBeGreaterThan(0);
    expect(history.entries[1]!.citations[0]!.label).toMatch(/《.+》/);
    // Stored masked: the history never shows the full number.
    expect(history.entries.at(-1)).toMatchObject({ direction: 'out', text: '【人工客服 Li】您好 138****5678 是您的电话吗？' });
  });

  it('counts escalations, time to take over and time to first agent reply per tenant in /metrics', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/privacy_bot_handoff_escalations_total\{tenant="giantkone",reason="human_agent",outcome="waiting"\} 1/);
    expect(metrics).toMatch(/privacy_bot_handoff_time_to_take_seconds_count\{tenant="giantkone"\} 1/);
    expect(metrics).toMatch(/privacy_bot_handoff_time_to_first_agent_reply_seconds_count\{tenant="giantkone"\} 1/);
  });

  it('streams only the cookie\'s own conversation, and refuses an unknown tenant', async () => {
    // A session named in the query is not a session: without the cookie there is no stream.
    expect((await fetch(`${server.url}/api/web/events?tenant=${tenant}&session=${ref().split(':')[2]}`)).status).toBe(401);
    const forged = await fetch(`${server.url}/api/web/events?tenant=${tenant}`, { headers: { cookie: 'pb_session=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA' } });
    expect(forged.status).toBe(401);
    expect((await fetch(`${server.url}/api/web/history?tenant=nobody`, { headers: cookie() })).status).toBe(404);
    expect((await fetch(`${server.url}/api/web/events`, { headers: cookie() })).status).toBe(400);
    // A history read without a cookie starts an empty conversation of a new session.
    const fresh = await fetch(`${server.url}/api/web/history?tenant=${tenant}`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('set-cookie')).toMatch(/^pb_session=/);
    expect(((await fresh.json()) as { entries: unknown[] }).entries).toEqual([]);
  });
});
