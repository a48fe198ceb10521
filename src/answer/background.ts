// How specific a word is to privacy policies: document frequencies of jieba words over a
// background corpus of policies (CAPP-130), computed by `privacy-bot train-decide` and shipped
// as src/answer/model/background.json. A word policies never use ("多少钱", "抽卡") is unknown.

import { readFileSync } from 'node:fs';
import { dict } from '@node-rs/jieba/dict.js';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import { analyze } from '../retrieval/tokenizer.ts';

export const BACKGROUND_FILE = new URL('./model/background.json', import.meta.url);

const BackgroundSchema = z.object({
  source: z.string(),
  documents: z.number().int().positive(),
  /** Words found in at least `minDocuments` policies, with the number of policies using each. */
  minDocuments: z.number().int().positive(),
  df: z.record(z.string(), z.number().int().positive()),
  /** Everyday generality of common words (0..1; see generalWords). */
  general: z.record(z.string(), z.number().min(0).max(1)).default({}),
});
export type BackgroundData = z.infer<typeof BackgroundSchema>;

export class Background {
  private readonly df: Map<string, number>;
  private readonly general: Map<string, number>;
  private readonly maxIdf: number;

  constructor(readonly data: BackgroundData) {
    this.df = new Map(Object.entries(data.df));
    this.general = new Map(Object.entries(data.general));
    this.maxIdf = Math.log((data.documents + 1) / 0.5);
  }

  /** Counts each word once per document; keeps words used by at least `minDocuments` documents. */
  static build(texts: string[], source: string, minDocuments = 2, general: Record<string, number> = {}): Background {
    const counts = new Map<string, number>();
    for (const text of texts) for (const w of new Set(analyze(text).words)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const df: Record<string, number> = {};
    for (const [w, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (n >= minDocuments) df[w] = n;
    return new Background({ source, documents: texts.length, minDocuments, df, general });
  }

  static load(file: URL | string = BACKGROUND_FILE): Background {
    try {
      return new Background(BackgroundSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
    } catch (cause) {
      throw new BotError('invalid_knowledge', `Cannot load the background statistic ${String(file)}; rebuild it with "privacy-bot train-decide".`, { cause });
    }
  }

  known(word: string): boolean {
    return this.df.has(word);
  }

  /** Share of background policies that use the word (0 for an unknown word). */
  share(word: string): number {
    return this.data.documents > 0 ? (this.df.get(word) ?? 0) / this.data.documents : 0;
  }

  /** How general the word is in everyday Chinese (0 for a rare or unknown word). */
  generality(word: string): number {
    return this.general.get(word) ?? 0;
  }

  /** IDF scaled to 0..1: 0 for a word every policy uses, 1 for a word none uses. */
  specificity(word: string): number {
    const df = this.df.get(word) ?? 0;
    return Math.log((this.data.documents + 1) / (df + 0.5)) / this.maxIdf;
  }
}

let shipped: Background | null = null;
/** The shipped background statistic, loaded once. */
export function shippedBackground(): Background {
  shipped ??= Background.load();
  return shipped;
}

/**
 * How general each common word is in everyday Chinese, from jieba's dictionary frequencies:
 * 1 for filler every text uses ("一直", "以后", "听"), falling to 0 for words rarer than
 * 1,000 in jieba's counts ("利息", "新区", which are not listed). Computed when the
 * background is built, so answering never parses the dictionary.
 */
export function generalWords(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of Buffer.from(dict).toString('utf8').split('\n')) {
    const [w, f] = line.split(' ');
    if (!w || !f || [...w].length < 2) continue;
    const g = Math.min(1, Math.max(0, (Math.log10(Number(f) + 1) - 3) / 1.5));
    if (g >= 0.01) out[w] = Math.max(out[w] ?? 0, Number(g.toFixed(2)));
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
