// The privacy-domain lexicon: everyday words and English mapped to the vocabulary policies
// use (删掉 -> 删除, 小孩 -> 儿童 未成年人, cross-border -> 境外 跨境). General term mappings only.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AhoCorasick from 'modern-ahocorasick';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import { normalise } from './tokenizer.ts';

const LexiconSchema = z.object({
  version: z.literal(1),
  entries: z.array(z.object({ terms: z.array(z.string().min(1)).min(1), expand: z.array(z.string().min(1)).min(1) })),
});

export interface LexiconMatch {
  /** The words of the question that triggered the entry. */
  term: string;
  expand: string[];
}

interface Entry {
  term: string;
  expand: string[];
}

const LATIN_WORD_CHAR = /[a-z0-9]/;
// Text whose grapheme clusters can hold more than one code point (combining marks, joiners,
// emoji modifiers, regional indicators, Hangul jamo, CR LF, prepended marks). The automaton
// matches whole grapheme clusters, while a plain substring search does not; such rare text
// takes the plain scan, so both give the same matches on every input.
const CLUSTERED = /[\p{M}\u200c\u200d\r\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\p{Regional_Indicator}\p{Emoji_Modifier}]/u;

/**
 * Matching costs what the question costs: one Aho-Corasick automaton for the Chinese terms
 * (a substring anywhere) and one for the other terms (whole words, any run of whitespace
 * between words), built once at load instead of testing each of the ~2,400 terms per question.
 */
export class Lexicon {
  private readonly cjk: Entry[] = [];
  private readonly latin: Entry[] = [];
  private readonly latinPatterns: RegExp[] = [];
  private readonly cjkMatcher: AhoCorasick<number> | null;
  private readonly latinMatcher: AhoCorasick<number> | null;
  readonly source: string;

  constructor(json: string) {
    this.source = json;
    let data: z.infer<typeof LexiconSchema>;
    try {
      data = LexiconSchema.parse(JSON.parse(json));
    } catch (cause) {
      throw new BotError('invalid_knowledge', 'knowledge/lexicon.json is not a valid lexicon ({version:1, entries:[{terms,expand}]}).', { cause });
    }
    for (const entry of data.entries) {
      for (const raw of entry.terms) {
        const term = normalise(raw);
        if (/[\u3400-\u9fff]/.test(term)) this.cjk.push({ term, expand: entry.expand });
        else {
          this.latin.push({ term, expand: entry.expand });
          const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
          this.latinPatterns.push(new RegExp(`(?<![a-z0-9])${escaped}(?![a-z0-9])`));
        }
      }
    }
    const patterns = (entries: Entry[], key: (term: string) => string) =>
      entries.map((e, i) => ({ pattern: key(e.term), data: i })).filter((p) => p.pattern !== '');
    const cjk = patterns(this.cjk, (t) => t);
    const latin = patterns(this.latin, collapseSpace);
    this.cjkMatcher = cjk.length > 0 ? new AhoCorasick(cjk) : null;
    this.latinMatcher = latin.length > 0 ? new AhoCorasick(latin) : null;
  }

  static load(knowledgeDir: string): Lexicon {
    const path = join(knowledgeDir, 'lexicon.json');
    try {
      return new Lexicon(readFileSync(path, 'utf8'));
    } catch (error) {
      if (error instanceof BotError) throw error;
      return new Lexicon('{"version":1,"entries":[]}');
    }
  }

  /** Every entry whose term occurs in the text, in lexicon order (Chinese terms first). */
  match(text: string): LexiconMatch[] {
    const norm = normalise(text);
    if (CLUSTERED.test(norm)) return this.scan(norm);
    const cjk = new Set<number>();
    for (const hit of this.cjkMatcher?.iterate(norm) ?? []) cjk.add(hit.data!);
    const latin = new Set<number>();
    if (this.latinMatcher) {
      const collapsed = collapseSpace(norm);
      for (const hit of this.latinMatcher.iterate(collapsed)) {
        const before = collapsed[hit.start - 1];
        const after = collapsed[hit.end];
        if ((before === undefined || !LATIN_WORD_CHAR.test(before)) && (after === undefined || !LATIN_WORD_CHAR.test(after))) latin.add(hit.data!);
      }
    }
    const found: LexiconMatch[] = [];
    for (const i of [...cjk].sort((a, b) => a - b)) found.push({ term: this.cjk[i]!.term, expand: this.cjk[i]!.expand });
    for (const i of [...latin].sort((a, b) => a - b)) found.push({ term: this.latin[i]!.term, expand: this.latin[i]!.expand });
    return found;
  }

  /** The term-by-term scan, for text the automaton would read differently (see CLUSTERED). */
  private scan(norm: string): LexiconMatch[] {
    const found: LexiconMatch[] = [];
    for (const { term, expand } of this.cjk) if (norm.includes(term)) found.push({ term, expand });
    this.latin.forEach(({ term, expand }, i) => {
      if (this.latinPatterns[i]!.test(norm)) found.push({ term, expand });
    });
    return found;
  }
}

/** Every run of whitespace as one space, as the whole-word patterns read it (`\s+`). */
function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ');
}
