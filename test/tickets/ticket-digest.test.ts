// The daily digest with an injected clock on a real SQLite store: nothing before 09:00 China
// time, one outbox row per desk and day however many instances run it, the tickets due within
// 3 days or overdue; the Slack rendering of it.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDigest } from '../../adapters/slack/ticket-card.ts';
import { openBot, type Bot } from '../../src/bot.ts';
import { loadConfig } from '../../src/config.ts';
import type { TicketRecord } from '../../src/tickets/ticket.ts';
import { TicketDigest } from '../../src/tickets/ticket-digest.ts';
import { openAssistant, tempDir } from '../helpers/assistant.ts';

const clock = { now: new Date('2026-12-01T00:30:00Z') }; // 08:30 in Shanghai
let bot: Bot;

beforeAll(async () => {
  bot = await openBot(loadConfig({ DATA_DIR: tempDir() }), pino({ level: 'silent' }), { assistant: await openAssistant(), clock: () => clock.now });
});
afterAll(async () => {
  await bot?.close();
});

async function file(dueInDays: number, tag: string): Promise<TicketRecord> {
  const { ticket } = await bot.engine.tickets.create({
    type: 'delete_data',
    tenant: 'giantkone',
    channel: 'wechat',
    requester: `wechat:${tag}`,
    conversationRef: `wechat:giantkone:${tag}`,
    contact: { kind: 'mobile', value: '13812345678' },
    details: { scope: '全部' },
    clauses: [],
    deadline: { deadline: { days: dueInDays, unit: 'calendar' }, source: 'tenant_default', timeZone: 'Asia/Shanghai' },
    language: 'zh',
    originKey: `digest-test|${tag}`,
    at: clock.now,
  });
  return ticket;
}

describe('daily ticket digest', () => {
  it('queues one digest per desk and day from 09:00, whatever the number of instances', async () => {
    const soon = await file(2, 'soon');
    const later = await file(10, 'later');
    bot.engine.tickets.registerDesk('slack');
    const instance = () => new TicketDigest({ tickets: bot.engine.tickets, store: bot.store, clock: () => clock.now, timeZoneOf: () => 'Asia/Shanghai', logger: pino({ level: 'silent' }) });
    expect(await instance().runOnce()).toBe(0);

    clock.now = new Date('2026-12-01T01:05:00Z'); // 09:05 in Shanghai
    expect(await Promise.all([instance().runOnce(), instance().runOnce(), instance().runOnce()]).then((n) => n.reduce((a, b) => a + b))).toBe(1);
    const rows = await bot.store.listOutbox({ target: 'tickets:slack' });
    const digests = rows.filter((r) => r.dedupeKey.includes(':digest:'));
    expect(digests.map((r) => [r.dedupeKey, r.payload])).toEqual([
      ['tickets:slack:digest:2026-12-01', { type: 'digest', day: '2026-12-01', ticketIds: [soon.id], withinDays: 3 }],
    ]);
    expect(JSON.stringify(digests)).not.toContain(later.id);

    // The next day gets its own.
    clock.now = new Date('2026-12-02T02:00:00Z');
    expect(await instance().runOnce()).toBe(1);
  });

  it('renders the digest for Slack: overdue marked, soonest first as given', () => {
    const t = (id: string, dueDate: string) => ({ id, type: 'delete_data', tenant: 'acme', status: 'in_progress', dueDate }) as TicketRecord;
    const message = renderDigest('2026-12-02', [t('DEL-20261101-0001', '2026-12-01'), t('DEL-20261120-0002', '2026-12-04')], 3, { acme: 'Acme' });
    expect(message.text).toBe('Tickets due within 3 days or overdue, 2026-12-02: 2');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('`DEL-20261101-0001` Deletion · Acme · in_progress · due 2026-12-01 *overdue*');
    expect(text).toContain('`DEL-20261120-0002` Deletion · Acme · in_progress · due 2026-12-04"');
    expect(JSON.stringify(renderDigest('2026-12-02', [], 3, {}).blocks)).toContain('Nothing due');
  });
});
