// The Slack agent channel as a ticket desk: each new ticket is posted there as a card
// (ticket-card.ts). Called by the outbox, which retries on failure: a retry after a post whose
// answer was lost posts the card again (the outbox is at least once).

import type { Logger } from 'pino';
import { isBotError } from '../../src/errors.ts';
import { rejectionReasonText } from '../../src/tickets/rejection-reasons.ts';
import type { TicketDesk } from '../../src/tickets/ticket-desk.ts';
import type { TicketService } from '../../src/tickets/ticket-service.ts';
import type { TicketRecord } from '../../src/tickets/ticket.ts';
import type { AgentAccess } from './agent-access.ts';
import type { SlackDeskApi } from './desk-api.ts';
import { renderDigest, renderTicketCard } from './ticket-card.ts';
import type { TicketPress } from './ticket-desk-parse.ts';

export class SlackTicketDesk implements TicketDesk {
  readonly name = 'slack';

  constructor(
    private readonly options: {
      agentChannel: string;
      api: Pick<SlackDeskApi, 'post' | 'update' | 'postEphemeral'>;
      access: Pick<AgentAccess, 'isAgent'>;
      tickets: TicketService;
      clock: () => Date;
      logger: Logger;
      tenantNames: Record<string, string>;
    },
  ) {}

  async digest(day: string, tickets: TicketRecord[], withinDays: number): Promise<void> {
    const ts = await this.options.api.post(this.options.agentChannel, renderDigest(day, tickets, withinDays, this.options.tenantNames));
    this.options.logger.info({ day, tickets: tickets.length, cardTs: ts }, 'slack desk: ticket digest posted');
  }

  /**
   * A move pressed on a card: the same TicketService.transition as the CLI and the console, so
   * an illegal move is refused alike (told to the agent only). Returns once recorded (the
   * requester's notification is queued with it); `followUp` updates the card or tells the agent why not.
   */
  async press(press: TicketPress): Promise<{ followUp(): Promise<void> }> {
    const { api, access, tickets, logger } = this.options;
    const log = { slackUser: press.actor.userId, ticketId: press.ticketId, to: press.to };
    const tell = (text: string) => ({ followUp: () => api.postEphemeral(press.channel, press.actor.userId, text) });
    if (press.channel !== this.options.agentChannel) {
      logger.warn(log, 'slack desk: ticket button pressed outside the agent channel; ignored');
      return { followUp: async () => undefined };
    }
    const allowed = await access.isAgent(press.actor.userId).catch(() => false);
    if (!allowed) {
      logger.warn(log, 'slack desk: ticket move by a non-agent refused');
      return tell('Only members of the agent channel or group may move tickets.');
    }
    const ticket = await tickets.get(press.ticketId);
    if (!ticket) return tell(`No ticket ${press.ticketId}.`);
    try {
      const note = press.reason ? rejectionReasonText(press.reason, ticket.language) : null;
      const updated = await tickets.transition(ticket.id, press.to, { actor: `slack:${press.actor.userId}`, note, at: this.options.clock() });
      logger.info(log, 'slack desk: ticket moved');
      return { followUp: () => api.update(press.channel, press.messageTs, renderTicketCard(updated, this.#tenantName(updated))) };
    } catch (error) {
      if (!isBotError(error, 'invalid_transition')) throw error;
      logger.info({ ...log, refused: error.code }, 'slack desk: ticket move refused');
      // The card was stale: show the ticket as it is now, so its buttons are the moves still open.
      const current = await tickets.get(ticket.id);
      return {
        followUp: async () => {
          await api.postEphemeral(press.channel, press.actor.userId, error.message);
          if (current) await api.update(press.channel, press.messageTs, renderTicketCard(current, this.#tenantName(current)));
        },
      };
    }
  }

  #tenantName(ticket: TicketRecord): string {
    return this.options.tenantNames[ticket.tenant] ?? ticket.tenant;
  }

  async filed(ticket: TicketRecord): Promise<void> {
    const ts = await this.options.api.post(this.options.agentChannel, renderTicketCard(ticket, this.options.tenantNames[ticket.tenant] ?? ticket.tenant));
    this.options.logger.info({ ticketId: ticket.id, tenant: ticket.tenant, cardTs: ts }, 'slack desk: ticket posted');
  }
}
