// Rendering is pure: recorded turns from the core (test/fixtures/wechaty/turns.json) in,
// one WeChat text out; a bare number back in picks the quick reply it was shown with.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuickReplyMemory, renderReplies, resolveQuickReply } from '../../../adapters/wechaty/render.ts';
import type { OutboundReply } from '../../../src/conversation/types.ts';

const turns = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/wechaty/turns.json'), 'utf8')) as Record<
  'answerZh' | 'formStartZh' | 'answerEn' | 'formStartEn',
  OutboundReply[]
>;

const plain = (text: string, quickReplies: OutboundReply['quickReplies'] = []): OutboundReply => ({ kind: 'info', text, citations: [], quickReplies });

describe('wechaty: rendering replies', () => {
  it('writes a Chinese answer with one numbered citation line per source', () => {
    const { text, options } = renderReplies(turns.answerZh);
    const lines = text.split('\n');
    const header = lines.indexOf('依据：');
    expect(header).toBeGreaterThan(0);
    expect(lines.slice(header + 1)).toEqual(turns.answerZh[0]!.citations.map((c, i) => expect.stringMatching(new RegExp(`^\\[${i + 1}\\] 《${c.policyTitle}》`))));
    expect(options).toEqual([]);
  });

  it('puts a lone citation on the header line', () => {
    const [reply] = turns.answerZh;
    const { text } = renderReplies([{ ...reply!, text: '第一句。 [1]', citations: reply!.citations.slice(0, 1) }]);
    expect(text).toMatch(/^第一句。 \[1\]\n依据：《[^》]+》第[\d.()]+条 \S+$/);
  });

  it('joins a turn into one message and ends it with the numbered quick replies', () => {
    const { text, options } = renderReplies(turns.formStartZh);
    const blocks = text.split('\n\n');
    expect(blocks).toHaveLength(3);
    expect(blocks[1]).toBe(turns.formStartZh[1]!.text);
    expect(blocks[2]).toBe('回复 1 全部个人信息 / 2 取消');
    expect(options.map((o) => o.value)).toEqual(['全部个人信息', '取消']);
  });

  it('speaks English to an English speaker, even when the policy quoted is Chinese', () => {
    expect(renderReplies(turns.answerEn).text).toMatch(/\nSources:\n\[1\] "[^"]+"/);
    expect(renderReplies(turns.formStartEn).text.split('\n\n').at(-1)).toBe('Reply 1 for all my personal data, 2 for cancel');
  });

  it('numbers each quick reply once and sends nothing for an empty turn', () => {
    const cancel = { label: '取消', value: '取消' };
    const { text, options } = renderReplies([plain('甲', [cancel]), plain('乙', [{ label: '确认', value: '确认' }, cancel])]);
    expect(text).toBe('甲\n\n乙\n\n回复 1 取消 / 2 确认');
    expect(options).toHaveLength(2);
    expect(renderReplies([])).toEqual({ text: '', options: [] });
  });
});

describe('wechaty: numbered quick replies', () => {
  const options = [
    { label: '确认', value: '确认' },
    { label: '取消 DEL-20261122-0001', value: '取消申请 DEL-20261122-0001' },
  ];

  it.each([
    ['1', '确认'],
    [' 2 ', '取消申请 DEL-20261122-0001'],
    ['２', '取消申请 DEL-20261122-0001'],
    ['1.', '确认'],
    ['1。', '确认'],
    ['3', '3'],
    ['0', '0'],
    ['12345678901', '12345678901'],
    ['1 确认', '1 确认'],
    ['确认', '确认'],
  ])('%j → %j', (text, expected) => {
    expect(resolveQuickReply(text, options)).toBe(expected);
  });

  it('remembers the last options per conversation, forgets them when none are offered, and stays bounded', () => {
    const memory = new QuickReplyMemory(2);
    memory.remember('a', options);
    memory.remember('b', options);
    expect(memory.resolve('a', '1')).toBe('确认');
    memory.remember('b', []);
    expect(memory.resolve('b', '1')).toBe('1');
    memory.remember('c', options);
    memory.remember('d', options);
    expect(memory.resolve('a', '1')).toBe('1');
    expect(memory.resolve('d', '1')).toBe('确认');
  });
});
