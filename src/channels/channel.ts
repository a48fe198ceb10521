// The one small interface between the core and a channel. An adapter turns its platform's
// payloads into InboundMessages, hands them to `dispatch`, and renders the replies; it may
// serve HTTP routes on the shared server and may run a long-lived client (wechaty).
// Nothing in src/ imports an adapter or a platform SDK (test/architecture.test.ts); the
// composition root (src/cli/serve.ts) is the one place that assembles them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { ConversationEngine } from '../conversation/engine.ts';
import type { InboundMessage, OutboundReply, TurnResult } from '../conversation/types.ts';
import type { Store } from '../store/store.ts';
import type { Metrics } from '../server/metrics.ts';
import type { TicketDesk } from '../tickets/ticket-desk.ts';
import type { AgentDesk } from '../handoff/agent-desk.ts';

export interface HttpRequest {
  raw: IncomingMessage;
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The raw body (empty for GET); the server has already refused bodies over the limit. */
  body: Buffer;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Exact path, or a pattern whose named groups the handler may read. */
  path: string | RegExp;
  /** A smaller body limit than the server's (1 MB): larger bodies get 413 before they are read. */
  maxBodyBytes?: number;
  handle(request: HttpRequest, response: ServerResponse): Promise<void> | void;
}

export interface ChannelAdapter {
  readonly name: string;
  /** HTTP routes served on the shared server. */
  routes?(): Route[];
  /** Starts long-lived clients (a wechaty bot); called after the server listens. */
  start?(): Promise<void>;
  /** Stops accepting new work and finishes in-flight messages. */
  stop?(): Promise<void>;
  /**
   * Delivers replies to a conversation outside a request (late answers, agents' messages
   * through the outbox). Throw BotError 'recipient_unreachable' when retrying cannot help
   * (WeChat 45015); any other error is retried with backoff.
   */
  send?(conversationRef: string, replies: OutboundReply[], delivery?: Delivery): Promise<void>;
}

/** What the outbox knows of a push: its dedupe key and when it was queued (a channel may dedupe on them). */
export interface Delivery {
  key: string;
  at: Date;
}

export interface AdapterContext {
  config: Config;
  engine: ConversationEngine;
  store: Store;
  /** A child logger bound to the channel. */
  logger: Logger;
  metrics: Metrics;
  /** Tenant ids the knowledge base serves. */
  tenants: string[];
  /** A 32-byte key for `purpose`, derived from the encryption key (the same on every instance). */
  deriveKey(purpose: string): Buffer;
  /** Display names of the tenants, by id (e.g. giantkone → 巨人通力). */
  tenantNames: Record<string, string>;
  /**
   * Hands a message to the core, counting it in the metrics. Past the cap on turns in flight
   * (MAX_TURNS_IN_FLIGHT) it rejects with BotError code 'busy' at once, or with
   * `whenBusy: 'queue'` waits for a slot (and rejects 'busy' only when the queue is full too).
   */
  dispatch(message: InboundMessage, options?: { whenBusy?: 'refuse' | 'queue' }): Promise<TurnResult>;
  /**
   * What a turn arriving now would meet: a free slot, a wait for one ('busy': a webhook can
   * acknowledge first), or a full queue ('full': dispatch would reject even with 'queue').
   */
  load(): 'free' | 'busy' | 'full';
  /**
   * Registers work that outlives its request (a reply delivered later through an API), so
   * a graceful shutdown waits for it.
   */
  track<T>(work: Promise<T>): Promise<T>;
  /**
   * Plugs an agent desk in (src/handoff/agent-desk.ts): escalations and handoff changes are
   * queued for it in the durable outbox and delivered to its methods. It acts through
   * `engine.handoffs` (take, relayFromAgent, handBack, close).
   */
  registerDesk(desk: AgentDesk): void;
  /** Plugs a ticket desk in (src/tickets/ticket-desk.ts): new tickets are announced to it through the outbox. */
  registerTicketDesk(desk: TicketDesk): void;
}

/** Builds an adapter, or says which settings switch it on. */
export interface AdapterFactory {
  name: string;
  create(context: AdapterContext): ChannelAdapter | { disabled: string } | Promise<ChannelAdapter | { disabled: string }>;
}
