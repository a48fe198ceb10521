// The web agent console at /agent: support agents log in (AGENTS_FILE accounts, or a one-time
// admin token printed at start when none are configured), see waiting and owned chats with
// their masked transcripts and the bot's citations, updated live (Server-Sent Events), and
// take over, reply, hand back and close. It is an AgentDesk ("console"): handoff changes reach
// it through the outbox. Nothing under /agent answers without a session except the login page.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { readAgentsFile, verifyPassword } from '../../src/agents/accounts.ts';
import type { AdapterContext, AdapterFactory, ChannelAdapter, HttpRequest, Route } from '../../src/channels/channel.ts';
import type { AgentDesk } from '../../src/handoff/agent-desk.ts';
import type { AgentResult } from '../../src/handoff/handoff-service.ts';
import type { Agent, Handoff } from '../../src/handoff/types.ts';
import { sendJson } from '../../src/server/server.ts';
import { formatEvent } from '../web/push.ts';
import { citationLabel } from '../web/render.ts';
import { loadAsset, SECURITY_HEADERS, serveAsset } from '../web/static.ts';
import { clearedCookie, csrfMatches, isSecureRequest, readCookie, sameOrigin, SessionStore, sessionCookie } from './sessions.ts';

export const CONSOLE_DESK = 'console';
const PUBLIC = join(import.meta.dirname, 'public');
const ADMIN = 'admin';

const LoginSchema = z.union([
  z.object({ name: z.string().min(1).max(40), password: z.string().min(1).max(200) }),
  z.object({ token: z.string().min(1).max(200) }),
]);
const ReplySchema = z.object({ text: z.string().trim().min(1).max(2000), messageId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });
const HandBackSchema = z.object({ note: z.string().max(500).optional(), resumeForm: z.boolean().optional() });
const CloseSchema = z.object({ note: z.string().max(500).optional() });
const ACTION = /^\/agent\/api\/handoffs\/([A-Za-z0-9_-]{1,80})\/(take|reply|handback|close)$/;

function send(res: ServerResponse, status: number, body: unknown): void {
  for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })) res.setHeader(name, value);
  sendJson(res, status, body);
}

function parseJson(request: HttpRequest): unknown {
  if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) return undefined;
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The console as a desk: any change makes the open consoles refresh their list. */
class ConsoleDesk implements AgentDesk {
  readonly name = CONSOLE_DESK;
  readonly streams = new Set<ServerResponse>();

  async escalated(handoff: Handoff): Promise<void> {
    this.broadcast(handoff.id);
  }

  async userMessage(handoff: Handoff): Promise<void> {
    this.broadcast(handoff.id);
  }

  async changed(handoff: Handoff): Promise<void> {
    this.broadcast(handoff.id);
  }

  broadcast(handoffId: string): void {
    const text = formatEvent('changed', { handoffId });
    for (const res of this.streams) res.write(text);
  }
}

