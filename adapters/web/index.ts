// The zero-configuration web chat: a static page at `/` and a small JSON API it talks to.
// It needs no credentials, so it is always on. The server issues each browser a signed session
// in an HttpOnly cookie (access.ts); that id is the person (`web:<session>`) and, per tenant,
// the conversation (`web:<tenant>:<session>`). Replies go back in the POST's response; what
// arrives later (an agent's messages, ticket notifications) is pushed over Server-Sent Events
// (push.ts), and a reloaded page fetches the conversation so far (history.ts).

import type { ServerResponse } from 'node:http';
import { cutCodePoints } from '../../src/knowledge/text.ts';
import type { AdapterContext, AdapterFactory, ChannelAdapter, HttpRequest, Route } from '../../src/channels/channel.ts';
import type { TurnResult } from '../../src/conversation/types.ts';
import { say } from '../../src/conversation/templates.ts';
import { isBotError } from '../../src/errors.ts';
import { detectLanguage as languageOf } from '../../src/knowledge/text.ts';
import { sendJson } from '../../src/server/server.ts';
import { WebAccess } from './access.ts';
import { parseMessageRequest, toInboundMessage, type WebRequestErrorCode } from './parse.ts';
import { renderHistory } from './history.ts';
import { parseConversationQuery, WebPushHub, webConversationRef } from './push.ts';
import { renderReply, renderTurn } from './render.ts';
import { loadAsset, SECURITY_HEADERS, serveAsset } from './static.ts';

export const WEB_CHANNEL = 'web';

const STATUS: Record<WebRequestErrorCode, number> = { unsupported_media_type: 415, malformed_json: 400, invalid_request: 400 };

export interface WebTenantsResponse {
  tenants: { id: string; name: string }[];
  defaultTenant: string | null;
}

/** The tenant the page selects first: the configured default if the knowledge base has it. */
export function defaultTenantOf(tenants: string[], configured: string | null): string | null {
  return configured && tenants.includes(configured) ? configured : (tenants[0] ?? null);
}

function sendApiJson(res: ServerResponse, status: number, body: unknown): void {
  // Answers are per session: no shared cache may keep them.
  for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })) res.setHeader(name, value);
  sendJson(res, status, body);
}

export async function createWebChannel(ctx: AdapterContext): Promise<ChannelAdapter> {
  const access = await WebAccess.open(ctx);
  const page = loadAsset('index.html');
  const script = loadAsset('app.js');
  const stylesheet = loadAsset('app.css');
  // Read per request: the server updates ctx.tenants when the knowledge is reloaded.
  const tenants = (): WebTenantsResponse => ({
    tenants: ctx.tenants.map((id) => ({ id, name: ctx.tenantNames[id] ?? id })),
    defaultTenant: defaultTenantOf(ctx.tenants, ctx.config.server.defaultTenant),
  });

  const postMessage = async (request: HttpRequest, res: ServerResponse): Promise<void> => {
    const parsed = parseMessageRequest(request.body, request.headers['content-type']);
    if (!parsed.ok) {
      ctx.metrics.rejected(WEB_CHANNEL, parsed.error.code);
      ctx.logger.debug({ reason: parsed.error.code }, 'web message refused');
      return sendApiJson(res, STATUS[parsed.error.code], { error: parsed.error.message });
    }
    const { tenant } = parsed.value;
    if (!ctx.tenants.includes(tenant)) {
      ctx.metrics.rejected(WEB_CHANNEL, 'unknown_tenant');
      return sendApiJson(res, 404, { error: `Unknown tenant "${cutCodePoints(tenant, 64)}". Known tenants: ${ctx.tenants.join(', ')}.` });
    }
    const session = await access.admit(request, res);
    if (session === null) return;
    let result: TurnResult;
    try {
      result = await ctx.dispatch(toInboundMessage(parsed.value, session, new Date()));
    } catch (error) {
      if (!isBotError(error, 'busy')) throw error;
      // Past the cap on turns in flight: nothing was handled, so the same message may be sent again.
      res.setHeader('retry-after', '2');
      return sendApiJson(res, 503, { error: say(languageOf(parsed.value.text), 'busy'), busy: true });
    }
    const body = renderTurn(result);
    sendApiJson(res, 200, body);
    if (body.replies.length > 0) ctx.metrics.sent(WEB_CHANNEL, body.replies.length);
  };

  const routes: Route[] = [
    { method: 'GET', path: '/', handle: (request, res) => serveAsset(page, request, res) },
    { method: 'GET', path: '/web/app.js', handle: (request, res) => serveAsset(script, request, res) },
    { method: 'GET', path: '/web/app.css', handle: (request, res) => serveAsset(stylesheet, request, res) },
    { method: 'GET', path: '/api/web/tenants', handle: (_request, res) => sendApiJson(res, 200, tenants()) },
    { method: 'POST', path: '/api/web/messages', handle: postMessage },
    { method: 'POST', path: '/api/web/session', handle: (request, res) => access.newSession(request, res) },
    {
      method: 'GET',
      path: '/api/web/events',
      handle: (request, res) => {
        const q = parseConversationQuery(request.query, ctx.tenants);
        if (!q.ok) return sendApiJson(res, q.status, { error: q.error });
        // Only the cookie's own conversation: a stream never issues a session.
        const session = access.current(request);
        if (session === null) return sendApiJson(res, 401, { error: 'No session yet: send a message or load the history first.' });
        hub.open(request, res, webConversationRef({ tenant: q.value.tenant, session }));
      },
    },
    {
      method: 'GET',
      path: '/api/web/history',
      handle: async (request, res) => {
        const q = parseConversationQuery(request.query, ctx.tenants);
        if (!q.ok) return sendApiJson(res, q.status, { error: q.error });
        const session = await access.session(request, res);
        if (session === null) return;
        const ref = webConversationRef({ tenant: q.value.tenant, session });
        sendApiJson(res, 200, renderHistory(await ctx.store.transcript(q.value.tenant, WEB_CHANNEL, ref)));
      },
    },
  ];

  const hub = new WebPushHub();
  return {
    name: WEB_CHANNEL,
    routes: () => routes,
    // Pushed messages reach the open pages; a closed page finds them in the history.
    async send(conversationRef, replies, delivery) {
      const pages = hub.publish(conversationRef, 'replies', { replies: replies.map(renderReply), at: delivery?.at.toISOString() ?? null, key: delivery?.key ?? null }, delivery?.key);
      if (pages > 0) ctx.metrics.sent(WEB_CHANNEL, replies.length);
    },
    async stop() {
      hub.closeAll();
      await access.close();
    },
  };
}

export const webAdapter: AdapterFactory = {
  name: WEB_CHANNEL,
  create: (ctx) => createWebChannel(ctx),
};
