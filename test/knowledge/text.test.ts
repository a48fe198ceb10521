import { describe, expect, it } from 'vitest';
import { cutCodePoints, wellFormed } from '../../src/knowledge/text.ts';

describe('cutCodePoints', () => {
  it('counts code points, so an emoji across the cut is kept whole or left out, never halved', () => {
    const text = `${'a'.repeat(499)}😀b`;
    expect(text.slice(0, 500)).toBe(`${'a'.repeat(499)}\ud83d`); // what .slice() did
    expect(cutCodePoints(text, 500)).toBe(`${'a'.repeat(499)}😀`);
    expect(cutCodePoints('😀😀😀', 2)).toBe('😀😀');
    expect(cutCodePoints('短', 5)).toBe('短');
    expect(cutCodePoints('abc', 0)).toBe('');
  });
});

describe('wellFormed', () => {
  it('replaces lone surrogates with U+FFFD and leaves pairs and other text alone', () => {
    expect(wellFormed('ok 😀 好')).toBe('ok 😀 好');
    expect(wellFormed('a\ud83d')).toBe('a\ufffd');
    expect(wellFormed('\ude00b')).toBe('\ufffdb');
    expect(wellFormed('\ude00\ud83d')).toBe('\ufffd\ufffd');
    expect(wellFormed('x\ud83d\ude00\ud83d')).toBe('x😀\ufffd');
  });
});
