// Due dates on the official Chinese calendar (chinese-days): holidays skipped, 调休 make-up
// working weekends counted, days taken in the tenant's time zone. The expected dates were
// counted by hand from the State Council's holiday notices for 2025 and 2026.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { addWorkdays, dayIn, isChineseWorkday } from '../../src/tickets/calendar.ts';
import { dueDate } from '../../src/tickets/deadline.ts';
import { copyKnowledge } from '../helpers/assistant.ts';

const working = (days: number) => ({ days, unit: 'working' as const });

describe('official working days', () => {
  it('knows holidays and make-up working days of 国庆 and 春节 2026', () => {
    // 国庆 2026: 1–7 October off, Saturday 10 October worked (and Sunday 20 September).
    expect(['2026-09-30', '2026-10-01', '2026-10-07', '2026-10-08', '2026-10-10', '2026-10-11'].map(isChineseWorkday)).toEqual([true, false, false, true, true, false]);
    // 春节 2026: 15–23 February off, Saturdays 14 and 28 February worked.
    expect(['2026-02-13', '2026-02-14', '2026-02-15', '2026-02-23', '2026-02-24', '2026-02-28'].map(isChineseWorkday)).toEqual([true, true, false, false, true, true]);
  });

  it('counts 15 working days across 中秋 and 国庆 2026', () => {
    // Thu 24 Sep; 25–27 Sep 中秋 off; 28–30 Sep (3); 1–7 Oct off; 8, 9, Sat 10 Oct (6); 12–16 (11); 19–22 (15).
    expect(dueDate(new Date('2026-09-24T02:00:00Z'), working(15))).toBe('2026-10-22');
    // Monday-to-Friday counting would have said 15 October: a week too early.
    expect(dueDate(new Date('2026-09-24T02:00:00Z'), working(15))).not.toBe('2026-10-15');
  });

  it('counts 15 working days across 春节 2026', () => {
    // Fri 13 Feb; Sat 14 (1); 15–23 off; 24–27 (5); Sat 28 (6); 2–6 Mar (11); 9–12 (15).
    expect(dueDate(new Date('2026-02-13T02:00:00Z'), working(15))).toBe('2026-03-12');
  });

  it('counts a make-up Sunday before 国庆 2025', () => {
    // Fri 26 Sep 2025; Sun 28 Sep worked (1); 29, 30 (3); 1–8 Oct off; 9, 10 Oct (5).
    expect(dueDate(new Date('2025-09-26T02:00:00Z'), working(5))).toBe('2025-10-10');
    expect(addWorkdays('2025-09-30', 1)).toBe('2025-10-09');
  });
});

describe("the tenant's time zone", () => {
  it('takes the day of receipt in the tenant zone (default Asia/Shanghai)', () => {
    const fridayEveningInLosAngeles = new Date('2026-10-09T17:00:00Z'); // Sat 10 Oct 01:00 in Shanghai
    expect(dayIn(fridayEveningInLosAngeles)).toBe('2026-10-10');
    expect(dayIn(fridayEveningInLosAngeles, 'America/Los_Angeles')).toBe('2026-10-09');
    expect(dueDate(fridayEveningInLosAngeles, working(1))).toBe('2026-10-12');
    expect(dueDate(fridayEveningInLosAngeles, working(1), 'America/Los_Angeles')).toBe('2026-10-10');
    expect(dueDate(new Date('2026-11-21T17:00:00Z'), { days: 30, unit: 'calendar' })).toBe('2026-12-22');
    expect(dueDate(new Date('2026-11-21T17:00:00Z'), { days: 30, unit: 'calendar' }, 'Europe/Berlin')).toBe('2026-12-21');
  });

  it('reads a tenant time zone from the manifest and refuses an unknown one', () => {
    const dir = copyKnowledge();
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { tenants: Record<string, unknown>[] };
    expect(loadKnowledgeBase(dir).tenants[0]!.timeZone).toBe('Asia/Shanghai');
    manifest.tenants[0]!.timeZone = 'Asia/Hong_Kong';
    writeFileSync(path, JSON.stringify(manifest));
    expect(loadKnowledgeBase(dir).tenants[0]!.timeZone).toBe('Asia/Hong_Kong');
    manifest.tenants[0]!.timeZone = 'Mars/Olympus';
    writeFileSync(path, JSON.stringify(manifest));
    expect(() => loadKnowledgeBase(dir)).toThrowError(/timeZone must be an IANA time zone/);
    expect(() => loadKnowledgeBase(dir)).toThrow(expect.objectContaining({ code: 'invalid_knowledge' }));
  });
});
