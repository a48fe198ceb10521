// `privacy-bot train-decide`: rebuilds the background statistic from CAPP-130 and fits the
// answer-or-refuse model on labelled questions (the dev sets plus src/answer/training/answer-questions.jsonl
// over CAPP-130 policies outside capp-dev). Leave-one-tenant-out cross-validation gives every
// question a held-out probability; the threshold is chosen on those (the worse of covered
// answered and uncovered refused as high as possible: both errors count). Writes
// src/answer/model/background.json and decide.json.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import type { Config } from '../config.ts';
import { Background, BACKGROUND_FILE, generalWords } from '../answer/background.ts';
import { DECISION_MODEL_FILE, FEATURES, decisionFeatures, probability, type DecisionModel, type Features } from '../answer/decide.ts';
import type { PolicyAssistant } from '../policy-assistant.ts';
import { isGold, openWithExtraTenants, readQuestions, type Question } from './eval.ts';

export interface Example {
  set: string;
  question: Question;
  features: Features;
  /** Rank of the first gold clause among the retrieved (null: none in the first 8). */
  goldRank: number | null;
}

const docMaps = new WeakMap<object, Map<unknown, number>>();

export async function extractExamples(assistant: PolicyAssistant, set: string, questions: Question[], background: Background): Promise<Example[]> {
  const out: Example[] = [];
  for (const q of questions) {
    const { text, index, language, query, results } = await assistant.retrieve(q.tenant, q.question, 8);
    let docs = docMaps.get(index);
    if (!docs) {
      docs = new Map(index.clauses.map((c, i) => [c, i]));
      docMaps.set(index, docs);
    }
    const positions = results.map((r) => docs.get(r.clause)!);
    const tenant = assistant.kb.tenants.find((t) => t.id === q.tenant)!;
    const features = decisionFeatures({ question: text, language, query, results, index, docs: positions, background, names: [tenant.name, ...tenant.aliases] });
    const rank = results.findIndex((r) => isGold(r.clause.text, q.gold));
    out.push({ set, question: q, features, goldRank: rank < 0 ? null : rank + 1 });
  }
  return out;
}

