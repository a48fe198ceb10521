import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR, loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { parsePolicy } from '../../src/knowledge/parser.ts';
import { ContactCipher, maskContact, maskContactsInText, parseContact } from '../../src/tickets/contact.ts';
import { chinaDay, dueDate, extractResponseDeadline, parseSmallNumber } from '../../src/tickets/deadline.ts';

describe('contacts', () => {
  it.each([
    ['13812345678', { kind: 'mobile', value: '13812345678' }],
    ['+86 138-1234-5678', { kind: 'mobile', value: '13812345678' }],
    ['我的手机是 138 1234 5678。', { kind: 'mobile', value: '13812345678' }],
    ['Name.Surname@Example.COM', { kind: 'email', value: 'name.surname@example.com' }],
    ['邮箱：li@example.cn', { kind: 'email', value: 'li@example.cn' }],
  ])('reads %s', (text, expected) => {
    expect(parseContact(text)).toEqual(expected);
  });

  it.each(['12812345678', '1381234567', '138123456789', 'abc@', '@example.com', 'a@b', '不想给', ''])('refuses %s', (text) => {
    expect(parseContact(text)).toBeNull();
  });

  it('masks for display and in free text', () => {
    expect(maskContact({ kind: 'mobile', value: '13812345678' })).toBe('138****5678');
    expect(maskContact({ kind: 'email', value: 'alice@example.com' })).toBe('a***@example.com');
    expect(maskContactsInText('call 13812345678 or mail alice@example.com')).toBe('call 138****5678 or mail a***@example.com');
  });

  it('encrypts with authenticated encryption and refuses another key', () => {
    const key = randomBytes(32);
    const cipher = new ContactCipher(key);
    const sealed = cipher.encrypt({ kind: 'mobile', value: '13812345678' });
    expect(sealed).not.toContain('13812345678');
    expect(sealed).not.toBe(cipher.encrypt({ kind: 'mobile', value: '13812345678' }));
    expect(cipher.decrypt(sealed)).toEqual({ kind: 'mobile', value: '13812345678' });
    expect(() => new ContactCipher(randomBytes(32)).decrypt(sealed)).toThrow(/key differs/);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => cipher.decrypt(tampered)).toThrow();
    expect(() => new ContactCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('deadlines', () => {
  it('parses the small numbers deadlines are written with', () => {
    expect([parseSmallNumber('15'), parseSmallNumber('十五'), parseSmallNumber('三十'), parseSmallNumber('十'), parseSmallNumber('二十五'), parseSmallNumber('七')]).toEqual([15, 15, 30, 10, 25, 7]);
  });

  it('reads each bundled tenant’s response time from its policy', () => {
    const kb = loadKnowledgeBase(DEFAULT_KNOWLEDGE_DIR);
    const of = (tenant: string) => {
      const ids = new Set(kb.policies.filter((p) => p.tenant === tenant).map((p) => p.id));
      const d = extractResponseDeadline(kb.clauses.filter((c) => ids.has(c.policyId)));
      return d && { days: d.days, unit: d.unit };
    };
    expect(of('giantkone')).toEqual({ days: 30, unit: 'calendar' });
    expect(of('changlian')).toEqual({ days: 15, unit: 'calendar' });
    expect(of('qiancheng')).toEqual({ days: 15, unit: 'working' });
    expect(of('smarthw')).toBeNull();
  });

  it('prefers a sentence about requests over other deadlines, and reads English', () => {
    const policy = ['1. 安全事件', '发生安全事件后，我们将在3日内完成处置。', '2. 您的权利', '对于您的请求，我们将在二十个工作日内答复。'].join('\n');
    const zh = extractResponseDeadline(parsePolicy(policy, { policyId: 'p' }));
    expect(zh && { days: zh.days, unit: zh.unit }).toEqual({ days: 20, unit: 'working' });
    const en = extractResponseDeadline(parsePolicy('1. Your rights\nWe will respond to your request within 10 business days.', { policyId: 'e' }));
    expect(en && { days: en.days, unit: en.unit }).toEqual({ days: 10, unit: 'working' });
  });

  it('counts calendar days, or working days skipping weekends, from the day in China time (holidays: calendar.test.ts)', () => {
    expect(chinaDay(new Date('2026-11-21T17:00:00Z'))).toBe('2026-11-22');
    expect(dueDate(new Date('2026-11-22T02:00:00Z'), { days: 30, unit: 'calendar' })).toBe('2026-12-22');
    // Friday → 15 working days → Friday three weeks later.
    expect(dueDate(new Date('2026-11-20T02:00:00Z'), { days: 15, unit: 'working' })).toBe('2026-12-11');
    // Saturday and Sunday count nothing.
    expect(dueDate(new Date('2026-11-21T02:00:00Z'), { days: 1, unit: 'working' })).toBe('2026-11-23');
    expect(dueDate(new Date('2026-11-22T02:00:00Z'), { days: 1, unit: 'working' })).toBe('2026-11-23');
  });
});
