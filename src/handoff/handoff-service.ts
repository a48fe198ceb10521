// The rules of a handoff: who may move it where, what the user and the agents are told, and
// that every move is one atomic store change (state, audit events, outbox rows together).
// Desks call take / relayFromAgent / handBack / close; the conversation engine calls escalate,
// relayFromUser and cancelByUser inside a turn; a timer calls sweepTimeouts; the outbox worker
// calls deliveryFailed.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OutboundReply, QuickReply } from '../conversation/types.ts';
import { say } from '../conversation/templates.ts';
import { BotError } from '../errors.ts';
import type { OutboxDraft, OutboxItem } from '../outbox/types.ts';
import type { HandoffChange, Store } from '../store/store.ts';
import { maskContactsInText } from '../tickets/contact.ts';
import { changedNotification, deskTarget, escalatedNotification, type DeskNotification } from './agent-desk.ts';
import { describeBusinessHours, isWithinBusinessHours, type BusinessHours } from './business-hours.ts';
import { OPEN_HANDOFF_STATES, type Agent, type Handoff, type HandoffEvent, type HandoffReason, type HandoffState, type TranscriptLine } from './types.ts';

/** What the service needs to know of a tenant. */
export interface HandoffTenant {
  id: string;
  businessHours?: BusinessHours;
}

/** Counts for the metrics (src/server/metrics.ts implements it). */
export interface HandoffObserver {
  escalated(tenant: string, reason: HandoffReason, outcome: 'waiting' | 'outside_hours'): void;
  /** Seconds from the escalation to the take-over. */
  taken(tenant: string, seconds: number): void;
  /** Seconds from the escalation to the agent's first message. */
  firstAgentReply(tenant: string, seconds: number): void;
}

/**
 * The conversation side of the user's return to the bot, implemented by the engine: the
 * replies that resume (or cancel) a form paused by the handoff, and a commit that saves the
 * conversation once the hand-back is recorded.
 */
export interface BotResumer {
  prepare(handoff: Handoff, resumeForm: boolean): Promise<{ replies: OutboundReply[]; commit(): Promise<void> }>;
}

export interface HandoffServiceOptions {
  store: Store;
  logger: Logger;
  clock?: () => Date;
  /** A waiting chat nobody took within this many minutes times out (HANDOFF_TAKE_TIMEOUT_MINUTES). */
  takeTimeoutMinutes: number;
  newId?: () => string;
}

export interface EscalationRequest {
  tenant: HandoffTenant;
  channel: string;
  conversationRef: string;
  userRef: string;
  language: 'zh' | 'en';
  reason: HandoffReason;
  /** The last messages of the conversation, contacts masked, oldest first (the desks show them). */
  lastMessages: TranscriptLine[];
}

export type EscalationResult =
  | { status: 'waiting' | 'already_open'; handoff: Handoff; replies: OutboundReply[] }
  | { status: 'outside_hours'; handoff: Handoff; replies: OutboundReply[] };

/** Why an agent's action did not happen; `ownerName` says who owns the chat when that is the reason. */
export type AgentRefusal = { ok: false; reason: 'not_found' | 'taken' | 'not_owner' | 'not_open'; state?: HandoffState; ownerName?: string | null };
export type AgentResult = { ok: true; handoff: Handoff; duplicate?: boolean } | AgentRefusal;

const MAX_AGENT_TEXT = 2000;

export class HandoffService {
  readonly #desks: string[] = [];
  readonly #observers: HandoffObserver[] = [];
  readonly #queuedListeners: (() => void)[] = [];
  #resumer: BotResumer | null = null;
  readonly #clock: () => Date;
  readonly #newId: () => string;

  constructor(private readonly options: HandoffServiceOptions) {
    this.#clock = options.clock ?? (() => new Date());
    this.#newId = options.newId ?? (() => `hof-${randomUUID()}`);
  }

