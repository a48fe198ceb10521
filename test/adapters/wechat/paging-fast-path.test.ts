// The paging fast path (text with one grapheme per code point is cut by counting bytes, no
// Intl.Segmenter) cuts exactly where the grapheme walk cut.

import { describe, expect, it } from 'vitest';
import { graphemePrefix, splitForWechat } from '../../../adapters/wechat/render.ts';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The grapheme walk the fast path must agree with. */
function referencePrefix(text: string, budget: number): { end: number; boundaries: Set<number> } {
  let bytes = 0;
  let end = 0;
  const boundaries = new Set<number>([text.length]);
  let stopped = false;
  for (const { segment, index } of segmenter.segment(text)) {
    boundaries.add(index);
    if (stopped) continue;
    bytes += Buffer.byteLength(segment, 'utf8');
    if (bytes > budget) stopped = true;
    else end = index + segment.length;
  }
  if (end === 0) {
    bytes = 0;
    for (const cp of text) {
      bytes += Buffer.byteLength(cp, 'utf8');
      if (bytes > budget) break;
      end += cp.length;
    }
  }
  return { end, boundaries };
}

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['删除', '个人信息', '。', '！', 'data. ', 'A', ' ', '\n', '😀', '𠀋', '\ud800', '\udc00', 'é', '“', '8.3', '（1）', 'ü', '€', '\t'];

describe('WeChat paging fast path', () => {
  it('cuts where the grapheme walk cuts, on texts without combining characters', () => {
    const next = random(7);
    for (let i = 0; i < 600; i++) {
      const parts: string[] = [];
      const n = 1 + Math.floor(next() * 400);
      for (let j = 0; j < n; j++) parts.push(PIECES[Math.floor(next() * PIECES.length)]!);
      const text = parts.join('');
      const budget = 1 + Math.floor(next() * 600);
      const fast = graphemePrefix(text, budget);
      const reference = referencePrefix(text, budget);
      expect(fast.end, JSON.stringify(text)).toBe(reference.end);
      for (let k = 0; k <= text.length; k++) expect(fast.isBoundary(k), `${k} in ${JSON.stringify(text)}`).toBe(reference.boundaries.has(k));
    }
  });

  it('still walks graphemes when the text has combining marks or emoji sequences', () => {
    const family = '👨‍👩‍👧';
    const text = `${'很长的回答。'.repeat(40)}${family}${'e\u0301'.repeat(10)}`;
    const { first } = splitForWechat(text, 260, '更多');
    expect(first.endsWith('\n更多')).toBe(true);
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(260);
    const cut = splitForWechat(`${family.repeat(30)}`, 100, '更多').first;
    expect(cut.replace('\n更多', '').length % family.length).toBe(0);
  });

  it('a short text is returned whole without counting bytes', () => {
    expect(splitForWechat('你好', 2048)).toEqual({ first: '你好', rest: null });
  });
});
