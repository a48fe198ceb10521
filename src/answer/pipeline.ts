// The answer path as a langchain Runnable pipeline: retrieve → (rerank) → compose → verify →
// render. Each step is a named Runnable that can be swapped, and every run is traced by the
// callbacks the caller passes (StepTimer logs step timings). Without a model, compose is the
// offline answerer and verify/render pass it through: the same answer as before.

import type { Runnable, RunnableConfig } from '@langchain/core/runnables';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import type { Counter } from 'prom-client';
import type { PolicyMeta, Tenant } from '../knowledge/knowledge-base.ts';
import type { Clause } from '../knowledge/parser.ts';
import type { Language } from '../knowledge/text.ts';
import type { LlmTask } from '../config.ts';
import { answerInstructions, draftAnswer, rerankClauses, rewriteQuery } from '../llm/model-tasks.ts';
import type { CallResult, StructuredCall } from '../llm/structured-call.ts';
import { verifyDraft, type Draft, type ModelOutcome } from '../llm/verify.ts';
import type { QueryAnalysis, ScoredClause, TenantIndex } from '../retrieval/hybrid-retriever.ts';
import type { Answer } from './answerer.ts';
import { renderDraft } from './model-answer.ts';

export interface AskInput {
  tenantId: string;
  question: string;
}

export interface Retrieved {
  text: string;
  tenant: Tenant;
  index: TenantIndex;
  language: Language;
  query: QueryAnalysis;
  /** The ranked results the offline answerer and decision use (never reordered). */
  results: ScoredClause[];
  /** The clauses a model is shown, best first (a reranker may reorder them). */
  shown: Clause[];
  /** When the model's work for this question must be over (performance.now() time); null without a model. */
  deadline: number | null;
}

export interface Composed extends Retrieved {
  offline: Answer;
  /** The model's draft, or null without a model. */
  draft: CallResult<Draft> | null;
}

export interface Verified extends Composed {
  /** null without a model. */
  outcome: ModelOutcome | null;
}

export interface AnswerSteps {
  retrieve: Runnable<AskInput, Retrieved>;
  rerank: Runnable<Retrieved, Retrieved> | null;
  compose: Runnable<Retrieved, Composed>;
  verify: Runnable<Composed, Verified>;
  render: Runnable<Verified, Answer>;
}

/** How many retrieved clauses a model sees per query (the question and its rewrite), and in all. */
export const SHOWN_CLAUSES = 5;
const MAX_SHOWN = 8;

export interface StepDeps {
  retrieve(tenantId: string, question: string): Promise<Omit<Retrieved, 'shown' | 'deadline'>>;
  composeOffline(r: Retrieved): Answer;
  policies: Map<string, PolicyMeta>;
  otherTenantNames(tenant: Tenant): string[];
  model: { call: StructuredCall; tasks: ReadonlySet<LlmTask>; outcomes: Counter<'task' | 'outcome'> } | null;
}

const step = <I, O>(name: string, fn: (input: I, config?: RunnableConfig) => O | Promise<O>): Runnable<I, O> =>
  RunnableLambda.from(fn).withConfig({ runName: name }) as Runnable<I, O>;

/**
 * The model call inside a step: bounded by what is left of the question's budget, and
 * reporting to the step's callbacks (its run is a child of the step's).
 */
const within = (call: StructuredCall, r: { deadline: number | null }, config: RunnableConfig | undefined): StructuredCall => ({
  ...call,
  ...(r.deadline !== null ? { deadline: r.deadline } : {}),
  ...(config?.callbacks ? { callbacks: config.callbacks } : {}),
});

export function defaultSteps(deps: StepDeps): AnswerSteps {
  const model = deps.model;
  const uses = (task: LlmTask) => model !== null && model.tasks.has(task);
  return {
    retrieve: step('retrieve', async ({ tenantId, question }: AskInput, config) => {
      const deadline = model ? performance.now() + model.call.timeoutMs : null;
      const r = await deps.retrieve(tenantId, question);
      const shown = r.results.slice(0, SHOWN_CLAUSES).map((x) => x.clause);
      if (!model || !uses('rewrite')) return { ...r, shown, deadline };
      // The model's wording only widens what the model is shown; the offline answer and its
      // decision keep the user's own question.
      const rewritten = await rewriteQuery(within(model.call, { deadline }, config), { question: r.text, language: r.language });
      model.outcomes.inc({ task: 'rewrite', outcome: rewritten.ok ? 'used' : rewritten.reason });
      if (!rewritten.ok) return { ...r, shown, deadline };
      const more = await deps.retrieve(tenantId, rewritten.value).catch(() => null);
      const extra = (more?.results ?? []).slice(0, SHOWN_CLAUSES).map((x) => x.clause).filter((c) => !shown.some((s) => s.clauseId === c.clauseId));
      return { ...r, shown: [...shown, ...extra].slice(0, MAX_SHOWN), deadline };
    }),
    rerank: uses('rerank')
      ? step('rerank', async (r: Retrieved, config) => {
          const ranked = await rerankClauses(within(model!.call, r, config), { question: r.text, language: r.language, clauses: r.shown, limit: 3 });
          model!.outcomes.inc({ task: 'rerank', outcome: ranked.ok ? 'used' : ranked.reason });
          return ranked.ok ? { ...r, shown: ranked.value } : r;
        })
      : null,
    compose: step('compose', async (r: Retrieved, config) => {
      const offline = deps.composeOffline(r);
      if (!model || !uses('answer') || r.shown.length === 0) return { ...r, offline, draft: null };
      const draft = await draftAnswer(within(model.call, r, config), { question: r.text, language: r.language, company: r.tenant.name, clauses: r.shown });
      return { ...r, offline, draft };
    }),
    verify: step('verify', (c: Composed): Verified => {
      if (!c.draft) return { ...c, outcome: null };
      if (!c.draft.ok) return { ...c, outcome: c.draft.reason };
      const verdict = verifyDraft({
        draft: c.draft.value,
        language: c.language,
        shown: c.shown,
        offline: { answerable: c.offline.answerable, probability: c.offline.confidence?.probability ?? 0, threshold: c.offline.confidence?.threshold ?? 1 },
        ownNames: [c.tenant.name, ...c.tenant.aliases],
        otherNames: deps.otherTenantNames(c.tenant),
        instructions: answerInstructions(),
      });
      return { ...c, outcome: verdict.ok ? (verdict.covered ? 'sent' : 'refusal_agreed') : verdict.reason };
    }),
    render: step('render', (v: Verified): Answer => {
      if (v.outcome === null) return v.offline;
      model?.outcomes.inc({ task: 'answer', outcome: v.outcome });
      if (v.outcome === 'sent' && v.draft?.ok) {
        return renderDraft(v.draft.value, { language: v.language, shown: v.shown, policies: deps.policies, offline: v.offline, tenantName: v.tenant.name });
      }
      return { ...v.offline, model: v.outcome };
    }),
  };
}

export function answerPipeline(steps: AnswerSteps): Runnable<AskInput, Answer> {
  return RunnableSequence.from([steps.retrieve, ...(steps.rerank ? [steps.rerank] : []), steps.compose, steps.verify, steps.render] as [
    Runnable<AskInput, Retrieved>,
    ...Runnable[],
    Runnable<Verified, Answer>,
  ]).withConfig({ runName: 'answer' });
}