/** Logistic regression (ml-logistic-regression, gradient ascent) on standardised features. */
export function fit(examples: Example[], options: { steps?: number; learningRate?: number } = {}): Omit<DecisionModel, 'threshold' | 'notes'> {
  const rows = examples.map((e) => FEATURES.map((f) => e.features[f]));
  const mean = FEATURES.map((_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const scale = FEATURES.map((_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / rows.length) || 1);
  const x = new Matrix(rows.map((r) => [1, ...r.map((v, j) => (v - mean[j]!) / scale[j]!)]));
  const y = Matrix.columnVector(examples.map((e) => (e.question.answerable ? 1 : 0)));
  // The library sums the gradient over examples, so the step is scaled by their number.
  const model = new LogisticRegression({ numSteps: options.steps ?? 300, learningRate: options.learningRate ?? 0.5 / examples.length });
  model.train(x, y);
  // classifiers[0] is "not class 0", i.e. the probability that the question is covered.
  const weights = model.classifiers[0]!.weights.to1DArray();
  return { features: [...FEATURES], mean, scale, weights };
}

/**
 * The threshold on held-out probabilities that makes the worse of the two rates (covered
 * answered, uncovered refused) as high as possible, then their sum; midpoint between neighbours.
 */
export function chooseThreshold(scored: { p: number; covered: boolean }[]): number {
  const ps = [...new Set(scored.map((s) => s.p))].sort((a, b) => a - b);
  const covered = scored.filter((s) => s.covered).length || 1;
  const uncovered = scored.filter((s) => !s.covered).length || 1;
  let best = { t: 0.5, score: -1 };
  for (let i = 0; i <= ps.length; i++) {
    const t = i === 0 ? 0 : i === ps.length ? 1 : (ps[i - 1]! + ps[i]!) / 2;
    const tpr = scored.filter((s) => s.covered && s.p >= t).length / covered;
    const tnr = scored.filter((s) => !s.covered && s.p < t).length / uncovered;
    const score = Math.min(tpr, tnr) * 10 + tpr + tnr;
    if (score > best.score + 1e-9) best = { t, score };
  }
  return best.t;
}

function figures(examples: Example[], ps: number[], threshold: number) {
  const rows = examples.map((e, i) => ({ e, answered: ps[i]! >= threshold }));
  const cov = rows.filter((r) => r.e.question.answerable);
  const unc = rows.filter((r) => !r.e.question.answerable);
  const share = (n: number, d: number) => Number((d ? n / d : 0).toFixed(3));
  return {
    covered: cov.length,
    uncovered: unc.length,
    coveredAnswered: share(cov.filter((r) => r.answered).length, cov.length),
    coveredAnsweredGoldTop3: share(cov.filter((r) => r.answered && r.e.goldRank !== null && r.e.goldRank <= 3).length, cov.length),
    uncoveredRefused: share(unc.filter((r) => !r.answered).length, unc.length),
  };
}

export interface TrainOptions {
  corpus: string;
  evalDir: string;
  training: string;
  write?: boolean;
  steps?: number;
  /** Leave these sets (dev, capp-dev, training) out of the fit. */
  exclude?: string[];
  /** Write the model here instead of src/answer/model/decide.json (the background is not written). */
  out?: string;
}

export async function runTrainDecide(config: Config, opts: TrainOptions): Promise<void> {
  const corpus = resolve(opts.corpus);
  const files = readdirSync(corpus).filter((f) => /\.txt$/.test(f)).sort();
  const background = Background.build(
    files.map((f) => readFileSync(join(corpus, f), 'utf8')),
    `CAPP-130 (${files.length} policies), jieba words, document frequency >= 2; generality from jieba's dictionary`,
    2,
    generalWords(),
  );
  console.log(`background: ${Object.keys(background.data.df).length} words over ${background.data.documents} policies`);

  const cappTenants = join(opts.evalDir, 'capp-dev-tenants.json');
  const trainingTenants = join(opts.training, 'capp-tenants.json');
  const assistant = await openWithExtraTenants(config, [cappTenants, trainingTenants], corpus);
  const sets: [string, string][] = [
    ['dev', join(opts.evalDir, 'dev-questions.jsonl')],
    ['capp-dev', join(opts.evalDir, 'capp-dev-questions.jsonl')],
    ['training', join(opts.training, 'answer-questions.jsonl')],
  ];
  const examples: Example[] = [];
  for (const [name, file] of sets) {
    if (opts.exclude?.includes(name)) continue;
    examples.push(...(await extractExamples(assistant, name, readQuestions(file), background)));
  }
  console.log(`examples: ${examples.length} (${examples.filter((e) => e.question.answerable).length} covered)`);

  // Leave one tenant out: each question is scored by a model that never saw its policy.
  const tenants = [...new Set(examples.map((e) => e.question.tenant))];
  const heldOut = new Array<number>(examples.length).fill(0);
  for (const tenant of tenants) {
    const model = fit(examples.filter((e) => e.question.tenant !== tenant), { steps: opts.steps });
    examples.forEach((e, i) => {
      if (e.question.tenant === tenant) heldOut[i] = probability({ ...model, threshold: 0.5, notes: {} }, e.features);
    });
  }
  const threshold = chooseThreshold(examples.map((e, i) => ({ p: heldOut[i]!, covered: e.question.answerable })));
  const cv: Record<string, unknown> = { all: figures(examples, heldOut, threshold) };
  for (const [name] of sets.filter(([n]) => !opts.exclude?.includes(n))) {
    const idx = examples.map((e, i) => (e.set === name ? i : -1)).filter((i) => i >= 0);
    cv[name] = figures(idx.map((i) => examples[i]!), idx.map((i) => heldOut[i]!), threshold);
  }
  const final = fit(examples, { steps: opts.steps });
  const model: DecisionModel = {
    ...final,
    threshold: Number(threshold.toFixed(4)),
    notes: {
      trainedOn: Object.fromEntries(sets.filter(([name]) => !opts.exclude?.includes(name)).map(([name, file]) => [name, file])),
      examples: examples.length,
      thresholdChoice: 'maximises min(covered answered, uncovered refused), then their sum, on leave-one-tenant-out held-out probabilities',
      leaveOneTenantOut: cv,
    },
  };
  console.log(`threshold ${model.threshold}; leave-one-tenant-out figures:\n${JSON.stringify(cv, null, 2)}`);
  console.log(`weights: ${['(intercept)', ...FEATURES].map((f, i) => `${f}=${final.weights[i]!.toFixed(2)}`).join(' ')}`);
  for (const [i, e] of examples.entries()) {
    const wrong = e.question.answerable !== heldOut[i]! >= threshold;
    if (wrong) console.log(`  held-out miss p=${heldOut[i]!.toFixed(2)} ${e.question.answerable ? 'covered' : 'uncovered'} ${e.question.id} ${e.question.question}`);
  }
  if (opts.out) {
    writeFileSync(opts.out, `${JSON.stringify(model, null, 2)}\n`);
    console.log(`wrote ${opts.out}`);
  } else if (opts.write !== false) {
    writeFileSync(BACKGROUND_FILE, `${JSON.stringify(background.data)}\n`);
    writeFileSync(DECISION_MODEL_FILE, `${JSON.stringify(model, null, 2)}\n`);
    console.log(`wrote ${BACKGROUND_FILE.pathname} and ${DECISION_MODEL_FILE.pathname}`);
  }
}
