// `npm run eval`: retrieval and answer quality on the development set, next to a plain
// character-bigram BM25 baseline over the same clauses, computed in the same run.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { PolicyAssistant } from '../policy-assistant.ts';
import { Bm25Index } from '../retrieval/bm25.ts';
import { analyze } from '../retrieval/tokenizer.ts';
import { intentFigures, printIntentFigures } from './eval-intents.ts';
import { printStructure, structureOfCorpus, structureOfKnowledgeBase } from './eval-structure.ts';

const QuestionSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  question: z.string(),
  answerable: z.boolean(),
  gold: z.array(z.string()),
});
type Question = z.infer<typeof QuestionSchema>;

const squash = (s: string) => s.replace(/\s+/g, '').toLowerCase();

export function isGold(text: string, gold: string[]): boolean {
  const t = squash(text);
  return gold.some((g) => t.includes(squash(g)));
}

interface RetrievalFigures {
  recall1: number;
  recall3: number;
  recall5: number;
  mrr: number;
}

function retrievalFigures(ranks: (number | null)[]): RetrievalFigures {
  const n = ranks.length || 1;
  const within = (k: number) => ranks.filter((r) => r !== null && r <= k).length / n;
  return { recall1: within(1), recall3: within(3), recall5: within(5), mrr: ranks.reduce<number>((s, r) => s + (r ? 1 / r : 0), 0) / n };
}

function rankOf(texts: string[], gold: string[]): number | null {
  const i = texts.findIndex((t) => isGold(t, gold));
  return i < 0 ? null : i + 1;
}

/** The baseline: BM25 over character bigrams of each clause's text, nothing else. */
function baselineSearch(assistant: PolicyAssistant) {
  const perTenant = new Map<string, { texts: string[]; bm25: Bm25Index }>();
  for (const [tenant, index] of assistant.index.tenants) {
    const texts = index.clauses.map((c) => c.text);
    perTenant.set(tenant, { texts, bm25: Bm25Index.build(texts.map((t) => analyze(t).bigrams)) });
  }
  return (tenant: string, question: string, k: number): string[] => {
    const t = perTenant.get(tenant);
    if (!t) return [];
    const q = new Map(analyze(question).bigrams.map((b) => [b, 1]));
    return [...t.bm25.score(q).entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([doc]) => t.texts[doc]!);
  };
}

export async function runEval(assistant: PolicyAssistant, opts: { questions: string; corpus: string; json?: boolean }): Promise<void> {
  const questions: Question[] = readFileSync(opts.questions, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => QuestionSchema.parse(JSON.parse(l)));
  const baseline = baselineSearch(assistant);
  const answerable = questions.filter((q) => q.answerable);
  const unanswerable = questions.filter((q) => !q.answerable);
  const ours: (number | null)[] = [];
  const base: (number | null)[] = [];
  const misses: string[] = [];
  let cited = 0;
  for (const q of answerable) {
    const hits = await assistant.search(q.tenant, q.question, 5);
    const rank = rankOf(hits.map((h) => h.text), q.gold);
    ours.push(rank);
    base.push(rankOf(baseline(q.tenant, q.question, 5), q.gold));
    const answer = await assistant.ask(q.tenant, q.question);
    const citesGold = answer.answerable && answer.citations.some((c) => isGold(c.text, q.gold));
    if (citesGold) cited++;
    if (rank === null || rank > 1 || !citesGold) misses.push(`${q.id} rank=${rank ?? '-'} cited=${citesGold ? 'yes' : 'no'}  ${q.question}`);
  }
  let refused = 0;
  for (const q of unanswerable) {
    const answer = await assistant.ask(q.tenant, q.question);
    if (!answer.answerable && answer.citations.length === 0) refused++;
    else misses.push(`${q.id} answered an unanswerable question  ${q.question}`);
  }
  const figures = {
    questions: questions.length,
    hybrid: retrievalFigures(ours),
    baselineBigramBm25: retrievalFigures(base),
    answersCitingGold: answerable.length ? cited / answerable.length : 0,
    unanswerableRefused: unanswerable.length ? refused / unanswerable.length : 0,
    refusedCount: `${refused}/${unanswerable.length}`,
    structure: { knowledge: structureOfKnowledgeBase(assistant.kb), corpus: structureOfCorpus(opts.corpus) },
  };
  if (opts.json) {
    const intents = intentFigures(join(dirname(opts.questions), 'dev-intents.jsonl')).map(({ wrong, ...f }) => ({ ...f, wrong: wrong.map((w) => w.id) }));
    console.log(JSON.stringify({ ...figures, intents }, null, 2));
    return;
  }
  const f = (x: number) => x.toFixed(3);
  console.log(`dev questions: ${answerable.length} answerable, ${unanswerable.length} unanswerable (${opts.questions})\n`);
  console.log('retrieval              recall@1  recall@3  recall@5     MRR');
  for (const [name, r] of [['hybrid (this bot)', figures.hybrid], ['baseline bigram BM25', figures.baselineBigramBm25]] as const) {
    console.log(`${name.padEnd(22)} ${f(r.recall1).padStart(8)}  ${f(r.recall3).padStart(8)}  ${f(r.recall5).padStart(8)}  ${f(r.mrr).padStart(6)}`);
  }
  console.log(`\nanswers citing a gold clause: ${f(figures.answersCitingGold)} (${cited}/${answerable.length})`);
  console.log(`unanswerable refused:         ${f(figures.unanswerableRefused)} (${figures.refusedCount})`);
  if (misses.length > 0) console.log(`\nnot perfect:\n  ${misses.join('\n  ')}`);
  evalIntents(join(dirname(opts.questions), 'dev-intents.jsonl'));
  printStructure('of the knowledge base', figures.structure.knowledge);
  printStructure(`of ${opts.corpus}`, figures.structure.corpus);
}

// --- intents --------------------------------------------------------------------------------

/** Intent accuracy on the labelled dev utterances next to the questions file, and on the hard set. */
export function evalIntents(file: string): void {
  printIntentFigures(intentFigures(file));
}
