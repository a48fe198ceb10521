import { describe, expect, it } from 'vitest';
import { isBotError } from '../../../src/errors.ts';
import { cdata, compactCitation, compactCitationEn, DEFAULT_MORE_HINT, renderTextReply, splitForWechat } from '../../../adapters/wechat/render.ts';
import { parseInbound, parseWechatXml } from '../../../adapters/wechat/xml.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const HINT = `\n${DEFAULT_MORE_HINT}`;
const hasLoneSurrogate = (s: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

/** Splits until nothing is left, as a user sending 更多 again and again would see it. */
function allParts(text: string, limit?: number, hint?: string): string[] {
  const parts: string[] = [];
  let rest: string | null = text;
  while (rest !== null) {
    const split: { first: string; rest: string | null } = splitForWechat(rest, limit, hint);
    parts.push(split.first);
    rest = split.rest;
    if (parts.length > 10_000) throw new Error('splitForWechat does not terminate');
  }
  return parts;
}

// A realistic long answer: numbered clauses, Chinese sentences, decimals, a citation list.
const SENTENCES = Array.from(
  { length: 80 },
  (_, i) => `第${i + 1}项：我们会在实现处理目的所必需的最短期限内保留您的个人信息，保存期限为${(i % 7) + 1}.5年${i % 3 === 0 ? '！' : i % 3 === 1 ? '？' : '。'}`,
);
const LONG_ZH = SENTENCES.join('');

describe('splitForWechat', () => {
  it('leaves short text unchanged', () => {
    expect(splitForWechat('您好！')).toEqual({ first: '您好！', rest: null });
    const exactly = '隐'.repeat(682) + 'ab'; // 2046 + 2 = 2048 bytes
    expect(bytes(exactly)).toBe(2048);
    expect(splitForWechat(exactly)).toEqual({ first: exactly, rest: null });
  });

  it('drops only trailing whitespace when that is enough to fit', () => {
    const text = `${'隐'.repeat(680)}\n\n\n\n\n\n\n\n\n\n`;
    expect(splitForWechat(text)).toEqual({ first: '隐'.repeat(680), rest: null });
  });

  it('cuts long Chinese text at the last sentence end that fits, hint included', () => {
    expect(bytes(LONG_ZH)).toBeGreaterThan(2048 * 3);
    const { first, rest } = splitForWechat(LONG_ZH);
    expect(bytes(first)).toBeLessThanOrEqual(2048);
    expect(first.endsWith(HINT)).toBe(true);
    const body = first.slice(0, -HINT.length);
    expect(body).toMatch(/[。！？]$/);
    // The last sentence end that fits: one more sentence would not.
    const count = SENTENCES.findIndex((_, i) => SENTENCES.slice(0, i + 1).join('') === body) + 1;
    expect(count).toBeGreaterThan(0);
    expect(bytes(SENTENCES.slice(0, count + 1).join('') + HINT)).toBeGreaterThan(2048);
    expect(rest).toBe(SENTENCES.slice(count).join(''));
  });

  it('splits again and again until the whole text has been sent, losing nothing', () => {
    const parts = allParts(LONG_ZH);
    expect(parts.length).toBeGreaterThan(3);
    for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(2048);
    for (const part of parts.slice(0, -1)) expect(part.endsWith(HINT)).toBe(true);
    expect(parts.at(-1)!.endsWith(HINT)).toBe(false);
    expect(parts.map((p) => (p.endsWith(HINT) ? p.slice(0, -HINT.length) : p)).join('')).toBe(LONG_ZH);
  });

  it('does not take the point of a decimal number for a sentence end', () => {
    // "8.3" fits; the 。 before it is the last real sentence end.
    const text = `${'隐'.repeat(10)}。第8.3条${'私'.repeat(100)}`;
    const { first, rest } = splitForWechat(text, 60, '…');
    expect(first).toBe(`${'隐'.repeat(10)}。\n…`);
    expect(rest).toBe(`第8.3条${'私'.repeat(100)}`);
  });

  it('cuts after English sentences followed by a space, and after newlines', () => {
    const en = splitForWechat('We keep data for 2.5 years. We never sell it! Do we share it? Only with processors named in section 8.3 of this policy', 80, '(more)');
    expect(en).toEqual({ first: 'We keep data for 2.5 years. We never sell it! Do we share it?\n(more)', rest: 'Only with processors named in section 8.3 of this policy' });
    const lines = splitForWechat(`第一行没有句号\n第二行也没有句号\n${'第三行很长'.repeat(20)}`, 100, '更多');
    expect(lines).toEqual({ first: '第一行没有句号\n第二行也没有句号\n更多', rest: '第三行很长'.repeat(20) });
  });

  it('keeps closing quotes and brackets with their sentence', () => {
    const text = `他说：“我们不会出售您的信息。”另外，${'我们'.repeat(50)}`;
    const { first, rest } = splitForWechat(text, 80, '更多');
    expect(first).toBe('他说：“我们不会出售您的信息。”\n更多');
    expect(rest!.startsWith('另外，')).toBe(true);
  });

  it('falls back to whole characters when no sentence end fits', () => {
    const text = '隐私'.repeat(1000); // 6000 bytes, no punctuation
    const { first, rest } = splitForWechat(text);
    expect(bytes(first)).toBeLessThanOrEqual(2048);
    expect(bytes(first)).toBeGreaterThan(2048 - 3); // the budget is used up to the last whole character
    const body = first.slice(0, -HINT.length);
    expect(Buffer.from(body, 'utf8').toString('utf8')).toBe(body);
    expect(body + rest).toBe(text);
  });

  it('never splits a surrogate pair or an emoji sequence', () => {
    for (const unit of ['😀', '👨‍👩‍👧', '🇨🇳', '👍🏽', 'é']) {
      for (const limit of [20, 21, 22, 23, 37, 100]) {
        const text = `${unit}`.repeat(60);
        const parts = allParts(text, limit, '…');
        for (const part of parts) {
          expect(bytes(part)).toBeLessThanOrEqual(limit);
          expect(hasLoneSurrogate(part)).toBe(false);
          const body = part.endsWith('\n…') ? part.slice(0, -2) : part;
          // Whole copies of the grapheme whenever one fits next to the hint (4 bytes).
          if (bytes(unit) <= limit - 4) expect(body.split(unit).join('')).toBe('');
        }
        expect(parts.map((p) => (p.endsWith('\n…') ? p.slice(0, -2) : p)).join('')).toBe(text);
      }
    }
  });

  it('cuts inside a grapheme only when one grapheme alone is too big, and then between code points', () => {
    const zalgo = `a${'\u0301'.repeat(100)}`; // one grapheme, 201 bytes
    const parts = allParts(zalgo, 50, '…');
    for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(50);
    expect(parts.map((p) => (p.endsWith('\n…') ? p.slice(0, -2) : p)).join('')).toBe(zalgo);
  });

  it('refuses a hint that leaves no room', () => {
    let thrown: unknown;
    try {
      splitForWechat('x'.repeat(100), 10, '回复"更多"');
    } catch (error) {
      thrown = error;
    }
    expect(isBotError(thrown, 'invalid_config')).toBe(true);
  });
});

describe('renderTextReply', () => {
  it('renders the passive reply format', () => {
    expect(renderTextReply({ toUser: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', fromUser: 'gh_10f6c3c3ac5a', createTime: 1409735669, content: '您好' })).toBe(
      '<xml><ToUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></ToUserName><FromUserName><![CDATA[gh_10f6c3c3ac5a]]></FromUserName>' +
        '<CreateTime>1409735669</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好]]></Content></xml>',
    );
  });

  it('takes a Date for createTime', () => {
    expect(renderTextReply({ toUser: 'u', fromUser: 'a', createTime: new Date(1_409_735_669_999), content: '' })).toContain('<CreateTime>1409735669</CreateTime>');
  });

  it.each([
    ['"]]>" inside', 'a]]>b', 'a]]]]><![CDATA[>b'],
    ['"]]>" at both ends', ']]>x]]>', ']]]]><![CDATA[>x]]]]><![CDATA[>'],
    ['markup characters', '<b>&amp;</b>', '<b>&amp;</b>'],
    ['characters XML forbids', 'a\u0000b\u001bc\ufffe', 'abc'],
  ])('escapes %s', (_, content, inner) => {
    const xml = renderTextReply({ toUser: 'u', fromUser: 'a', createTime: 1, content });
    expect(xml).toContain(`<Content><![CDATA[${inner}]]></Content>`);
  });

  it.each(['a]]>b', ']]>]]>', ']]]]>', '<![CDATA[x]]>', '引号“]]>”与 & < > 😀', 'line\nbreak\n'])('round-trips %j through an XML parser', (content) => {
    const xml = renderTextReply({ toUser: 'u', fromUser: 'a', createTime: 1, content });
    const parsed = parseWechatXml(xml);
    expect(parsed.ok && parsed.value['Content']).toBe(content);
  });

  it('renders the reply to a parsed message back to its sender', () => {
    const inbound = parseInbound(
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1</MsgId></xml>',
    );
    if (!inbound.ok) throw new Error(inbound.error.message);
    const reply = renderTextReply({ toUser: inbound.message.FromUserName, fromUser: inbound.message.ToUserName, createTime: 2, content: 'ok' });
    const parsed = parseWechatXml(reply);
    expect(parsed.ok && parsed.value).toEqual({ ToUserName: 'o_user', FromUserName: 'gh_1', CreateTime: '2', MsgType: 'text', Content: 'ok' });
  });

  it('refuses a createTime in milliseconds-as-float or negative', () => {
    expect(() => renderTextReply({ toUser: 'u', fromUser: 'a', createTime: 1.5, content: '' })).toThrow(/Unix seconds/);
    expect(() => renderTextReply({ toUser: 'u', fromUser: 'a', createTime: -1, content: '' })).toThrow(/Unix seconds/);
  });

  it('cdata() keeps text exact for any "]]>" arrangement', () => {
    for (const text of ['', ']', ']]', ']]>', '>]]>>', 'a]]>]]>b']) {
      const parsed = parseWechatXml(`<xml><A>${cdata(text)}</A></xml>`);
      expect(parsed.ok && parsed.value['A']).toBe(text);
    }
  });
});

describe('compactCitation', () => {
  it.each([
    [{ policyTitle: '隐私政策', number: '8.3', title: '信息共享' }, '依据：《隐私政策》第8.3条'],
    [{ policyTitle: '隐私政策', number: '7.4.(2)', title: '' }, '依据：《隐私政策》第7.4.(2)条'],
    [{ policyTitle: '隐私政策', number: '第五条', title: '未成年人' }, '依据：《隐私政策》第五条'],
    [{ policyTitle: '隐私政策', number: '', title: '如何联系我们' }, '依据：《隐私政策》「如何联系我们」'],
    [{ policyTitle: '隐私政策', number: '', title: '' }, '依据：《隐私政策》'],
    [{ policyTitle: '《儿童隐私保护指引》', number: '2', title: '' }, '依据：《儿童隐私保护指引》第2条'],
  ])('%j', (citation, expected) => {
    expect(compactCitation(citation)).toBe(expected);
  });
});

describe('compactCitationEn', () => {
  it.each([
    [{ policyTitle: 'Privacy Policy', number: '8.3', title: 'Sharing' }, 'Source: "Privacy Policy" §8.3'],
    [{ policyTitle: 'Privacy Policy', number: '', title: 'Contact us' }, 'Source: "Privacy Policy", section "Contact us"'],
    [{ policyTitle: 'Privacy Policy', number: '', title: '' }, 'Source: "Privacy Policy"'],
    [{ policyTitle: '隐私政策', number: '第五条', title: '' }, 'Source: "隐私政策" 第五条'],
  ])('%j', (citation, expected) => {
    expect(compactCitationEn(citation)).toBe(expected);
  });
});
