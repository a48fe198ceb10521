import { describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { PARSER_VERSION } from '../../src/knowledge/parser.ts';
import { indexHash } from '../../src/retrieval/index-store.ts';
import { Lexicon } from '../../src/retrieval/lexicon.ts';

const kb: KnowledgeBase = { dir: '/k', tenants: [], policies: [], clauses: [], versions: [], asOf: '2026-01-01', contentHash: 'abc' };
const lexicon = new Lexicon(JSON.stringify({ version: 1, entries: [] }));
const embedding = { id: 'corpus-lsa', external: null };

describe('index hash', () => {
  it('covers the parser version, so an index built by an older parser is rebuilt', () => {
    const now = indexHash(kb, lexicon, embedding);
    expect(now).toBe(indexHash(kb, lexicon, embedding, PARSER_VERSION));
    expect(indexHash(kb, lexicon, embedding, PARSER_VERSION - 1)).not.toBe(now);
  });

  it('changes with the policy texts and stays put without a change', () => {
    expect(indexHash({ ...kb, contentHash: 'abd' }, lexicon, embedding)).not.toBe(indexHash(kb, lexicon, embedding));
    expect(indexHash({ ...kb }, lexicon, embedding)).toBe(indexHash(kb, lexicon, embedding));
  });
});
