// Prometheus metrics (prom-client), one registry per server so tests can run several.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TenantTicketStats } from '../tickets/ticket-stats.ts';
import type { TurnResult } from '../conversation/types.ts';
import type { HandoffObserver } from '../handoff/handoff-service.ts';
import type { HandoffReason } from '../handoff/types.ts';

/** Waits measured in seconds, from a few seconds to a few hours. */
const WAIT_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

export class Metrics implements HandoffObserver {
  readonly registry = new Registry();
  readonly messagesIn = new Counter({ name: 'privacy_bot_messages_in_total', help: 'Inbound messages by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly messagesOut = new Counter({ name: 'privacy_bot_messages_out_total', help: 'Replies sent by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly replies = new Counter({ name: 'privacy_bot_replies_total', help: 'Replies by kind (answer, refusal, form, ticket, ...)', labelNames: ['kind'], registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'privacy_bot_duplicate_messages_total', help: 'Redelivered messages ignored', labelNames: ['channel'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'privacy_bot_turn_seconds',
    help: 'Time from an inbound message to its replies',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4.5, 10],
    registers: [this.registry],
  });
  readonly ticketsCreated = new Counter({ name: 'privacy_bot_tickets_created_total', help: 'Rights-request tickets filed', labelNames: ['tenant', 'type'], registers: [this.registry] });
  readonly webhookRejections = new Counter({
    name: 'privacy_bot_webhook_rejections_total',
    help: 'Webhook requests refused (bad signature, stale, malformed, too large, ...)',
    labelNames: ['channel', 'reason'],
    registers: [this.registry],
  });
  readonly deferredTurns = new Counter({
    name: 'privacy_bot_deferred_turns_total',
    help: 'Turns queued past MAX_TURNS_IN_FLIGHT (answered late)',
    labelNames: ['channel'],
    registers: [this.registry],
  });

  readonly escalations = new Counter({
    name: 'privacy_bot_handoff_escalations_total',
    help: 'Chats escalated to a person, by tenant, reason and outcome (waiting, outside_hours)',
    labelNames: ['tenant', 'reason', 'outcome'],
    registers: [this.registry],
  });
  readonly timeToTake = new Histogram({
    name: 'privacy_bot_handoff_time_to_take_seconds',
    help: 'From escalation to an agent taking the chat, by tenant',
    labelNames: ['tenant'],
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly timeToFirstAgentReply = new Histogram({
    name: 'privacy_bot_handoff_time_to_first_agent_reply_seconds',
    help: "From escalation to the agent's first message, by tenant",
    labelNames: ['tenant'],
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly outboxFailures = new Counter({
    name: 'privacy_bot_outbox_failures_total',
    help: 'Pushed messages given up on, by target and reason',
    labelNames: ['target', 'reason'],
    registers: [this.registry],
  });

  #ticketStats: (() => Promise<TenantTicketStats[]>) | null = null;
  /** Read from the store at each scrape, so changes made by the CLI or another instance count too. */
  readonly ticketsOpen = this.#ticketGauge('privacy_bot_tickets_open', 'Open rights-request tickets per tenant', (s) => s.open);
  readonly ticketsOverdue = this.#ticketGauge('privacy_bot_tickets_overdue', 'Open tickets past their due date (tenant time zone) per tenant', (s) => s.overdue);
  readonly ticketTimeToClose = this.#ticketGauge(
    'privacy_bot_ticket_time_to_close_seconds',
    'Mean seconds from filing to completed or rejected, per tenant',
    (s) => s.meanSecondsToClose,
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where the ticket gauges read their figures (the server sets it). */
  setTicketStats(source: () => Promise<TenantTicketStats[]>): void {
    this.#ticketStats = source;
  }

  #ticketGauge(name: string, help: string, pick: (s: TenantTicketStats) => number | null): Gauge<'tenant'> {
    const metrics = this;
    return new Gauge({
      name,
      help,
      labelNames: ['tenant'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const s of (await metrics.#ticketStats?.()) ?? []) {
          const value = pick(s);
          if (value !== null) this.set({ tenant: s.tenant }, value);
        }
      },
    });
  }

  escalated(tenant: string, reason: HandoffReason, outcome: 'waiting' | 'outside_hours'): void {
    this.escalations.inc({ tenant, reason, outcome });
  }

  taken(tenant: string, seconds: number): void {
    this.timeToTake.observe({ tenant }, seconds);
  }

  firstAgentReply(tenant: string, seconds: number): void {
    this.timeToFirstAgentReply.observe({ tenant }, seconds);
  }

  observeTurn(channel: string, tenant: string, result: TurnResult, seconds: number): void {
    this.messagesIn.inc({ channel });
    if (result.duplicate) {
      this.duplicates.inc({ channel });
      return;
    }
    this.latency.observe({ channel }, seconds);
    for (const reply of result.replies) this.replies.inc({ kind: reply.kind });
    if (result.ticketId) this.ticketsCreated.inc({ tenant, type: result.intent });
  }

  /** Adapters count what they actually delivered (a reply may be split or sent later). */
  sent(channel: string, count = 1): void {
    this.messagesOut.inc({ channel }, count);
  }

  deferred(channel: string): void {
    this.deferredTurns.inc({ channel });
  }

  rejected(channel: string, reason: string): void {
    this.webhookRejections.inc({ channel, reason });
  }
}
