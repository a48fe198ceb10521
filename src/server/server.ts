// One HTTP server for every webhook and the web chat. It enforces what every route needs
// (body limit, JSON errors, in-flight tracking for graceful shutdown) and serves /healthz
// and /metrics; the channels bring their own routes.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bot } from '../bot.ts';
import type { AdapterContext, AdapterFactory, ChannelAdapter, HttpRequest, Route } from '../channels/channel.ts';
import type { InboundMessage } from '../conversation/types.ts';
import { BotError } from '../errors.ts';
import { Admission, type Release } from './admission.ts';
import { Metrics } from './metrics.ts';
import { watchKnowledge } from '../knowledge/knowledge-watch.ts';
import { deskDeliverer, deskTarget, type AgentDesk } from '../handoff/agent-desk.ts';
import { channelDeliverer } from '../outbox/channel-delivery.ts';
import { ticketDeskDeliverer, ticketDeskTarget, type TicketDesk } from '../tickets/ticket-desk.ts';
import { TicketDigest } from '../tickets/ticket-digest.ts';
import { ticketStats, type TenantTicketStats } from '../tickets/ticket-stats.ts';
import { OutboxWorker } from '../outbox/outbox-worker.ts';
import type { HandoffService } from '../handoff/handoff-service.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  metrics: Metrics;
  adapters: ChannelAdapter[];
  /** Delivers pushed messages (agents' replies, desk notifications); tests may run it by hand. */
  outbox: OutboxWorker;
  /** The handoff service desks act through. */
  handoffs: HandoffService;
  /** Stops accepting, finishes in-flight requests and messages, stops channels, closes storage. */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function matches(route: Route, method: string, path: string): boolean {
  if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) return false;
  return typeof route.path === 'string' ? route.path === path : route.path.test(path);
}

