// `npm run eval`: retrieval and answer quality on the development set and on new companies'
// policies (capp-dev, loaded into a temporary knowledge directory), next to a plain
// character-bigram BM25 baseline over the same clauses, computed in the same run.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { BotError } from '../errors.ts';
import { PolicyAssistant } from '../policy-assistant.ts';
import type { Answer } from '../answer/answerer.ts';
import { shippedBackground } from '../answer/background.ts';
import { parseDecisionModel } from '../answer/decide.ts';
import { reply } from '../answer/replies.ts';
import { detectLanguage } from '../knowledge/text.ts';
import { Bm25Index } from '../retrieval/bm25.ts';
import { analyze } from '../retrieval/tokenizer.ts';
import { intentFigures, printIntentFigures } from './eval-intents.ts';
import { printStructure, structureOfCorpus, structureOfKnowledgeBase } from './eval-structure.ts';
import { defaultCorpusDir, knowledgeWithTenants } from './extra-tenants.ts';

export const QuestionSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  question: z.string(),
  answerable: z.boolean(),
  gold: z.array(z.string()),
});
export type Question = z.infer<typeof QuestionSchema>;

export function readQuestions(file: string): Question[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => QuestionSchema.parse(JSON.parse(l)));
}

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

/** The part of an answer a user reads before the citation list. */
export function answerBody(a: Answer): string {
  const header = reply(a.language, 'citationsHeader');
  const at = a.answer.indexOf(`\n\n${header}`);
  return at < 0 ? a.answer : a.answer.slice(0, at);
}

/**
 * A quoted statement ends at a sentence end, at the end of the text it cites or of a list
 * item's heading, or with an explicit shortening of a list.
 */
