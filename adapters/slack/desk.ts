// The Slack agent desk (SLACK_AGENT_CHANNEL): escalated chats as cards in the agent channel,
// the user's messages in each card's thread, and the agents' actions back to the core.
// It shows through the AgentDesk methods (called by the outbox, retried on failure, so each
// is idempotent: the card is re-rendered from the handoff as it is now) and acts through the
// HandoffService, whose atomic changes decide who wins a double or concurrent click and whose
// outbox dedupe keys (the Slack message's channel:ts) stop a redelivered reply from being
// relayed twice.
//
// Hand-back with a note is a thread message, `handback: note` (see desk-parse.ts), rather than
// a modal: it needs no views.open round trip and stays in the thread's history for the team.

import type { Logger } from 'pino';
import type { AgentDesk } from '../../src/handoff/agent-desk.ts';
import type { AgentResult, HandoffService } from '../../src/handoff/handoff-service.ts';
import type { Agent, Handoff, HandoffEvent, TranscriptLine } from '../../src/handoff/types.ts';
import { BotError, isBotError } from '../../src/errors.ts';
import type { Metrics } from '../../src/server/metrics.ts';
import type { Store } from '../../src/store/store.ts';
import type { AgentAccess } from './agent-access.ts';
import type { SlackDeskApi } from './desk-api.ts';
import { parseHandbackCommand, type AgentThreadMessage, type DeskActionPress, type SlackActor } from './desk-parse.ts';
import { CARD_LINES, refusalText, renderCard, renderThreadNotice, renderUserMessage, type RefusalReason } from './desk-render.ts';
import { CHANNEL_NAME } from './parse.ts';

export const DESK_NAME = 'slack';

export interface SlackAgentDeskOptions {
  agentChannel: string;
  api: SlackDeskApi;
  access: AgentAccess;
  handoffs: HandoffService;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  tenantNames: Record<string, string>;
}

/** The desk reference of a card: channel and ts, so moving the agent channel never mixes threads. */
const cardRef = (channel: string, ts: string): string => `${channel}:${ts}`;

function parseCardRef(ref: string): { channel: string; ts: string } | null {
  const match = /^([A-Z0-9]+):(\d+\.\d+)$/.exec(ref);
  return match ? { channel: match[1]!, ts: match[2]! } : null;
}

export class SlackAgentDesk implements AgentDesk {
  readonly name = DESK_NAME;

  constructor(private readonly options: SlackAgentDeskOptions) {}

  // Showing (called by the outbox) --------------------------------------------------------------