export async function startServer(
  bot: Bot,
  factories: AdapterFactory[],
  options: {
    port?: number;
    host?: string;
    /** Reload the knowledge when its directory changes. */
    watchKnowledge?: boolean;
    outboxIntervalMs?: number;
    handoffSweepIntervalMs?: number;
    /** How often the daily ticket digest checks whether it is due (default 15 minutes). */
    ticketDigestIntervalMs?: number;
    /** The outbox's clock; tests pass the one they gave openBot, so queued rows fall due on it. */
    clock?: () => Date;
  } = {},
): Promise<RunningServer> {
  const { config, engine, store, logger } = bot;
  const metrics = new Metrics();
  metrics.registry.registerMetric(bot.assistant.modelOutcomes);
  const tenants = bot.assistant.tenantIds();
  const tenantNames: Record<string, string> = Object.fromEntries(bot.assistant.kb.tenants.map((t) => [t.id, t.name]));
  // The channels hold these two; a reload updates them in place so new tenants are served.
  bot.onReload?.((assistant) => {
    tenants.splice(0, tenants.length, ...assistant.tenantIds());
    for (const id of Object.keys(tenantNames)) delete tenantNames[id];
    for (const t of assistant.kb.tenants) tenantNames[t.id] = t.name;
  });
  const stopWatch = options.watchKnowledge ? watchKnowledgeAndDate(config.knowledgeDir, bot) : () => undefined;
  const inFlight = new Set<Promise<unknown>>();

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const admission = new Admission(config.admission.maxTurnsInFlight, config.admission.maxQueuedTurns);
  const dispatch = async (message: InboundMessage, options: { whenBusy?: 'refuse' | 'queue' } = {}) => {
    let release: Release | null = admission.tryAcquire();
    if (!release && options.whenBusy === 'queue') {
      const waiting = admission.acquire();
      if (waiting) {
        metrics.deferred(message.channel);
        release = await track(waiting);
      }
    }
    if (!release) {
      metrics.rejected(message.channel, 'busy');
      throw new BotError('busy', 'too many messages in flight; retry shortly');
    }
    try {
      const started = performance.now();
      const result = await track(engine.handle(message));
      metrics.observeTurn(message.channel, message.tenant, result, (performance.now() - started) / 1000);
      return result;
    } finally {
      release();
    }
  };

  // The durable outbox: pushed messages go out through the adapters' send() and the desks.
  const outbox = new OutboxWorker({ store, logger: logger.child({ component: 'outbox' }), clock: options.clock });
  const handoffs = engine.handoffs;
  handoffs.observe(metrics);
  handoffs.onQueued(() => outbox.wake());
  // Ticket notifications: queued here by the desks and the console, by a CLI in another process via the store (polled).
  engine.tickets.onQueued(() => outbox.wake());
  outbox.onFailure(async (item, reason) => {
    metrics.outboxFailures.inc({ target: item.target, reason });
    await handoffs.deliveryFailed(item, reason);
  });
  const registerDesk = (desk: AgentDesk) => {
    handoffs.registerDesk(desk);
    outbox.register(deskTarget(desk.name), deskDeliverer(desk, store));
  };
  // Ticket gauges: one store read per scrape, shared by the gauges that ask at once.
  let statsInFlight: Promise<TenantTicketStats[]> | null = null;
  metrics.setTicketStats(() =>
    (statsInFlight ??= engine.tickets
      .list()
      .then((all) => ticketStats(all, (options.clock ?? (() => new Date()))(), (tenant) => engine.timeZoneOf(tenant)))
      .finally(() => (statsInFlight = null))),
  );
  const registerTicketDesk = (desk: TicketDesk) => {
    engine.tickets.registerDesk(desk.name);
    outbox.register(ticketDeskTarget(desk.name), ticketDeskDeliverer(desk, (id) => engine.tickets.get(id)));
  };

  const adapters: ChannelAdapter[] = [];
  for (const factory of factories) {
    const load = () => admission.load();
    const context: AdapterContext = { config, engine, store, logger: logger.child({ channel: factory.name }), metrics, tenants, tenantNames, dispatch, load, track, deriveKey: bot.deriveKey, registerDesk, registerTicketDesk };
    const created = await factory.create(context);
    if ('disabled' in created) logger.info({ channel: factory.name }, `${factory.name} channel off: ${created.disabled}`);
    else adapters.push(created);
  }
  for (const adapter of adapters) {
    if (adapter.send) outbox.register(adapter.name, channelDeliverer({ send: (ref, replies, delivery) => adapter.send!(ref, replies, delivery) }));
  }

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/healthz',
      async handle(_req, res) {
        const checks = { storage: 'ok', index: bot.assistant.index.tenants.size > 0 ? 'ok' : 'empty' };
        try {
          await store.ping();
        } catch {
          checks.storage = 'unreachable';
        }
        const healthy = checks.storage === 'ok' && checks.index === 'ok';
        sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'unhealthy', ...checks, store: store.kind, tenants: tenants.length, channels: adapters.map((a) => a.name) });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      async handle(_req, res) {
        sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
      },
    },
    ...adapters.flatMap((a) => a.routes?.() ?? []),
  ];

  let closing = false;
  const server = createServer((req, res) => {
    const work = (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const route = routes.find((r) => matches(r, method, url.pathname));
      if (!route) {
        const pathKnown = routes.some((r) => (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)));
        return sendJson(res, pathKnown ? 405 : 404, { error: pathKnown ? 'method not allowed' : 'not found' });
      }
      if (closing) return sendJson(res, 503, { error: 'shutting down' });
      let body: Buffer;
      const limit = Math.min(route.maxBodyBytes ?? MAX_BODY_BYTES, MAX_BODY_BYTES);
      try {
        body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, limit);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          metrics.rejected(channelOf(url.pathname), 'too_large');
          res.setHeader('connection', 'close');
          return sendJson(res, 413, { error: `body larger than ${limit} bytes` });
        }
        throw error;
      }
      const request: HttpRequest = { raw: req, method, path: url.pathname, query: url.searchParams, headers: req.headers, body };
      await route.handle(request, res);
    })().catch((error: unknown) => {
      logger.error({ err: error, path: req.url?.split('?')[0] }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
    void track(work);
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.server.port, options.host ?? config.server.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  for (const adapter of adapters) await adapter.start?.();
  const stopRetention = engine.startRetention();
  outbox.start(options.outboxIntervalMs ?? 1000);
  const stopSweep = handoffs.startSweep(options.handoffSweepIntervalMs ?? 30_000);
  const digest = new TicketDigest({
    tickets: engine.tickets,
    store,
    clock: options.clock ?? (() => new Date()),
    timeZoneOf: (tenant) => engine.timeZoneOf(tenant),
    logger: logger.child({ component: 'ticket-digest' }),
    onQueued: () => outbox.wake(),
  });
  const stopDigest = digest.start(options.ticketDigestIntervalMs);
  logger.info({ port, channels: adapters.map((a) => a.name), store: store.kind }, 'server listening');

  let closed: Promise<void> | null = null;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    metrics,
    adapters,
    outbox,
    handoffs,
    close() {
      closed ??= (async () => {
        closing = true;
        stopRetention();
        stopDigest();
        stopWatch();
        stopSweep();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Finish what was already accepted (requests, messages, late deliveries).
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        await outbox.stop();
        for (const adapter of adapters) await adapter.stop?.();
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        server.closeAllConnections();
        await stopped;
        await bot.close();
        logger.info('server stopped');
      })();
      return closed;
    },
  };
}

/**
 * Reloads on changes to the knowledge directory, and hourly, so a version whose effective
 * date arrives comes into force without a restart (a reload that changes nothing swaps nothing).
 */
function watchKnowledgeAndDate(dir: string, bot: Bot): () => void {
  const reload = () => void bot.reload?.();
  const stop = watchKnowledge(dir, reload);
  const timer = setInterval(reload, 3_600_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    stop();
  };
}

/** The channel a path belongs to, for metrics: /wechat/x → wechat, /api/web/... → web. */
function channelOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts[1]) return parts[1];
  return parts[0] ?? 'web';
}
