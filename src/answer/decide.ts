// Answer or refuse, as a calibrated decision: a logistic regression over the evidence
// retrieval found (scores, margins, agreement of the lexical and dense retrievers, how much
// of the question's content the best clauses cover, how policy-like the question's words
// are, question type). Fitted by `privacy-bot train-decide`; weights in model/decide.json.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import { coverageScorer, type QueryAnalysis, type ScoredClause, type TenantIndex } from '../retrieval/hybrid-retriever.ts';
import { analyze, isStopword, normalise } from '../retrieval/tokenizer.ts';
import type { Language } from '../knowledge/text.ts';
import type { Background } from './background.ts';

export const DECISION_MODEL_FILE = new URL('./model/decide.json', import.meta.url);

export const FEATURES = [
  'coverage',
  'coverageTop1',
  'contentCoverage',
  'unknownShare',
  'uncoveredContent',
  'policyVocabulary',
  'lexicalTop',
  'denseTop',
  'margin',
  'agreement',
  'asksQuantity',
  'crossLingual',
  'droppedShare',
  'conceptCount',
] as const;
export type FeatureName = (typeof FEATURES)[number];
export type Features = Record<FeatureName, number>;

export interface EvidenceInput {
  question: string;
  language: Language;
  query: QueryAnalysis;
  results: ScoredClause[];
  index: TenantIndex;
  /** Positions of the results' clauses in index.clauses. */
  docs: number[];
  background: Background;
  /** The tenant's name and aliases: every clause of its policy may use them, so they prove nothing. */
  names: string[];
}

/**
 * Colloquial question and filler words ("为啥", "怎么办", "有没有", "一直"): they shape the
 * question, not its topic, so a policy that never uses them may still answer it.
 */
const QUESTION_WORDS = new Set(
  '为啥 为何 怎么办 咋办 咋样 怎么弄 怎么搞 干嘛 干啥 啥时候 什么时候 有没有 能不能 还能 可不可以 是不是 会不会 要不要 行不行 到底 老是 总是 一直 的话 一下 还是 这样 那样 如果 要是 万一 现在 以后 之后 时候 不想 不要 想要 可以吗 怎么样 哪里 哪儿 在哪 在哪里'.split(' '),
);

/** "多少钱 / 价格 / 几个 / how much / how many": the question asks for an amount or a count. */
export function asksQuantity(question: string): boolean {
  const q = normalise(question);
  // "电话多少 / 号码是多少" asks for a contact, not an amount.
  const rest = q.replace(/(电话|号码|热线|邮箱|编号|地址)(是)?多少/g, '');
  return /多少|价格|价钱|几块|几元|几个|几次|几号|\bhow (much|many)\b|\b(price|prices|cost|costs)\b/.test(rest);
}

