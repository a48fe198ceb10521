// The privacy-domain lexicon: everyday words and English mapped to the vocabulary policies
// use (删掉 -> 删除, 小孩 -> 儿童 未成年人, cross-border -> 境外 跨境). General term mappings only.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export class Lexicon {
  private readonly cjk: { term: string; expand: string[] }[] = [];
  private readonly latin: { pattern: RegExp; term: string; expand: string[] }[] = [];
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
          const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
          this.latin.push({ pattern: new RegExp(`(?<![a-z0-9])${escaped}(?![a-z0-9])`), term, expand: entry.expand });
        }
      }
    }
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

  /** Every entry whose term occurs in the text. */
  match(text: string): LexiconMatch[] {
    const norm = normalise(text);
    const found: LexiconMatch[] = [];
    for (const { term, expand } of this.cjk) if (norm.includes(term)) found.push({ term, expand });
    for (const { pattern, term, expand } of this.latin) if (pattern.test(norm)) found.push({ term, expand });
    return found;
  }
}