  get takeTimeoutMinutes(): number {
    return this.options.takeTimeoutMinutes;
  }

  /** From now on, escalations and changes queue notifications for this desk. */
  registerDesk(desk: { name: string }): void {
    if (!this.#desks.includes(desk.name)) this.#desks.push(desk.name);
  }

  get desks(): readonly string[] {
    return this.#desks;
  }

  observe(observer: HandoffObserver): void {
    this.#observers.push(observer);
  }

  /** Called after every change that queued outbox rows (the worker's wake()). */
  onQueued(listener: () => void): void {
    this.#queuedListeners.push(listener);
  }

  setResumer(resumer: BotResumer): void {
    this.#resumer = resumer;
  }

  get(id: string): Promise<Handoff | null> {
    return this.options.store.getHandoff(id);
  }

  events(id: string): Promise<HandoffEvent[]> {
    return this.options.store.handoffEvents(id);
  }

  openFor(tenant: string, channel: string, conversationRef: string): Promise<Handoff | null> {
    return this.options.store.openHandoff(tenant, channel, conversationRef);
  }

  /** Open handoffs, and the others changed within `recentHours`, newest first. */
  async listOpenAndRecent(recentHours = 24, tenant?: string): Promise<Handoff[]> {
    const since = new Date(this.#clock().getTime() - recentHours * 3_600_000);
    const [open, recent] = await Promise.all([
      this.options.store.listHandoffs({ tenant, states: OPEN_HANDOFF_STATES }),
      this.options.store.listHandoffs({ tenant, updatedSince: since }),
    ]);
    const seen = new Set<string>();
    return [...open, ...recent]
      .filter((h) => !seen.has(h.id) && seen.add(h.id))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  }

  // The user's side (called by the engine inside a turn) ---------------------------------------

  /**
   * Asks for a person. Within business hours a waiting handoff is created and the desks are
   * told; outside them the escalation is recorded as closed at once and the user is offered
   * a follow-up ticket. A conversation already waiting or owned keeps its handoff.
   */
  async escalate(request: EscalationRequest): Promise<EscalationResult> {
    const { store } = this.options;
    const { tenant, language } = request;
    const open = await store.openHandoff(tenant.id, request.channel, request.conversationRef);
    if (open) return { status: 'already_open', handoff: open, replies: [reply(say(language, 'handoffAlreadyWaiting'), [option(say(language, 'option.cancel'))])] };

    const now = this.#clock();
    const withinHours = isWithinBusinessHours(tenant.businessHours, now);
    const handoff: Handoff = {
      id: this.#newId(),
      tenant: tenant.id,
      channel: request.channel,
      conversationRef: request.conversationRef,
      userRef: request.userRef,
      language,
      reason: request.reason,
      state: withinHours ? 'waiting_agent' : 'closed',
      ownerId: null,
      ownerName: null,
      createdAt: now,
      updatedAt: now,
      takenAt: null,
      firstAgentReplyAt: null,
      endedAt: withinHours ? null : now,
      userUnreachable: false,
    };
    const escalated: HandoffEvent = { handoffId: handoff.id, type: 'escalated', actor: `user:${request.userRef}`, at: now, note: request.reason };
    if (!withinHours) {
      const closed: HandoffEvent = { handoffId: handoff.id, type: 'closed', actor: 'system', at: now, note: 'outside_business_hours' };
      await store.createHandoff(handoff, [escalated, closed], []);
      for (const o of this.#observers) o.escalated(tenant.id, request.reason, 'outside_hours');
      this.options.logger.info({ handoffId: handoff.id, tenant: tenant.id, reason: request.reason }, 'escalation outside business hours');
      const hours = tenant.businessHours ? describeBusinessHours(tenant.businessHours, language) : '';
      return { status: 'outside_hours', handoff, replies: [reply(say(language, 'handoffOutsideHours', { hours }), [option(say(language, 'option.followUp'))])] };
    }
    const lastMessages = request.lastMessages.map((l) => ({ ...l, text: maskContactsInText(l.text) }));
    const outbox = this.#toDesks(handoff, 'escalated', escalatedNotification(handoff.id, lastMessages));
    const created = await store.createHandoff(handoff, [escalated], outbox);
    if (!created.created) {
      return { status: 'already_open', handoff: created.handoff, replies: [reply(say(language, 'handoffAlreadyWaiting'), [option(say(language, 'option.cancel'))])] };
    }
    for (const o of this.#observers) o.escalated(tenant.id, request.reason, 'waiting');
    this.#queued(outbox);
    this.options.logger.info({ handoffId: handoff.id, tenant: tenant.id, channel: handoff.channel, reason: request.reason, desks: this.#desks }, 'escalated');
    return {
      status: 'waiting',
      handoff,
      replies: [{ kind: 'handoff', text: say(language, 'handoffWaiting', { minutes: this.options.takeTimeoutMinutes }), citations: [], quickReplies: [option(say(language, 'option.cancel'))] }],
    };
  }

  /**
   * The user wrote while waiting or owned: the message (contacts masked) goes to the desks.
   * Returns the replies the user gets, if any: none normally; a ticket offer when an earlier
   * agent message could not reach them.
   */
  async relayFromUser(handoff: Handoff, message: { messageId: string; text: string }): Promise<{ replies: OutboundReply[] }> {
    const now = this.#clock();
    const text = maskContactsInText(message.text);
    const event: HandoffEvent = { handoffId: handoff.id, type: 'relayed_to_agent', actor: `user:${handoff.userRef}`, at: now, note: null };
    const outbox = this.#toDesks(handoff, `user:${message.messageId}`, { type: 'user_message', handoffId: handoff.id, messageId: message.messageId, text, at: now.toISOString() });
    const result = await this.#change({
      handoffId: handoff.id,
      expect: { states: OPEN_HANDOFF_STATES },
      set: { updatedAt: now, ...(handoff.userUnreachable && { userUnreachable: false }) },
      events: [event],
      outbox,
      ...(outbox[0] && { dedupeKey: outbox[0].dedupeKey }),
    });
    if (result.outcome !== 'applied' || !handoff.userUnreachable) return { replies: [] };
    return { replies: [reply(say(handoff.language, 'handoffUndelivered'), [option(say(handoff.language, 'option.followUp'))])] };
  }

  /**
   * The user leaves the handoff: "取消" while waiting (`cancelled_by_user`), or accepting the
   * follow-up ticket offered after an undeliverable agent message (`follow_up_ticket`). The
   * chat returns to the bot and the desks are told. False when it changed meanwhile.
   */
  async leave(handoff: Handoff, note: 'cancelled_by_user' | 'follow_up_ticket'): Promise<boolean> {
    const now = this.#clock();
    const event: HandoffEvent = { handoffId: handoff.id, type: 'closed', actor: `user:${handoff.userRef}`, at: now, note };
    const result = await this.#change({
      handoffId: handoff.id,
      expect: { states: note === 'cancelled_by_user' ? ['waiting_agent'] : OPEN_HANDOFF_STATES },
      set: { state: 'bot', endedAt: now, updatedAt: now, userUnreachable: false },
      events: [event],
      outbox: this.#toDesks(handoff, note, changedNotification(event)),
    });
    return result.outcome === 'applied';
  }

  // The agent's side (called by desks) --------------------------------------------------------

  /** Takes a waiting chat. A second agent is refused with the owner's name; the owner clicking again is fine. */
  async take(handoffId: string, agent: Agent): Promise<AgentResult> {
    const now = this.#clock();
    const current = await this.get(handoffId);
    if (!current) return { ok: false, reason: 'not_found' };
    const event: HandoffEvent = { handoffId, type: 'taken', actor: `agent:${agent.id}`, at: now, note: null };
    const joined = say(current.language, 'handoffTaken', { agent: agent.name });
    const result = await this.#change({
      handoffId,
      expect: { states: ['waiting_agent'] },
      set: { state: 'agent', ownerId: agent.id, ownerName: agent.name, takenAt: now, updatedAt: now },
      events: [event],
      outbox: [
        this.#toUser(current, 'taken', [reply(joined)]),
        ...this.#toDesks(current, 'taken', changedNotification(event)),
      ],
      transcript: [{ tenant: current.tenant, channel: current.channel, conversationRef: current.conversationRef, userRef: current.userRef, direction: 'out', text: joined, at: now }],
    });
    if (result.outcome === 'applied') {
      const seconds = (now.getTime() - result.handoff.createdAt.getTime()) / 1000;
      for (const o of this.#observers) o.taken(result.handoff.tenant, seconds);
      this.options.logger.info({ handoffId, tenant: current.tenant, agent: agent.id }, 'handoff taken');
      return { ok: true, handoff: result.handoff };
    }
    return this.#refusal(result.handoff, agent, 'taken');
  }

  /**
   * The owner's message to the user. Idempotent per `messageId` (the desk's id of the agent's
   * message): a redelivered event or a double click relays nothing more.
   */
  async relayFromAgent(handoffId: string, agent: Agent, message: { messageId: string; text: string }): Promise<AgentResult> {
    const text = message.text.trim();
    if (!text) throw new BotError('invalid_input', 'An empty message cannot be relayed.');
    if (text.length > MAX_AGENT_TEXT) throw new BotError('invalid_input', `A message may have at most ${MAX_AGENT_TEXT} characters.`);
    const current = await this.get(handoffId);
    if (!current) return { ok: false, reason: 'not_found' };
    const now = this.#clock();
    const shown = say(current.language, 'handoffAgentMessage', { agent: agent.name, text });
    const toUser = this.#toUser(current, `agent:${message.messageId}`, [{ kind: 'agent', text: shown, citations: [], quickReplies: [] }]);
    const result = await this.#change({
      handoffId,
      expect: { states: ['agent'], ownerId: agent.id },
      set: { firstAgentReplyAt: now, updatedAt: now },
      events: [{ handoffId, type: 'relayed_to_user', actor: `agent:${agent.id}`, at: now, note: null }],
      outbox: [toUser],
      transcript: [
        { tenant: current.tenant, channel: current.channel, conversationRef: current.conversationRef, userRef: current.userRef, direction: 'out', text: maskContactsInText(shown), at: now },
      ],
      dedupeKey: toUser.dedupeKey,
    });
    if (result.outcome === 'duplicate') return { ok: true, handoff: result.handoff, duplicate: true };
    if (result.outcome === 'applied') {
      if (!current.firstAgentReplyAt) {
        const seconds = (now.getTime() - current.createdAt.getTime()) / 1000;
        for (const o of this.#observers) o.firstAgentReply(current.tenant, seconds);
      }
      return { ok: true, handoff: result.handoff };
    }
    return this.#refusal(result.handoff, agent, 'not_owner');
  }

