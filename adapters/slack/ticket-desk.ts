// The Slack agent channel as a ticket desk: each new ticket is posted there as a card
// (ticket-card.ts). Called by the outbox, which retries on failure: a retry after a post whose
// answer was lost posts the card again (the outbox is at least once).

import type { Logger } from 'pino';
import type { TicketDesk } from '../../src/tickets/ticket-desk.ts';
import type { TicketRecord } from '../../src/tickets/ticket.ts';
import type { SlackDeskApi } from './desk-api.ts';
import { renderTicketCard } from './ticket-card.ts';

export class SlackTicketDesk implements TicketDesk {
  readonly name = 'slack';

  constructor(
    private readonly options: { agentChannel: string; api: Pick<SlackDeskApi, 'post'>; logger: Logger; tenantNames: Record<string, string> },
  ) {}

  async filed(ticket: TicketRecord): Promise<void> {
    const ts = await this.options.api.post(this.options.agentChannel, renderTicketCard(ticket, this.options.tenantNames[ticket.tenant] ?? ticket.tenant));
    this.options.logger.info({ ticketId: ticket.id, tenant: ticket.tenant, cardTs: ts }, 'slack desk: ticket posted');
  }
}
