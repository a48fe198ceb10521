// Intent accuracy for `npm run eval`: the shared dev utterances and this repository's hard set
// (test/fixtures/intents: a development part and seven held-out parts), with a breakdown by
// phrasing and how often the bot would ask instead of acting.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { interpret } from '../conversation/interpret/index.ts';
import { INTENTS } from '../conversation/types.ts';

const HARD_SET_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/intents');

const ItemSchema = z.object({ id: z.string(), text: z.string(), intent: z.enum(INTENTS), kind: z.string().optional() });

export interface IntentSetFigures {
  name: string;
  file: string;
  items: number;
  correct: number;
  accuracy: number;
  /** Messages the bot would answer with a clarifying question (the gold intent among its two choices or not). */
  clarified: number;
  byKind: Record<string, { items: number; correct: number }>;
  wrong: { id: string; expected: string; got: string; text: string }[];
}

export function scoreIntentSet(name: string, file: string): IntentSetFigures | null {
  if (!existsSync(file)) return null;
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = ItemSchema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      return parsed.data;
    });
  const figures: IntentSetFigures = { name, file, items: items.length, correct: 0, accuracy: 0, clarified: 0, byKind: {}, wrong: [] };
  for (const item of items) {
    const meaning = interpret(item.text);
    const kind = (figures.byKind[item.kind ?? 'all'] ??= { items: 0, correct: 0 });
    kind.items++;
    if (meaning.clarify) figures.clarified++;
    if (meaning.intent === item.intent) {
      figures.correct++;
      kind.correct++;
    } else figures.wrong.push({ id: item.id, expected: item.intent, got: meaning.intent, text: item.text });
  }
  figures.accuracy = items.length ? figures.correct / items.length : 0;
  return figures;
}

/** The shared dev utterances (next to the questions file) and both parts of the hard set. */
export function intentFigures(devIntentsFile: string): IntentSetFigures[] {
  return [
    scoreIntentSet('dev-intents', devIntentsFile),
    scoreIntentSet('hard-dev', join(HARD_SET_DIR, 'hard-dev.jsonl')),
    scoreIntentSet('hard-test (held out)', join(HARD_SET_DIR, 'hard-test.jsonl')),
    scoreIntentSet('hard-test2 (held out)', join(HARD_SET_DIR, 'hard-test2.jsonl')),
    scoreIntentSet('hard-test3 (held out)', join(HARD_SET_DIR, 'hard-test3.jsonl')),
    scoreIntentSet('hard-test4 (held out)', join(HARD_SET_DIR, 'hard-test4.jsonl')),
    scoreIntentSet('hard-test5 (held out)', join(HARD_SET_DIR, 'hard-test5.jsonl')),
    scoreIntentSet('hard-test6 (held out)', join(HARD_SET_DIR, 'hard-test6.jsonl')),
    scoreIntentSet('hard-test7 (held out)', join(HARD_SET_DIR, 'hard-test7.jsonl')),
  ].filter((f): f is IntentSetFigures => f !== null);
}

export function printIntentFigures(sets: IntentSetFigures[]): void {
  console.log('\nintents                  accuracy   clarified');
  for (const s of sets) {
    console.log(`${s.name.padEnd(22)} ${s.accuracy.toFixed(3)} (${s.correct}/${s.items})  ${s.clarified}`);
  }
  for (const s of sets.filter((x) => Object.keys(x.byKind).length > 1)) {
    const kinds = Object.entries(s.byKind).map(([k, v]) => `${k} ${v.correct}/${v.items}`);
    console.log(`  ${s.name} by phrasing: ${kinds.join(', ')}`);
  }
  for (const s of sets) for (const w of s.wrong) console.log(`  ${w.id} expected=${w.expected} got=${w.got}  ${w.text}`);
}
