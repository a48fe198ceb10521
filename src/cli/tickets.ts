// `privacy-bot tickets ...`: the support team's view of rights requests.

import type { Command } from 'commander';
import type { Bot } from '../bot.ts';
import { BotError } from '../errors.ts';
import type { TicketEvent, TicketRecord } from '../store/store.ts';
import { TICKET_STATUSES } from '../store/store.ts';
import { isTicketStatus } from '../tickets/ticket-service.ts';

function statusOption(value: string): string {
  if (!isTicketStatus(value)) throw new BotError('invalid_input', `unknown status "${value}"; one of ${TICKET_STATUSES.join(', ')}`);
  return value;
}

export function ticketJson(t: TicketRecord, events?: TicketEvent[]) {
  return {
    id: t.id,
    type: t.type,
    tenant: t.tenant,
    channel: t.channel,
    requester: t.requester,
    contact: t.contactMasked,
    details: t.details,
    clauses: t.clauses,
    status: t.status,
    dueDate: t.dueDate,
    deadlineSource: t.deadlineSource,
    policyStatesDeadline: t.deadlineSource === 'policy',
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    ...(events && { events: events.map((e) => ({ at: e.at.toISOString(), actor: e.actor, from: e.from, to: e.to, note: e.note })) }),
  };
}

export function registerTicketCommands(program: Command, openBot: () => Promise<Bot>): void {
  const tickets = program.command('tickets').description('list, show and update rights-request tickets');

  const withBot = async (work: (bot: Bot) => Promise<void>) => {
    const bot = await openBot();
    try {
      await work(bot);
    } finally {
      await bot.close();
    }
  };

  tickets
    .command('list')
    .description('tickets, newest first')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--status <status>', `only this status (${TICKET_STATUSES.join(', ')})`, statusOption)
    .option('--json', 'print a JSON array')
    .action((opts: { tenant?: string; status?: string; json?: boolean }) =>
      withBot(async (bot) => {
        if (opts.tenant) bot.assistant.kb.tenants.find((t) => t.id === opts.tenant) ?? unknownTenant(bot, opts.tenant);
        const list = await bot.engine.tickets.list({ tenant: opts.tenant, status: opts.status as TicketRecord['status'] | undefined });
        if (opts.json) return console.log(JSON.stringify(list.map((t) => ticketJson(t)), null, 2));
        if (list.length === 0) return console.log('no tickets');
        for (const t of list) console.log(`${t.id.padEnd(18)} ${t.tenant.padEnd(10)} ${t.status.padEnd(18)} due ${t.dueDate}  ${t.contactMasked}`);
      }),
    );

  tickets
    .command('show')
    .description('one ticket with its audit log')
    .argument('<id>', 'ticket id, e.g. DEL-20261122-0001')
    .option('--json', 'print JSON')
    .option('--reveal-contact', 'print the decrypted contact and details (for identity verification)')
    .action((id: string, opts: { json?: boolean; revealContact?: boolean }) =>
      withBot(async (bot) => {
        const ticket = await bot.engine.tickets.get(id);
        if (!ticket) throw new BotError('not_found', `no ticket ${id}`);
        const events = await bot.engine.tickets.events(ticket.id);
        const json = ticketJson(ticket, events);
        if (opts.revealContact) {
          json.contact = bot.engine.tickets.revealContact(ticket).value;
          json.details = bot.engine.tickets.revealDetails(ticket);
        } else json.details = Object.fromEntries(Object.entries(json.details).filter(([k]) => !k.endsWith('.sealed')));
        if (opts.json) return console.log(JSON.stringify(json, null, 2));
        console.log(`${json.id}  ${json.type}  ${json.tenant}  ${json.status}`);
        console.log(`due ${json.dueDate}${json.policyStatesDeadline ? '' : ' (the policy states no deadline; tenant default)'}`);
        console.log(`requester ${json.channel}:${json.requester}  contact ${json.contact}`);
        for (const [k, v] of Object.entries(json.details)) console.log(`${k}: ${v}`);
        for (const c of json.clauses) console.log(`rests on ${c.policyId} ${c.number} ${c.title}`);
        for (const e of json.events ?? []) console.log(`${e.at}  ${e.actor}  ${e.from ?? '-'} -> ${e.to}${e.note ? `  "${e.note}"` : ''}`);
      }),
    );

  tickets
    .command('update')
    .description('move a ticket along submitted -> verifying_identity -> in_progress -> completed | rejected')
    .argument('<id>', 'ticket id')
    .requiredOption('--status <status>', 'the new status', statusOption)
    .option('--note <note>', 'why (required to reject)')
    .option('--by <agent>', 'who makes the change', 'cli')
    .option('--json', 'print the updated ticket as JSON')
    .action((id: string, opts: { status: string; note?: string; by: string; json?: boolean }) =>
      withBot(async (bot) => {
        const updated = await bot.engine.tickets.transition(id, opts.status as TicketRecord['status'], { actor: `agent:${opts.by}`, note: opts.note ?? null, at: new Date() });
        if (opts.json) console.log(JSON.stringify(ticketJson(updated, await bot.engine.tickets.events(updated.id)), null, 2));
        else console.log(`${updated.id} is now ${updated.status}`);
      }),
    );
}

function unknownTenant(bot: Bot, tenant: string): never {
  throw new BotError('unknown_tenant', `Unknown tenant "${tenant}". Known tenants: ${bot.assistant.tenantIds().join(', ')}.`);
}
