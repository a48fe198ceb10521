import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/retrieval/bm25.ts';

describe('BM25 with groups of synonyms', () => {
  // Each synonym occurs in two documents, so all weigh the same.
  const index = Bm25Index.build([
    ['cookie', 'beacon', 'pixel', 'tag'],
    ['cookie', 'beacon', 'other', 'word'],
    ['other', 'pixel', 'again', 'here'],
    ['more', 'tag', 'again', 'here'],
  ]);

  it('adds only the best phrase of a group, so listing every synonym does not count several times', () => {
    const group = [new Map([['beacon', 0.6]]), new Map([['pixel', 0.6]]), new Map([['tag', 0.6]])];
    const { scores } = index.scoreGrouped(new Map([['cookie', 1]]), [group]);
    expect(scores[0]).toBeCloseTo(scores[1]!, 1);
    const flat = index.scoreDense(new Map([['cookie', 1], ['beacon', 0.6], ['pixel', 0.6], ['tag', 0.6]])).scores;
    expect(flat[0]).toBeGreaterThan(flat[1]! * 1.5);
  });

  it('scores the question’s own tokens as before and touches every matching document', () => {
    const base = new Map([['other', 1]]);
    const grouped = index.scoreGrouped(base, [[new Map([['pixel', 0.6]])]]);
    expect([...grouped.touched].sort()).toEqual([0, 1, 2]);
    expect(index.contains(3, 'tag') && !index.contains(3, 'pixel')).toBe(true);
    expect(grouped.scores[1]).toBeCloseTo(index.scoreDense(base).scores[1]!, 10);
  });
});