/** The evidence features of one question and its ranked results. */
export function decisionFeatures(input: EvidenceInput): Features {
  const { question, results, index, docs, background } = input;
  const names = input.names.map((n) => normalise(n)).filter((n) => n.length >= 2);
  const words = input.query.concepts.map((c) => c.word);
  const concepts = input.query.concepts.filter(
    (c) =>
      !QUESTION_WORDS.has(c.word) &&
      !names.some((n) => n.includes(c.word) || c.word.includes(n)) &&
      // jieba's search mode also yields a compound's parts ("个人", "信息" of "个人信息"):
      // the decision counts the compound once.
      !words.some((w) => w !== c.word && w.includes(c.word)),
  );
  const query = { ...input.query, concepts };
  const top3 = docs.slice(0, 3);
  const known = (t: string) => background.known(t) || index.bm25.has(t);
  type Concept = (typeof concepts)[number];
  // A concept weighs by its most policy-typical form (an everyday word the lexicon maps to
  // policy vocabulary is as specific as that vocabulary), less when it is everyday filler.
  const specificity = (c: Concept) => Math.min(...c.alternatives.map((t) => (known(t) ? background.specificity(t) : 1)));
  const content = (c: Concept) => specificity(c) * (1 - 0.8 * background.generality(c.word));
  const covers = coverageScorer(index, query);
  const contentCovers = coverageScorer(index, query, content);
  const oneConcept = (c: Concept) => coverageScorer(index, { ...query, concepts: [c] })(top3);
  let uncoveredContent = 0;
  let unknown = 0;
  let vocabulary = 0;
  for (const c of concepts) {
    if (!c.alternatives.some(known)) unknown++;
    vocabulary += Math.max(...c.alternatives.map((t) => background.share(t)));
    if (oneConcept(c) === 0) uncoveredContent = Math.max(uncoveredContent, content(c));
  }
  const latin = analyze(question).words.filter((w) => /^[a-z]/.test(w) && !isStopword(w));
  const kept = new Set(concepts.map((c) => c.word));
  const dropped = latin.filter((w) => !kept.has(w)).length;
  const s1 = results[0]?.score ?? 0;
  const s2 = results[1]?.score ?? 0;
  let bestDense = -1;
  results.forEach((r, i) => {
    if (bestDense < 0 || r.dense > results[bestDense]!.dense) bestDense = i;
  });
  const hasLanguage = [...index.languages.values()].includes(input.language);
  return {
    coverage: results.length > 0 && results[0]!.lexical > 0 ? covers(top3) : 0,
    coverageTop1: results.length > 0 && results[0]!.lexical > 0 ? covers(top3.slice(0, 1)) : 0,
    contentCoverage: results.length > 0 ? contentCovers(top3) : 0,
    unknownShare: concepts.length > 0 ? unknown / concepts.length : 1,
    uncoveredContent,
    policyVocabulary: concepts.length > 0 ? vocabulary / concepts.length : 0,
    lexicalTop: Math.log1p(results[0]?.lexical ?? 0),
    denseTop: Math.max(0, ...results.slice(0, 3).map((r) => r.dense)),
    margin: s1 > 0 ? (s1 - s2) / s1 : 0,
    agreement: bestDense >= 0 && bestDense < 3 && results[bestDense]!.dense > 0 ? 1 : 0,
    asksQuantity: asksQuantity(question) ? 1 : 0,
    crossLingual: hasLanguage ? 0 : 1,
    droppedShare: latin.length > 0 ? dropped / latin.length : 0,
    conceptCount: Math.min(1, concepts.length / 8),
  };
}

const ModelSchema = z.object({
  features: z.array(z.enum(FEATURES)),
  /** Standardisation: x' = (x - mean) / scale. */
  mean: z.array(z.number()),
  scale: z.array(z.number().positive()),
  /** Intercept first, then one weight per feature. */
  weights: z.array(z.number()),
  threshold: z.number().min(0).max(1),
  notes: z.record(z.string(), z.unknown()).default({}),
});
export type DecisionModel = z.infer<typeof ModelSchema>;

export function parseDecisionModel(json: unknown): DecisionModel {
  const m = ModelSchema.parse(json);
  if (m.mean.length !== m.features.length || m.scale.length !== m.features.length || m.weights.length !== m.features.length + 1) {
    throw new BotError('invalid_knowledge', 'decision model: mean, scale and weights must match the feature list');
  }
  return m;
}

let shipped: DecisionModel | null = null;
/** The shipped model, loaded and validated once. */
export function shippedDecisionModel(): DecisionModel {
  if (!shipped) {
    try {
      shipped = parseDecisionModel(JSON.parse(readFileSync(DECISION_MODEL_FILE, 'utf8')));
    } catch (cause) {
      if (cause instanceof BotError) throw cause;
      throw new BotError('invalid_knowledge', 'Cannot load src/answer/model/decide.json; refit it with "privacy-bot train-decide".', { cause });
    }
  }
  return shipped;
}

export function probability(model: DecisionModel, features: Features): number {
  let z = model.weights[0]!;
  model.features.forEach((name, i) => {
    z += model.weights[i + 1]! * ((features[name] - model.mean[i]!) / model.scale[i]!);
  });
  return 1 / (1 + Math.exp(-z));
}

export interface Decision {
  answer: boolean;
  probability: number;
  threshold: number;
  features: Features;
}

export function decide(model: DecisionModel, features: Features): Decision {
  const p = probability(model, features);
  return { answer: p >= model.threshold, probability: p, threshold: model.threshold, features };
}
