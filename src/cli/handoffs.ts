// `privacy-bot handoffs list`: the chats handed to people, open ones and recent ones, with
// their audit events. Ids only: no message text, no contacts.

import type { Command } from 'commander';
import type { Bot } from '../bot.ts';
import { BotError } from '../errors.ts';
import type { Handoff, HandoffEvent } from '../handoff/types.ts';

export function handoffJson(h: Handoff, events: HandoffEvent[]) {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: h.id,
    tenant: h.tenant,
    channel: h.channel,
    conversationRef: h.conversationRef,
    userRef: h.userRef,
    language: h.language,
    reason: h.reason,
    state: h.state,
    owner: h.ownerId ? { id: h.ownerId, name: h.ownerName } : null,
    createdAt: iso(h.createdAt),
    updatedAt: iso(h.updatedAt),
    takenAt: iso(h.takenAt),
    firstAgentReplyAt: iso(h.firstAgentReplyAt),
    endedAt: iso(h.endedAt),
    userUnreachable: h.userUnreachable,
    events: events.map((e) => ({ type: e.type, actor: e.actor, at: e.at.toISOString(), note: e.note })),
  };
}

export function registerHandoffCommands(program: Command, openBot: () => Promise<Bot>): void {
  const handoffs = program.command('handoffs').description('chats handed to support agents');
  handoffs
    .command('list')
    .description('open handoffs and those changed recently, newest first, with their audit events')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--hours <n>', 'how far back "recent" goes', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 24 * 366) throw new BotError('invalid_input', '--hours must be a whole number from 1 to 8784');
      return n;
    }, 24)
    .option('--json', 'print a JSON array')
    .action(async (opts: { tenant?: string; hours: number; json?: boolean }) => {
      const bot = await openBot();
      try {
        if (opts.tenant && !bot.assistant.kb.tenants.some((t) => t.id === opts.tenant)) {
          throw new BotError('unknown_tenant', `Unknown tenant "${opts.tenant}". Known tenants: ${bot.assistant.tenantIds().join(', ')}.`);
        }
        const list = await bot.engine.handoffs.listOpenAndRecent(opts.hours, opts.tenant);
        const rows = await Promise.all(list.map(async (h) => handoffJson(h, await bot.engine.handoffs.events(h.id))));
        if (opts.json) return console.log(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return console.log('no handoffs');
        for (const h of rows) {
          console.log(`${h.id}  ${h.tenant}  ${h.channel}  ${h.state.padEnd(13)} ${h.reason.padEnd(15)} ${h.createdAt}${h.owner ? `  owner ${h.owner.name}` : ''}`);
          for (const e of h.events) console.log(`    ${e.at}  ${e.type.padEnd(16)} ${e.actor}${e.note ? `  (${e.note})` : ''}`);
        }
      } finally {
        await bot.close();
      }
    });
}
