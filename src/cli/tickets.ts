// `privacy-bot tickets ...`: the support team's view of rights requests.

import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Bot } from '../bot.ts';
import { BotError } from '../errors.ts';
import { DEFAULT_TIME_ZONE } from '../tickets/calendar.ts';
import { ticketJson, ticketsCsv } from '../tickets/export.ts';
import { TICKET_STATUSES, type TicketClause, type TicketRecord } from '../tickets/ticket.ts';
import { isTicketStatus } from '../tickets/ticket-service.ts';

export { ticketJson } from '../tickets/export.ts';

/** Who runs the command, for the audit trail when --by is not given. */
function operator(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

function sinceOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new BotError('invalid_input', `--since must be a date YYYY-MM-DD (got "${value}")`);
  }
  return value;
}

/** Midnight of a day in a time zone, as an instant (the export counts days where the tenants are). */
function startOfDay(day: string, timeZone: string): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(utcMidnight);
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(parts.find((p) => p.type === 'timeZoneName')?.value ?? '');
  const minutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  return new Date(utcMidnight.getTime() - minutes * 60_000);
}

function statusOption(value: string): string {
  if (!isTicketStatus(value)) throw new BotError('invalid_input', `unknown status "${value}"; one of ${TICKET_STATUSES.join(', ')}`);
  return value;
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
    .option('--reveal-contact', 'print the decrypted contact and details (for identity verification); recorded in the access log')
    .option('--by <agent>', 'who reveals (recorded in the access log); default: the OS user')
    .action((id: string, opts: { json?: boolean; revealContact?: boolean; by?: string }) =>
      withBot(async (bot) => {
        const { tickets } = bot.engine;
        const ticket = await tickets.get(id);
        if (!ticket) throw new BotError('not_found', `no ticket ${id}`);
        if (opts.revealContact) {
          if (ticket.purgedAt) throw new BotError('invalid_input', `${ticket.id}'s personal data was purged on ${ticket.purgedAt.toISOString()}; nothing to reveal.`);
          // Audited before anything is shown: a reveal that printed is a reveal on record.
          await bot.store.recordTicketAccess({ ticketId: ticket.id, at: new Date(), actor: `agent:${opts.by ?? operator()}`, action: 'reveal_contact' });
        }
        const json = ticketJson(ticket, { events: await tickets.events(ticket.id), access: await bot.store.ticketAccessLog(ticket.id) });
        if (opts.revealContact) {
          json.contact = tickets.revealContact(ticket).value;
          json.details = tickets.revealDetails(ticket);
        }
        if (opts.json) return console.log(JSON.stringify(json, null, 2));
        console.log(`${json.id}  ${json.type}  ${json.tenant}  ${json.status}`);
        console.log(`due ${json.dueDate}${json.policyStatesDeadline ? '' : ' (the policy states no deadline; tenant default)'}`);
        console.log(`requester ${json.channel}:${json.requester}  contact ${json.contact}`);
        for (const [k, v] of Object.entries(json.details)) console.log(`${k}: ${v}`);
        for (const c of json.clauses) console.log(`rests on ${c.policyId} ${c.number} ${c.title}`);
        if (json.identityVerified) console.log(`identity verified (${json.verificationMethod})`);
        if (json.rejection) console.log(`rejected: ${json.rejection.reason}${json.rejection.clause ? ` (${json.rejection.clause.policyId} ${json.rejection.clause.number})` : ''}`);
        for (const e of json.events ?? []) console.log(`${e.at}  ${e.actor}  ${e.from ?? '-'} -> ${e.to}${e.note ? `  "${e.note}"` : ''}`);
        for (const a of json.accessLog ?? []) console.log(`${a.at}  ${a.actor}  ${a.action}`);
      }),
    );

  tickets
    .command('export')
    .description('tickets with their audit trail, masked, for the record')
    .requiredOption('--format <format>', 'csv or json', (value: string) => {
      if (value !== 'csv' && value !== 'json') throw new BotError('invalid_input', `--format must be csv or json (got "${value}")`);
      return value;
    })
    .option('--since <date>', 'only tickets filed on or after this day (YYYY-MM-DD, China time)', sinceOption)
    .option('--tenant <tenant>', 'only this tenant')
    .action((opts: { format: 'csv' | 'json'; since?: string; tenant?: string }) =>
      withBot(async (bot) => {
        if (opts.tenant) bot.assistant.kb.tenants.find((t) => t.id === opts.tenant) ?? unknownTenant(bot, opts.tenant);
        const { tickets } = bot.engine;
        const list = await tickets.list({ tenant: opts.tenant, since: opts.since ? startOfDay(opts.since, DEFAULT_TIME_ZONE) : undefined });
        const rows = [];
        for (const t of list.reverse()) rows.push(ticketJson(t, { events: await tickets.events(t.id), access: await bot.store.ticketAccessLog(t.id) }));
        process.stdout.write(opts.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : ticketsCsv(rows));
      }),
    );

  tickets
    .command('update')
    .description('move a ticket along submitted -> verifying_identity -> in_progress -> completed | rejected')
    .argument('<id>', 'ticket id')
    .requiredOption('--status <status>', 'the new status', statusOption)
    .option('--note <note>', 'why (required to reject: the reason the requester is given)')
    .option('--clause <clauseId>', 'the policy clause a rejection rests on, e.g. giantkone-rules#8.3')
    .option('--by <agent>', 'who makes the change', 'cli')
    .option('--json', 'print the updated ticket as JSON')
    .action((id: string, opts: { status: string; note?: string; clause?: string; by: string; json?: boolean }) =>
      withBot(async (bot) => {
        const { tickets } = bot.engine;
        let rejectionClause: TicketClause | null = null;
        if (opts.clause) {
          if (opts.status !== 'rejected') throw new BotError('invalid_input', '--clause goes with --status rejected.');
          const ticket = await tickets.get(id);
          const policies = new Set(bot.assistant.kb.policies.filter((p) => p.tenant === ticket?.tenant).map((p) => p.id));
          const clause = bot.assistant.kb.clauses.find((c) => c.clauseId === opts.clause && policies.has(c.policyId));
          if (!clause) throw new BotError('invalid_input', `No clause "${opts.clause}" in ${ticket?.tenant ?? 'that tenant'}'s policies (ids look like giantkone-rules#8.3; see privacy-bot search --json).`);
          rejectionClause = { policyId: clause.policyId, clauseId: clause.clauseId, number: clause.number, title: clause.title };
        }
        const updated = await tickets.transition(id, opts.status as TicketRecord['status'], { actor: `agent:${opts.by}`, note: opts.note ?? null, at: new Date(), rejectionClause });
        if (opts.json) console.log(JSON.stringify(ticketJson(updated, { events: await tickets.events(updated.id) }), null, 2));
        else console.log(`${updated.id} is now ${updated.status}`);
      }),
    );
}

function unknownTenant(bot: Bot, tenant: string): never {
  throw new BotError('unknown_tenant', `Unknown tenant "${tenant}". Known tenants: ${bot.assistant.tenantIds().join(', ')}.`);
}