  /**
   * Returns the chat to the bot, with an optional note for the user. A form the handoff
   * interrupted resumes (`resumeForm`, the default) or is cancelled; the user is told.
   */
  async handBack(handoffId: string, agent: Agent, options: { note?: string | null; resumeForm?: boolean } = {}): Promise<AgentResult> {
    const current = await this.get(handoffId);
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.state !== 'agent' || current.ownerId !== agent.id) return this.#refusal(current, agent, 'not_owner');
    const note = options.note?.trim() || null;
    const now = this.#clock();
    const { language } = current;
    const resumed = await this.#resumer?.prepare(current, options.resumeForm ?? true);
    const replies = [reply(say(language, 'handoffHandedBack')), ...(note ? [reply(say(language, 'handoffNote', { note }))] : []), ...(resumed?.replies ?? [])];
    const event: HandoffEvent = { handoffId, type: 'handed_back', actor: `agent:${agent.id}`, at: now, note: note === null ? null : maskContactsInText(note).slice(0, 500) };
    const result = await this.#change({
      handoffId,
      expect: { states: ['agent'], ownerId: agent.id },
      set: { state: 'bot', endedAt: now, updatedAt: now },
      events: [event],
      outbox: [this.#toUser(current, 'handed_back', replies), ...this.#toDesks(current, 'handed_back', changedNotification(event))],
      transcript: replies.map((r) => ({ tenant: current.tenant, channel: current.channel, conversationRef: current.conversationRef, userRef: current.userRef, direction: 'out' as const, text: maskContactsInText(r.text), at: now })),
    });
    if (result.outcome !== 'applied') return this.#refusal(result.handoff, agent, 'not_owner');
    await resumed?.commit();
    this.options.logger.info({ handoffId, tenant: current.tenant, agent: agent.id }, 'handed back');
    return { ok: true, handoff: result.handoff };
  }

  /** Ends the chat politely. A waiting chat any agent may close; an owned one only its owner. */
  async close(handoffId: string, agent: Agent, note?: string | null): Promise<AgentResult> {
    const current = await this.get(handoffId);
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.state === 'agent' && current.ownerId !== agent.id) return this.#refusal(current, agent, 'not_owner');
    if (current.state !== 'agent' && current.state !== 'waiting_agent') return this.#refusal(current, agent, 'not_open');
    const now = this.#clock();
    const resumed = await this.#resumer?.prepare(current, false);
    const replies = [reply(say(current.language, 'handoffClosed')), ...(resumed?.replies ?? [])];
    const event: HandoffEvent = { handoffId, type: 'closed', actor: `agent:${agent.id}`, at: now, note: note?.trim() ? maskContactsInText(note.trim()).slice(0, 500) : null };
    const result = await this.#change({
      handoffId,
      expect: { states: [current.state], ...(current.state === 'agent' && { ownerId: agent.id }) },
      set: { state: 'closed', endedAt: now, updatedAt: now },
      events: [event],
      outbox: [this.#toUser(current, 'closed', replies), ...this.#toDesks(current, 'closed', changedNotification(event))],
      transcript: replies.map((r) => ({ tenant: current.tenant, channel: current.channel, conversationRef: current.conversationRef, userRef: current.userRef, direction: 'out' as const, text: r.text, at: now })),
    });
    if (result.outcome !== 'applied') return this.#refusal(result.handoff, agent, 'not_open');
    await resumed?.commit();
    return { ok: true, handoff: result.handoff };
  }

  // Timers and failures -------------------------------------------------------------------------

  /** Closes chats that waited longer than the take timeout; the user is offered a follow-up ticket. */
  async sweepTimeouts(): Promise<number> {
    const now = this.#clock();
    const cutoff = now.getTime() - this.options.takeTimeoutMinutes * 60_000;
    const waiting = await this.options.store.listHandoffs({ states: ['waiting_agent'] });
    let timedOut = 0;
    for (const handoff of waiting.filter((h) => h.createdAt.getTime() <= cutoff)) {
      const event: HandoffEvent = { handoffId: handoff.id, type: 'timed_out', actor: 'system', at: now, note: null };
      const text = say(handoff.language, 'handoffTimedOut');
      const result = await this.#change({
        handoffId: handoff.id,
        expect: { states: ['waiting_agent'] },
        set: { state: 'closed', endedAt: now, updatedAt: now },
        events: [event],
        outbox: [this.#toUser(handoff, 'timed_out', [reply(text, [option(say(handoff.language, 'option.followUp'))])]), ...this.#toDesks(handoff, 'timed_out', changedNotification(event))],
        transcript: [{ tenant: handoff.tenant, channel: handoff.channel, conversationRef: handoff.conversationRef, userRef: handoff.userRef, direction: 'out', text, at: now }],
      });
      if (result.outcome === 'applied') {
        timedOut++;
        this.options.logger.info({ handoffId: handoff.id, tenant: handoff.tenant }, 'handoff timed out');
      }
    }
    return timedOut;
  }

  /** Runs the timeout sweep every `intervalMs`; returns a stop function. */
  startSweep(intervalMs = 30_000): () => void {
    const run = () => void this.sweepTimeouts().catch((err: unknown) => this.options.logger.error({ err }, 'handoff timeout sweep failed'));
    const timer = setInterval(run, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * An outbox row of a handoff was given up on. A message for the user: the handoff records
   * delivery_failed, the agents are told, and the user's next message brings a ticket offer.
   */
  async deliveryFailed(item: OutboxItem, reason: string): Promise<void> {
    if (!item.handoffId || item.target.startsWith('desk:')) return;
    const handoff = await this.get(item.handoffId);
    if (!handoff) return;
    const now = this.#clock();
    const event: HandoffEvent = { handoffId: handoff.id, type: 'delivery_failed', actor: 'system', at: now, note: reason };
    const outbox = this.#toDesks(handoff, `failed:${item.id}`, changedNotification(event));
    await this.#change({
      handoffId: handoff.id,
      expect: { states: ['bot', 'waiting_agent', 'agent', 'closed'] },
      set: { userUnreachable: true, updatedAt: now },
      events: [event],
      outbox,
      ...(outbox[0] && { dedupeKey: outbox[0].dedupeKey }),
    });
    this.options.logger.warn({ handoffId: handoff.id, tenant: handoff.tenant, outboxId: item.id, reason }, 'handoff message undeliverable');
  }

  // Internals -------------------------------------------------------------------------------------

  async #change(change: HandoffChange): Promise<Awaited<ReturnType<Store['changeHandoff']>>> {
    const result = await this.options.store.changeHandoff(change);
    if (result.outcome === 'applied') this.#queued(change.outbox);
    return result;
  }

  #queued(outbox: OutboxDraft[]): void {
    if (outbox.length > 0) for (const listener of this.#queuedListeners) listener();
  }

  #toDesks(handoff: Handoff, key: string, notification: DeskNotification): OutboxDraft[] {
    return this.#desks.map((desk) => ({
      target: deskTarget(desk),
      conversationRef: handoff.id,
      payload: notification,
      dedupeKey: `${handoff.id}:${key}:desk:${desk}`,
      tenant: handoff.tenant,
      handoffId: handoff.id,
    }));
  }

  #toUser(handoff: Handoff, key: string, replies: OutboundReply[]): OutboxDraft {
    return {
      target: handoff.channel,
      conversationRef: handoff.conversationRef,
      payload: replies,
      dedupeKey: `${handoff.id}:${key}:user`,
      tenant: handoff.tenant,
      handoffId: handoff.id,
    };
  }

  #refusal(handoff: Handoff | null, agent: Agent, fallback: AgentRefusal['reason']): AgentResult {
    if (!handoff) return { ok: false, reason: 'not_found' };
    if (handoff.state === 'agent' && handoff.ownerId === agent.id && fallback === 'taken') return { ok: true, handoff, duplicate: true };
    if (handoff.state === 'agent' && handoff.ownerId !== agent.id) return { ok: false, reason: fallback === 'not_open' ? 'not_owner' : fallback, state: handoff.state, ownerName: handoff.ownerName };
    return { ok: false, reason: 'not_open', state: handoff.state, ownerName: handoff.ownerName };
  }
}

function reply(text: string, quickReplies: QuickReply[] = []): OutboundReply {
  return { kind: 'handoff', text, citations: [], quickReplies };
}

function option(text: string): QuickReply {
  return { label: text, value: text };
}