  /**
   * Posts the card, or updates it when a retry finds it posted. A crash between the post and
   * storing its ts would post a second card on the retry: the outbox is at least once.
   */
  async escalated(handoff: Handoff, lastMessages: TranscriptLine[]): Promise<void> {
    const card = renderCard(handoff, lastMessages, this.#tenantName(handoff));
    const existing = await this.#card(handoff);
    if (existing) return this.options.api.update(existing.channel, existing.ts, card);
    const ts = await this.options.api.post(this.options.agentChannel, card);
    await this.options.store.setHandoffDeskRef(handoff.id, this.name, cardRef(this.options.agentChannel, ts));
    this.options.logger.info({ handoffId: handoff.id, tenant: handoff.tenant, cardTs: ts }, 'slack desk: escalation posted');
  }

  async userMessage(handoff: Handoff, message: { messageId: string; text: string; at: Date }): Promise<void> {
    const card = await this.#card(handoff);
    if (!card) {
      // Escalated before this desk was configured: its agents never saw the chat.
      this.options.logger.debug({ handoffId: handoff.id }, 'slack desk: user message of a handoff without a card');
      return;
    }
    await this.options.api.post(card.channel, renderUserMessage(message.text), card.ts);
  }

  async changed(handoff: Handoff, event: HandoffEvent): Promise<void> {
    const card = await this.#card(handoff);
    if (!card) {
      // Escalated before this desk was configured: nothing to update.
      this.options.logger.debug({ handoffId: handoff.id, event: event.type }, 'slack desk: change of a handoff without a card');
      return;
    }
    await this.options.api.update(card.channel, card.ts, renderCard(handoff, await this.#escalationLines(handoff), this.#tenantName(handoff)));
    const notice = renderThreadNotice(handoff, event);
    if (notice) await this.options.api.post(card.channel, notice, card.ts);
  }

  // Acting (called by the Slack channel for interactions and agent-channel events) ---------------

  /** A press of Take over / Close / Hand back. Returns once the core has recorded it. */
  async press(press: DeskActionPress): Promise<{ followUp(): Promise<void> }> {
    const log = { slackUser: press.actor.userId, handoffId: press.handoffId, action: press.action };
    if (press.channel !== this.options.agentChannel) {
      this.options.logger.warn(log, 'slack desk: desk button pressed outside the agent channel; ignored');
      return { followUp: async () => undefined };
    }
    if (!(await this.#mayAct(press.actor, log))) return { followUp: () => this.#refuse(press.channel, press.actor.userId, press.threadTs, 'not_agent') };
    const agent: Agent = { id: agentId(press.actor.userId), name: press.actor.name ?? press.actor.userId };
    const { handoffs } = this.options;
    let result: AgentResult;
    switch (press.action) {
      case 'take':
        result = await handoffs.take(press.handoffId, agent);
        break;
      case 'close':
        result = await handoffs.close(press.handoffId, agent);
        break;
      case 'handBack':
        result = await handoffs.handBack(press.handoffId, agent, { resumeForm: true });
        break;
    }
    this.options.logger.info({ ...log, ok: result.ok, ...(!result.ok && { refused: result.reason }) }, 'slack desk: action');
    if (result.ok) return { followUp: async () => undefined };
    return { followUp: () => this.#refuseResult(press.channel, press.actor.userId, press.threadTs, result) };
  }

  /**
   * A reply in a card's thread: the owner's message to the user, or `handback: note`. Returns
   * once the core has recorded it (so the event can be acknowledged); a store failure throws
   * a BotError 'storage_failed', and Slack redelivers the event.
   */
  async agentMessage(message: AgentThreadMessage): Promise<{ followUp(): Promise<void> }> {
    try {
      return await this.#agentMessage(message);
    } catch (error) {
      // Anything that kept the message from being recorded: Slack gets a 500 and redelivers it.
      if (isBotError(error, 'storage_failed')) throw error;
      throw new BotError('storage_failed', 'An agent message was not recorded.', { cause: error });
    }
  }

  async #agentMessage(message: AgentThreadMessage): Promise<{ followUp(): Promise<void> }> {
    const { handoffs, store, logger } = this.options;
    const handoff = await store.findHandoffByDeskRef(this.name, cardRef(message.channel, message.threadTs));
    if (!handoff) {
      logger.debug({ slackUser: message.actor.userId }, 'slack desk: a thread that is no escalation; ignored');
      return { followUp: async () => undefined };
    }
    const log = { slackUser: message.actor.userId, handoffId: handoff.id, action: 'message' };
    if (!(await this.#mayAct(message.actor, log))) return { followUp: () => this.#refuse(message.channel, message.actor.userId, message.threadTs, 'not_agent') };
    const id = agentId(message.actor.userId);
    const agent: Agent = { id, name: handoff.ownerId === id && handoff.ownerName ? handoff.ownerName : message.actor.userId };
    const handback = parseHandbackCommand(message.text);
    let result: AgentResult;
    try {
      result = handback
        ? await handoffs.handBack(handoff.id, agent, handback)
        : await handoffs.relayFromAgent(handoff.id, agent, { messageId: message.messageId, text: message.text });
    } catch (error) {
      if (isBotError(error, 'invalid_input')) {
        const text = error.message;
        return { followUp: () => this.#ephemeral(message.channel, message.actor.userId, text, message.threadTs) };
      }
      throw new BotError('storage_failed', `The agent's message in handoff ${handoff.id} was not recorded.`, { cause: error });
    }
    logger.info({ ...log, action: handback ? 'handBack' : 'relay', ok: result.ok, ...(result.ok ? { duplicate: result.duplicate === true } : { refused: result.reason }) }, 'slack desk: agent message');
    if (result.ok) return { followUp: async () => undefined };
    return { followUp: () => this.#refuseResult(message.channel, message.actor.userId, message.threadTs, result) };
  }

  // Internals ------------------------------------------------------------------------------------

  async #mayAct(actor: SlackActor, log: Record<string, unknown>): Promise<boolean> {
    let allowed: boolean;
    try {
      allowed = await this.options.access.isAgent(actor.userId);
    } catch (error) {
      this.options.logger.error({ ...log, code: isBotError(error) ? error.code : 'unexpected', slackError: (error as { slackError?: string }).slackError }, 'slack desk: member lookup failed; action refused');
      allowed = false;
    }
    if (!allowed) {
      this.options.metrics.rejected(CHANNEL_NAME, 'not_agent');
      this.options.logger.warn(log, 'slack desk: action by someone who is not an agent refused');
    }
    return allowed;
  }

  #refuseResult(channel: string, user: string, threadTs: string, result: Exclude<AgentResult, { ok: true }>): Promise<void> {
    const reason: RefusalReason = result.state === 'waiting_agent' && result.reason !== 'taken' ? 'take_first' : result.reason;
    return this.#refuse(channel, user, threadTs, reason, result.ownerName);
  }

  #refuse(channel: string, user: string, threadTs: string, reason: RefusalReason, ownerName?: string | null): Promise<void> {
    return this.#ephemeral(channel, user, refusalText(reason, ownerName), threadTs);
  }

  /** Ephemeral notes are a courtesy: a failure is logged, never retried. */
  async #ephemeral(channel: string, user: string, text: string, threadTs: string): Promise<void> {
    try {
      await this.options.api.postEphemeral(channel, user, text, threadTs);
    } catch (error) {
      this.options.logger.warn({ slackUser: user, slackError: (error as { slackError?: string }).slackError ?? 'unknown_error' }, 'slack desk: ephemeral note not delivered');
    }
  }

  async #card(handoff: Handoff): Promise<{ channel: string; ts: string } | null> {
    const ref = await this.options.store.handoffDeskRef(handoff.id, this.name);
    return ref ? parseCardRef(ref) : null;
  }

  /** The card's transcript, re-read from the store (already masked) up to the escalation. */
  async #escalationLines(handoff: Handoff): Promise<TranscriptLine[]> {
    const entries = await this.options.store.transcript(handoff.tenant, handoff.channel, handoff.conversationRef);
    return entries
      .filter((e) => e.at.getTime() <= handoff.createdAt.getTime())
      .slice(-CARD_LINES)
      .map((e) => ({ direction: e.direction, text: e.text, at: e.at }));
  }

  #tenantName(handoff: Handoff): string {
    return this.options.tenantNames[handoff.tenant] ?? handoff.tenant;
  }
}

/** A Slack user's agent id, stable across desks: "slack:U123". */
export function agentId(slackUserId: string): string {
  return `${CHANNEL_NAME}:${slackUserId}`;
}