export function endsWhole(statement: string, source: string): boolean {
  const s = statement.replace(/\s*(……等 \d+ 项|… \(\d+ items in all\))$/, '').trim();
  if (/[。！？.!?；;：:…」』”"）)]$/.test(s)) return true;
  const flat = (t: string) => t.replace(/[^\S\n]+/g, '');
  const src = flat(source);
  const last = s.split(/\s+/).at(-1) ?? s;
  const tail = flat(last).slice(-12);
  // A field line ("邮箱：x@y.com") is whole where its line ends.
  const field = /^[\p{L}\p{N}（）()]{1,10}[：:]/u.test(last);
  for (let at = src.indexOf(tail); at >= 0; at = src.indexOf(tail, at + 1)) {
    const next = src[at + tail.length];
    if (next === undefined || next === '：' || next === ':' || (field && next === '\n')) return true;
  }
  return false;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export interface SetFigures {
  questions: number;
  answerable: number;
  unanswerable: number;
  hybrid: RetrievalFigures;
  baselineBigramBm25: RetrievalFigures;
  /** Covered questions answered with a gold clause among the first three citations. */
  coveredAnsweredWithGold: number;
  /** Covered questions whose first citation is a gold clause. */
  firstCitationGold: number;
  /** Covered questions refused. */
  coveredRefused: number;
  uncoveredRefused: number;
  /** Characters before the citation list, over answered questions. */
  lengthMedian: number;
  lengthP90: number;
  /** Answers whose lead line is in the question's language (and, when the tenant has a policy in it, cite that first). */
  languageMatch: number;
  /** Quoted statements that end inside a sentence or an item. */
  cutStatements: number;
  /** With --llm: what became of the model's drafts. */
  model?: ModelFigures;
}

export interface ModelFigures {
  /** Questions the model was asked to answer. */
  asked: number;
  /** Share that passed verification: its answer sent, or its "not covered" agreeing with the decision. */
  passedVerification: number;
  sent: number;
  refusalAgreed: number;
  /** Offline answers sent instead, by reason. */
  fallbacks: Record<string, number>;
}

/** Counts the model outcomes of a set's answers; null when no answer carries one (no model). */
export function modelFigures(answers: Answer[]): ModelFigures | null {
  const outcomes = answers.map((a) => a.model).filter((m) => m !== undefined);
  if (outcomes.length === 0) return null;
  const count = (o: string) => outcomes.filter((m) => m === o).length;
  const fallbacks: Record<string, number> = {};
  for (const m of outcomes) if (m !== 'sent' && m !== 'refusal_agreed') fallbacks[m] = (fallbacks[m] ?? 0) + 1;
  const sent = count('sent');
  const refusalAgreed = count('refusal_agreed');
  return { asked: outcomes.length, passedVerification: (sent + refusalAgreed) / outcomes.length, sent, refusalAgreed, fallbacks };
}

export async function scoreSet(assistant: PolicyAssistant, questions: Question[]): Promise<{ figures: SetFigures; misses: string[] }> {
  const baseline = baselineSearch(assistant);
  const answerable = questions.filter((q) => q.answerable);
  const unanswerable = questions.filter((q) => !q.answerable);
  const ours: (number | null)[] = [];
  const base: (number | null)[] = [];
  const misses: string[] = [];
  const lengths: number[] = [];
  let cited = 0;
  let first = 0;
  let coveredRefused = 0;
  let languageOk = 0;
  let cut = 0;
  const answers: Answer[] = [];
  const check = (q: Question, a: Answer) => {
    answers.push(a);
    const language = detectLanguage(q.question);
    const lead = answerBody(a).split('\n')[0] ?? '';
    const languages = assistant.index.tenants.get(q.tenant)?.languages;
    const hasOwn = languages ? [...languages.values()].includes(language) : false;
    const firstOwn = !a.answerable || !hasOwn || a.citations.length === 0 || languages?.get(a.citations[0]!.policyId) === language;
    if (a.language === language && detectLanguage(lead) === language && firstOwn) languageOk++;
    else misses.push(`${q.id} language: asked ${language}, answered ${a.language}${firstOwn ? '' : ', other-language citation first'}  ${q.question}`);
    if (a.answerable) {
      lengths.push([...answerBody(a)].length);
      for (const s of a.statements) {
        if (!endsWhole(s.text, a.citations[s.citation - 1]?.text ?? '')) {
          cut++;
          misses.push(`${q.id} cut statement: …${s.text.slice(-20)}`);
        }
      }
    }
  };
  for (const q of answerable) {
    const hits = await assistant.search(q.tenant, q.question, 5);
    const rank = rankOf(hits.map((h) => h.text), q.gold);
    ours.push(rank);
    base.push(rankOf(baseline(q.tenant, q.question, 5), q.gold));
    const a = await assistant.ask(q.tenant, q.question);
    const citeRank = a.answerable ? rankOf(a.citations.slice(0, 3).map((c) => c.text), q.gold) : null;
    if (citeRank !== null) cited++;
    if (citeRank === 1) first++;
    if (!a.answerable) coveredRefused++;
    check(q, a);
    if (rank !== 1 || citeRank !== 1) {
      misses.push(`${q.id} rank=${rank ?? '-'} ${a.answerable ? `cited=${citeRank ?? 'no'}` : 'REFUSED'}  ${q.question}`);
    }
  }
  let refused = 0;
  for (const q of unanswerable) {
    const a = await assistant.ask(q.tenant, q.question);
    if (!a.answerable && a.citations.length === 0) refused++;
    else misses.push(`${q.id} answered an uncovered question  ${q.question}`);
    check(q, a);
  }
  const share = (x: number, n: number) => (n ? x / n : 0);
  return {
    figures: {
      questions: questions.length,
      answerable: answerable.length,
      unanswerable: unanswerable.length,
      hybrid: retrievalFigures(ours),
      baselineBigramBm25: retrievalFigures(base),
      coveredAnsweredWithGold: share(cited, answerable.length),
      firstCitationGold: share(first, answerable.length),
      coveredRefused: share(coveredRefused, answerable.length),
      uncoveredRefused: share(refused, unanswerable.length),
      lengthMedian: percentile(lengths, 50),
      lengthP90: percentile(lengths, 90),
      languageMatch: share(languageOk, questions.length),
      cutStatements: cut,
      ...(modelFigures(answers) ? { model: modelFigures(answers)! } : {}),
    },
    misses,
  };
}

function printSet(title: string, file: string, figures: SetFigures, misses: string[], verbose: boolean): void {
  const f = (x: number) => x.toFixed(3);
  const count = (x: number, n: number) => `${f(x)} (${Math.round(x * n)}/${n})`;
  console.log(`\n== ${title}: ${figures.answerable} covered, ${figures.unanswerable} uncovered (${file})\n`);
  console.log('retrieval              recall@1  recall@3  recall@5     MRR');
  for (const [name, r] of [['hybrid (this bot)', figures.hybrid], ['baseline bigram BM25', figures.baselineBigramBm25]] as const) {
    console.log(`${name.padEnd(22)} ${f(r.recall1).padStart(8)}  ${f(r.recall3).padStart(8)}  ${f(r.recall5).padStart(8)}  ${f(r.mrr).padStart(6)}`);
  }
  console.log(`\ncovered answered, gold in first 3 citations: ${count(figures.coveredAnsweredWithGold, figures.answerable)}`);
  console.log(`covered, first citation gold:                ${count(figures.firstCitationGold, figures.answerable)}`);
  console.log(`covered refused:                             ${count(figures.coveredRefused, figures.answerable)}`);
  console.log(`uncovered refused:                           ${count(figures.uncoveredRefused, figures.unanswerable)}`);
  console.log(`answer length before citations (chars):      median ${figures.lengthMedian}, p90 ${figures.lengthP90}`);
  console.log(`language match:                              ${count(figures.languageMatch, figures.questions)}`);
  console.log(`statements cut inside a sentence or item:    ${figures.cutStatements}`);
  if (figures.model) {
    const m = figures.model;
    const reasons = Object.entries(m.fallbacks).map(([r, n]) => `${r} ${n}`).join(', ') || 'none';
    console.log(`model drafts passing verification:           ${count(m.passedVerification, m.asked)}: ${m.sent} sent, ${m.refusalAgreed} agreed "not covered"; offline instead: ${reasons}`);
  }
  if (verbose && misses.length > 0) console.log(`\nnot perfect:\n  ${misses.join('\n  ')}`);
}

export interface EvalOptions {
  questions: string;
  capp?: string;
  cappTenants?: string;
  /** A model file from `train-decide --out` instead of the shipped model. */
  model?: string;
  /** Policies (.txt) for the structure check. */
  corpus: string;
  json?: boolean;
  quiet?: boolean;
  /** Answer with the model LLM_* configures (verified, offline fallback); without it the eval is offline even when LLM_* are set. */
  llm?: boolean;
}

/** The bundled tenants plus the capp-dev tenants, in a temporary knowledge and data directory. */
export async function openWithExtraTenants(config: Config, tenantFiles: string[], corpusDir: string): Promise<PolicyAssistant> {
  const knowledgeDir = knowledgeWithTenants(config.knowledgeDir, tenantFiles, corpusDir);
  const dataDir = mkdtempSync(join(tmpdir(), 'privacy-bot-eval-'));
  return PolicyAssistant.open({ ...config, knowledgeDir, dataDir });
}

export async function runEval(configured: Config, opts: EvalOptions): Promise<void> {
  if (opts.llm && !configured.llm) {
    throw new BotError('invalid_config', 'eval --llm needs a model: set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if the server wants one).');
  }
  const config: Config = opts.llm ? configured : { ...configured, llm: null };
  const decision = opts.model ? { model: parseDecisionModel(JSON.parse(readFileSync(opts.model, 'utf8'))), background: shippedBackground() } : undefined;
  const assistant = await PolicyAssistant.open(config);
  assistant.decision = decision;
  const dev = await scoreSet(assistant, readQuestions(opts.questions));
  const report: Record<string, unknown> = { dev: dev.figures };
  let capp: Awaited<ReturnType<typeof scoreSet>> | null = null;
  const cappFile = opts.capp ?? join(dirname(opts.questions), 'capp-dev-questions.jsonl');
  const cappTenants = opts.cappTenants ?? join(dirname(cappFile), 'capp-dev-tenants.json');
  if (existsSync(cappFile) && existsSync(cappTenants)) {
    const extended = await openWithExtraTenants(config, [cappTenants], defaultCorpusDir(cappTenants));
    extended.decision = decision;
    capp = await scoreSet(extended, readQuestions(cappFile));
    report.cappDev = capp.figures;
  }
  const structure = { knowledge: structureOfKnowledgeBase(assistant.kb), corpus: structureOfCorpus(opts.corpus) };
  report.structure = structure;
  if (opts.json) {
    report.intents = intentFigures(join(dirname(opts.questions), 'dev-intents.jsonl')).map(({ wrong, ...f }) => ({ ...f, wrong: wrong.map((w) => w.id) }));
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  printSet('dev questions (bundled tenants)', opts.questions, dev.figures, dev.misses, !opts.quiet);
  if (capp) printSet('capp-dev questions (new companies)', cappFile, capp.figures, capp.misses, !opts.quiet);
  else console.log(`\ncapp-dev: ${cappFile} or ${cappTenants} not found, skipped`);
  evalIntents(join(dirname(opts.questions), 'dev-intents.jsonl'));
  printStructure('of the knowledge base', structure.knowledge);
  printStructure(`of ${opts.corpus}`, structure.corpus);
}

// --- intents --------------------------------------------------------------------------------

/** Intent accuracy on the labelled dev utterances next to the questions file, and on the hard set. */
export function evalIntents(file: string): void {
  printIntentFigures(intentFigures(file));
}