export function createAgentConsole(ctx: AdapterContext): ChannelAdapter {
  const { config, logger } = ctx;
  const settings = config.agentConsole;
  const sessions = new SessionStore(settings.sessionHours * 3_600_000);
  // Five failed logins per address and name in 15 minutes, then a pause.
  const limiter = new RateLimiterMemory({ points: 5, duration: 15 * 60 });
  const accounts = settings.agentsFile ? readAgentsFile(settings.agentsFile).agents : [];
  let adminToken: string | null = accounts.length === 0 ? randomBytes(18).toString('base64url') : null;
  const desk = new ConsoleDesk();
  ctx.registerDesk(desk);
  const assets = {
    page: loadAsset('agent.html', PUBLIC),
    login: loadAsset('login.html', PUBLIC),
    app: loadAsset('agent.js', PUBLIC),
    loginScript: loadAsset('login.js', PUBLIC),
    css: loadAsset('agent.css', PUBLIC),
  };

  const sessionOf = (request: HttpRequest) => sessions.get(readCookie(request.headers));
  const agentOf = (name: string): Agent => ({ id: `console:${name}`, name });

  /** Runs `handle` for a logged-in agent; a POST also needs the same origin and the CSRF token. */
  const guarded =
    (handle: (request: HttpRequest, res: ServerResponse, agent: Agent) => Promise<void> | void) =>
    async (request: HttpRequest, res: ServerResponse): Promise<void> => {
      const session = sessionOf(request);
      if (!session) return send(res, 401, { error: 'log in first' });
      if (request.method === 'POST' && (!sameOrigin(request.headers) || !csrfMatches(session, request.headers))) {
        logger.warn({ agent: session.agentName, path: request.path }, 'agent console request refused: origin or CSRF token');
        return send(res, 403, { error: 'forbidden' });
      }
      await handle(request, res, agentOf(session.agentName));
    };

  const login = async (request: HttpRequest, res: ServerResponse): Promise<void> => {
    if (!sameOrigin(request.headers)) return send(res, 403, { error: 'forbidden' });
    const parsed = LoginSchema.safeParse(parseJson(request));
    if (!parsed.success) return send(res, 400, { error: 'send JSON {name, password} or {token}' });
    const address = request.raw.socket.remoteAddress ?? 'unknown';
    const key = `${address}|${'name' in parsed.data ? parsed.data.name : 'token'}`;
    const blocked = await limiter.get(key);
    if (blocked && blocked.remainingPoints <= 0) {
      res.setHeader('retry-after', String(Math.ceil(blocked.msBeforeNext / 1000)));
      return send(res, 429, { error: 'too many attempts; try again later' });
    }
    let name: string | null = null;
    if ('name' in parsed.data) {
      const account = accounts.find((a) => a.name === (parsed.data as { name: string }).name);
      if (account && (await verifyPassword(parsed.data.password, account.passwordHash))) name = account.name;
    } else if (adminToken) {
      const sent = Buffer.from(parsed.data.token);
      const expected = Buffer.from(adminToken);
      if (sent.length === expected.length && timingSafeEqual(sent, expected)) {
        name = ADMIN;
        adminToken = null; // one-time
      }
    }
    if (!name) {
      await limiter.consume(key).catch(() => undefined);
      logger.warn({ address }, 'agent console login failed');
      return send(res, 401, { error: 'wrong name, password or token' });
    }
    await limiter.delete(key);
    const { token } = sessions.create(name);
    res.setHeader('set-cookie', sessionCookie(token, settings.sessionHours * 3600, isSecureRequest(request.headers, settings.secureCookies)));
    logger.info({ agent: name }, 'agent logged in');
    send(res, 200, { ok: true });
  };

  const list = async (_request: HttpRequest, res: ServerResponse, agent: Agent): Promise<void> => {
    const handoffs = await ctx.engine.handoffs.listOpenAndRecent(24);
    const body = await Promise.all(
      handoffs.slice(0, 100).map(async (h) => {
        const transcript = await ctx.store.transcript(h.tenant, h.channel, h.conversationRef);
        return {
          id: h.id,
          tenant: h.tenant,
          channel: h.channel,
          reason: h.reason,
          state: h.state,
          ownerName: h.ownerName,
          mine: h.ownerId === agent.id,
          createdAt: h.createdAt.toISOString(),
          userUnreachable: h.userUnreachable,
          transcript: transcript.slice(-50).map((e) => ({
            direction: e.direction,
            text: e.text,
            at: e.at.toISOString(),
            citations: (e.citations ?? []).map((c) => ({ label: citationLabel(c, e.text), text: c.text })),
          })),
        };
      }),
    );
    send(res, 200, { agent: agent.name, handoffs: body });
  };

  const act = async (request: HttpRequest, res: ServerResponse, agent: Agent): Promise<void> => {
    const [, id, action] = ACTION.exec(request.path) ?? [];
    if (!id || !action) return send(res, 404, { error: 'not found' });
    const body = parseJson(request) ?? {};
    const service = ctx.engine.handoffs;
    let result: AgentResult;
    if (action === 'take') result = await service.take(id, agent);
    else if (action === 'reply') {
      const parsed = ReplySchema.safeParse(body);
      if (!parsed.success) return send(res, 400, { error: 'send JSON {text, messageId}' });
      result = await service.relayFromAgent(id, agent, parsed.data);
    } else if (action === 'handback') {
      const parsed = HandBackSchema.safeParse(body);
      if (!parsed.success) return send(res, 400, { error: 'send JSON {note?, resumeForm?}' });
      result = await service.handBack(id, agent, parsed.data);
    } else {
      const parsed = CloseSchema.safeParse(body);
      if (!parsed.success) return send(res, 400, { error: 'send JSON {note?}' });
      result = await service.close(id, agent, parsed.data.note);
    }
    if (result.ok) {
      desk.broadcast(id);
      return send(res, 200, { ok: true, state: result.handoff.state });
    }
    logger.info({ agent: agent.id, handoffId: id, action, reason: result.reason }, 'agent console action refused');
    send(res, result.reason === 'not_found' ? 404 : 409, { error: result.reason, ownerName: result.ownerName ?? null });
  };

  const events = (request: HttpRequest, res: ServerResponse): void => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    desk.streams.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    heartbeat.unref();
    request.raw.once('close', () => {
      clearInterval(heartbeat);
      desk.streams.delete(res);
    });
  };

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/agent',
      handle: (request, res) => {
        if (!sessionOf(request)) {
          res.writeHead(302, { ...SECURITY_HEADERS, location: '/agent/login', 'cache-control': 'no-store' });
          res.end();
          return;
        }
        serveAsset(assets.page, request, res);
      },
    },
    { method: 'GET', path: '/agent/login', handle: (request, res) => serveAsset(assets.login, request, res) },
    { method: 'GET', path: '/agent/login.js', handle: (request, res) => serveAsset(assets.loginScript, request, res) },
    { method: 'GET', path: '/agent/agent.css', handle: (request, res) => serveAsset(assets.css, request, res) },
    { method: 'POST', path: '/agent/login', handle: login },
    {
      method: 'POST',
      path: '/agent/logout',
      handle: guarded((request, res) => {
        sessions.delete(readCookie(request.headers));
        res.setHeader('set-cookie', clearedCookie(isSecureRequest(request.headers, settings.secureCookies)));
        send(res, 200, { ok: true });
      }),
    },
    { method: 'GET', path: '/agent/agent.js', handle: guarded((request, res) => serveAsset(assets.app, request, res)) },
    {
      method: 'GET',
      path: '/agent/api/me',
      handle: guarded((request, res, agent) => send(res, 200, { name: agent.name, csrf: sessionOf(request)!.csrf })),
    },
    { method: 'GET', path: '/agent/api/handoffs', handle: guarded(list) },
    { method: 'GET', path: '/agent/api/events', handle: guarded(events) },
    { method: 'POST', path: ACTION, handle: guarded(act) },
  ];

  return {
    name: 'agent-console',
    routes: () => routes,
    async start() {
      // A silenced logger (tests) also silences the token line.
      if (adminToken && logger.isLevelEnabled('warn')) {
        // Deliberately printed (not logged): the one way in when no agent accounts exist.
        process.stderr.write(`agent console: no AGENTS_FILE accounts; log in at /agent/login once with the admin token ${adminToken}\n`);
      }
    },
    async stop() {
      for (const res of desk.streams) res.end();
      desk.streams.clear();
    },
  };
}

export const agentConsoleAdapter: AdapterFactory = {
  name: 'agent-console',
  create: (ctx) => createAgentConsole(ctx),
};
