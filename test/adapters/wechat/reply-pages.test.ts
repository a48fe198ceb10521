// A turn's replies laid out as WeChat text messages of at most 2048 bytes.

import { describe, expect, it } from 'vitest';
import { isEnglish, isMoreRequest, MORE_HINT_EN, MORE_HINT_ZH, nextPage, PendingPages, sectionsOf, type Section } from '../../../adapters/wechat/reply-pages.ts';
import type { Citation } from '../../../src/answer/answerer.ts';
import type { OutboundReply } from '../../../src/conversation/types.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const citation = (number: string, policyTitle = '隐私政策', title = ''): Citation => ({
  policyId: 'p',
  policyTitle,
  clauseId: `p#${number}`,
  number,
  title,
  text: '…',
});
const reply = (text: string, over: Partial<OutboundReply> = {}): OutboundReply => ({ kind: 'answer', text, citations: [], quickReplies: [], ...over });

/** Every page, as a user sending 更多 again and again would see them. */
function allPages(sections: Section[]): string[] {
  const pages: string[] = [];
  let rest: Section[] | null = sections;
  while (rest) {
    const page = nextPage(rest);
    pages.push(page.content);
    rest = page.rest;
    if (pages.length > 100) throw new Error('nextPage does not terminate');
  }
  return pages;
}

describe('sectionsOf + nextPage', () => {
  it('renders a cited answer with one compact citation line per source', () => {
    const page = nextPage(sectionsOf([reply('根据隐私政策：\n我们不会出售您的信息。 [1]', { citations: [citation('8.3')] })]));
    expect(page).toEqual({ content: '根据隐私政策：\n我们不会出售您的信息。 [1]\n依据：《隐私政策》第8.3条', rest: null });
  });

  it('numbers the citation lines after the markers when there are several', () => {
    const { content } = nextPage(
      sectionsOf([reply('根据隐私政策：\n甲。 [1]\n乙。 [2]', { citations: [citation('1.2'), citation('第五条', '个人信息处理规则')] })]),
    );
    expect(content.split('\n').slice(-2)).toEqual(['依据：《隐私政策》第1.2条 [1]', '依据：《个人信息处理规则》第五条 [2]']);
  });

  it('cites in English in an English reply, even with a Chinese company name in it', () => {
    const { content } = nextPage(
      sectionsOf([reply("Here is what 巨人通力's privacy policy says:\nWe do not sell data. [1]", { citations: [citation('8.3', 'Privacy Policy')] })]),
    );
    expect(content.endsWith('\nSource: "Privacy Policy" §8.3')).toBe(true);
    expect(isEnglish('根据smarthw的隐私政策：\nWe keep logs.')).toBe(false);
  });

  it('joins replies with a blank line and shows quick replies as a hint line', () => {
    const { content } = nextPage(
      sectionsOf([
        reply('好的。', { kind: 'info' }),
        reply('请说明要删除哪些个人信息。', { kind: 'form', quickReplies: [{ label: '全部', value: '全部个人信息' }, { label: '取消', value: '取消' }] }),
        reply('Please confirm.', { kind: 'form', quickReplies: [{ label: 'Confirm', value: 'confirm' }, { label: 'Cancel', value: 'cancel' }] }),
      ]),
    );
    expect(content).toBe('好的。\n\n请说明要删除哪些个人信息。\n回复：全部个人信息 / 取消\n\nPlease confirm.\nReply: confirm / cancel');
  });

  it('pages a long answer: each page fits, ends with the 更多 hint, and cites the statements it shows', () => {
    const statements = Array.from({ length: 30 }, (_, i) => `第${i + 1}条陈述：我们会在实现处理目的所必需的最短期限内保留您的个人信息，期满后删除或匿名化处理。 [${(i % 3) + 1}]`);
    const citations = [citation('1.1'), citation('2.2'), citation('3.3')];
    const pages = allPages(sectionsOf([reply(`根据隐私政策：\n${statements.join('\n')}`, { citations }), reply('需要的话，我可以帮您提交申请。', { kind: 'info', quickReplies: [{ label: 'x', value: '我要删除我的个人信息' }] })]));
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) {
      expect(bytes(page)).toBeLessThanOrEqual(2048);
      // A page shows exactly the sources of its markers.
      const markers = new Set([...page.matchAll(/。 \[(\d)\]/g)].map((m) => m[1]));
      const sources = new Set([...page.matchAll(/^依据：《隐私政策》第\d\.\d条 \[(\d)\]$/gm)].map((m) => m[1]));
      expect(sources).toEqual(markers);
    }
    for (const page of pages.slice(0, -1)) expect(page.endsWith(`\n${MORE_HINT_ZH}`)).toBe(true);
    const last = pages.at(-1)!;
    expect(last.endsWith('需要的话，我可以帮您提交申请。\n回复：我要删除我的个人信息')).toBe(true);
    const shown = pages.join('\n');
    for (const statement of statements) expect(shown).toContain(statement);
  });

  it('cites a statement cut in the middle on both of its pages', () => {
    const long = `${'我们收集您的个人信息用于提供服务，'.repeat(120)}。 [1]`;
    const pages = allPages(sectionsOf([reply(`根据隐私政策：\n${long}`, { citations: [citation('4.4')] })]));
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(bytes(page)).toBeLessThanOrEqual(2048);
      expect(page).toContain('依据：《隐私政策》第4.4条');
    }
  });

  it('pages English with the English hint', () => {
    const text = `Here is what the policy says:\n${Array.from({ length: 60 }, (_, i) => `Statement ${i} says we keep your data no longer than needed. [1]`).join('\n')}`;
    const pages = allPages(sectionsOf([reply(text, { citations: [citation('5', 'Privacy Policy')] })]));
    expect(pages[0]!.endsWith(`\n${MORE_HINT_EN}`)).toBe(true);
    expect(pages[0]).toContain('Source: "Privacy Policy" §5');
  });

  it('renders nothing for no replies', () => {
    expect(nextPage(sectionsOf([]))).toEqual({ content: '', rest: null });
  });
});

describe('isMoreRequest', () => {
  it('takes exactly 更多 or more', () => {
    expect(['更多', ' 更多 ', 'more', 'More', 'MORE'].map(isMoreRequest)).toEqual([true, true, true, true, true]);
    expect(['更多内容', 'tell me more', '还有更多吗', ''].map(isMoreRequest)).toEqual([false, false, false, false]);
  });
});

describe('PendingPages', () => {
  const rest: Section[] = [{ body: '下一页', sources: [], markers: false, hint: null, en: false }];

  it('keeps the rest per user until it expires', () => {
    let now = 0;
    const pending = new PendingPages(30 * 60_000, 100, () => now);
    pending.set('a', rest);
    expect(pending.get('a')).toEqual(rest);
    expect(pending.get('b')).toBeNull();
    now += 30 * 60_000 - 1;
    expect(pending.get('a')).toEqual(rest);
    now += 1;
    expect(pending.get('a')).toBeNull();
  });

  it('forgets a rest when a newer answer has none, and stays bounded', () => {
    const pending = new PendingPages(60_000, 3, () => 0);
    pending.set('a', rest);
    pending.set('a', null);
    expect(pending.get('a')).toBeNull();
    for (const key of ['1', '2', '3', '4']) pending.set(key, rest);
    expect(pending.size).toBe(3);
    expect(pending.get('1')).toBeNull();
    expect(pending.get('4')).toEqual(rest);
  });
});
