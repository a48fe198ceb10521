// The knowledge side of the bot behind one object: load (or build) the index, search a
// tenant's clauses, answer a question with citations.

import { LLM_TASKS, type Config, type LlmTask } from './config.ts';
import { BotError } from './errors.ts';
import { findTenant, loadKnowledgeBase, type KnowledgeBase, type PolicyMeta } from './knowledge/knowledge-base.ts';
import { detectLanguage, type Language } from './knowledge/text.ts';
import { composeAnswer, formatCitation, headingOf, toCitation, type Answer } from './answer/answerer.ts';
import { shippedBackground, type Background } from './answer/background.ts';
import { shippedDecisionModel, type DecisionModel } from './answer/decide.ts';
import { reply } from './answer/replies.ts';
import { analyseQuery, searchTenant, type ScoredClause } from './retrieval/hybrid-retriever.ts';
import { buildIndex, indexExists, indexHash, previousIndexDir, indexedText, isRetrievable, loadIndex, type BuildProgress, type EmbeddingChoice, type LoadedIndex } from './retrieval/index-store.ts';
import type { TenantIndex } from './retrieval/hybrid-retriever.ts';
import { Bm25Index } from './retrieval/bm25.ts';
import { analyze } from './retrieval/tokenizer.ts';
import { changedExcerpt, diffPolicies, sentencesOf, type ClauseChange } from './knowledge/policy-diff.ts';
import { pastReference } from './knowledge/versions.ts';
import { isWhatChangedQuestion } from './conversation/what-changed.ts';
import type { PolicyVersionText } from './knowledge/knowledge-base.ts';
import { Lexicon } from './retrieval/lexicon.ts';
import { OpenAiCompatibleEmbeddings } from './retrieval/openai-embeddings.ts';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Runnable } from '@langchain/core/runnables';
import pino, { type Logger } from 'pino';
import type { Counter } from 'prom-client';
import { answerPipeline, defaultSteps, type AnswerSteps, type AskInput, type Retrieved } from './answer/pipeline.ts';
import { classifyIntent } from './conversation/interpret/index.ts';
import type { Intent } from './conversation/types.ts';
import { createChatModel } from './llm/chat-model.ts';
import { classifyIntentWithModel } from './llm/model-tasks.ts';
import { modelOutcomeCounter } from './llm/outcomes.ts';
import { StepTimer } from './llm/step-timer.ts';
import type { StructuredCall } from './llm/structured-call.ts';

export const MAX_QUESTION_LENGTH = 2000;

export interface SearchHit {
  policyId: string;
  clauseId: string;
  number: string;
  title: string;
  text: string;
  score: number;
}

export function embeddingChoice(config: Config): EmbeddingChoice {
  if (!config.embeddings) return { id: 'corpus-lsa', external: null };
  const { baseUrl, model, apiKey } = config.embeddings;
  return { id: `openai:${model}@${baseUrl}`, external: new OpenAiCompatibleEmbeddings({ baseUrl, model, apiKey }) };
}

/** Rejects input no answer can come from; the message is in the language of the text. */
export function validateQuestion(text: unknown): string {
  const language: Language = typeof text === 'string' ? detectLanguage(text) : 'zh';
  if (typeof text !== 'string' || text.trim() === '') throw new BotError('invalid_input', reply(language, 'invalidEmpty'));
  if ([...text].length > MAX_QUESTION_LENGTH) {
    throw new BotError('invalid_input', reply(language, 'invalidTooLong', { length: [...text].length, max: MAX_QUESTION_LENGTH }));
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) throw new BotError('invalid_input', reply(language, 'invalidControl'));
  return text.trim();
}

/** Below this confidence of the offline intent classifier a configured model is asked for the label. */
export const UNSURE_INTENT = 0.75;

export interface AssistantOptions {
  rebuild?: boolean;
  progress?: BuildProgress;
  /** A chat model instead of the one LLM_* configures (tests pass langchain's fakes); null = none. */
  model?: BaseChatModel | null;
  /** How long the model may take per question (default LLM_TIMEOUT_MS). */
  modelTimeoutMs?: number;
  /** What the model is used for (default LLM_TASKS, or all with an injected model). */
  modelTasks?: readonly LlmTask[];
  /** Receives the step timings (debug level); default silent. */
  logger?: Logger;
  /** The day whose policy versions are in force (default today). */
  asOf?: Date;
  /** Keep counting into this counter (a reload keeps the one the server exposes). */
  modelOutcomes?: Counter<'task' | 'outcome'>;
}

export class PolicyAssistant {
  /**
   * The manifest's policies by the id their clauses carry (titles and effective dates for
   * citations): the policy id for the version in force, "id@date" for its other versions.
   */
  readonly policies: Map<string, PolicyMeta>;
  /** Another answer-or-refuse model than the shipped one (evaluation of a model held out from a set). */
  decision: { model: DecisionModel; background: Background } | undefined;
  private readonly archives = new Map<string, TenantIndex>();
  /** Model calls by task and outcome; the server adds it to /metrics. */
  readonly modelOutcomes: Counter<'task' | 'outcome'>;
  /** The configured model and its deadline, or null: the offline path only. */
  readonly model: StructuredCall | null;
  private steps: AnswerSteps;
  private pipeline: Runnable<AskInput, Answer>;
  private usePipeline: boolean;
  /** Traces the pipeline when debug logging is on (the callbacks cost ~2 ms an answer, so not otherwise). */
  private readonly callbacks: StepTimer[];

  private readonly modelTasks: ReadonlySet<LlmTask>;

  private constructor(
    readonly kb: KnowledgeBase,
    readonly lexicon: Lexicon,
    readonly index: LoadedIndex,
    model: StructuredCall | null,
    tasks: readonly LlmTask[],
    logger: Logger,
    outcomes: Counter<'task' | 'outcome'>,
    /** True when an index built for older knowledge serves while the current one is built elsewhere. */
    readonly stale = false,
  ) {
    this.modelOutcomes = outcomes;
    this.policies = new Map(kb.versions.map((v) => [v.key, v.meta]));
    this.model = model;
    this.modelTasks = new Set(tasks);
    this.callbacks = logger.isLevelEnabled('debug') ? [new StepTimer(logger)] : [];
    this.usePipeline = model !== null || this.callbacks.length > 0;
    this.steps = defaultSteps({
      retrieve: (tenantId, question) => this.retrieve(tenantId, question, 8),
      composeOffline: (r) => this.composeOffline(r),
      policies: this.policies,
      otherTenantNames: (tenant) => this.kb.tenants.filter((t) => t.id !== tenant.id).flatMap((t) => [t.name, ...t.aliases]),
      model: model ? { call: model, tasks: this.modelTasks, outcomes: this.modelOutcomes } : null,
    });
    this.pipeline = answerPipeline(this.steps);
  }

  private composeOffline(r: Omit<Retrieved, 'shown' | 'deadline'>): Answer {
    const otherTenants = this.kb.tenants.filter((t) => t.id !== r.tenant.id);
    return composeAnswer(r.text, r.results, r.query, { tenant: r.tenant, otherTenants, policies: this.policies, index: r.index, language: r.language, decision: this.decision });
  }

  /** The steps of the answer pipeline; `replaceSteps` swaps any of them. */
  answerSteps(): AnswerSteps {
    return { ...this.steps };
  }

  replaceSteps(steps: Partial<AnswerSteps>): void {
    this.steps = { ...this.steps, ...steps };
    this.pipeline = answerPipeline(this.steps);
    this.usePipeline = true;
  }

  /**
   * For the server's start: when the index for the current knowledge is missing but an older
   * one exists, serves the older one (`stale`), so start-up takes milliseconds and /healthz is
   * up; the caller builds the new index in another process and then reloads. Otherwise open().
   */
  static async openServing(config: Config, options: AssistantOptions = {}): Promise<PolicyAssistant> {
    const kb = loadKnowledgeBase(config.knowledgeDir, { asOf: options.asOf });
    const lexicon = Lexicon.load(config.knowledgeDir);
    const embedding = embeddingChoice(config);
    const hash = indexHash(kb, lexicon, embedding);
    const previous = indexExists(config.dataDir, hash) ? null : previousIndexDir(config.dataDir, hash);
    if (previous) {
      let index: LoadedIndex | null = null;
      try {
        index = loadIndex(kb, lexicon, config.dataDir, embedding, previous);
      } catch {
        // An unreadable older index: build the current one now.
      }
      if (index) return PolicyAssistant.assemble(config, options, kb, lexicon, index, true);
    }
    return PolicyAssistant.open(config, options);
  }

  /** Loads the index for the current knowledge, building it first when it is missing or stale. */
  static async open(config: Config, options: AssistantOptions = {}): Promise<PolicyAssistant> {
    const kb = loadKnowledgeBase(config.knowledgeDir, { asOf: options.asOf });
    const lexicon = Lexicon.load(config.knowledgeDir);
    const embedding = embeddingChoice(config);
    const hash = indexHash(kb, lexicon, embedding);
    const index =
      !options.rebuild && indexExists(config.dataDir, hash)
        ? loadIndex(kb, lexicon, config.dataDir, embedding)
        : await buildIndex(kb, lexicon, config.dataDir, embedding, options.progress, { full: options.rebuild });
    return PolicyAssistant.assemble(config, options, kb, lexicon, index, false);
  }

  /** The assistant over a loaded index, with the configured (or injected) model. */
  private static assemble(config: Config, options: AssistantOptions, kb: KnowledgeBase, lexicon: Lexicon, index: LoadedIndex, stale: boolean): PolicyAssistant {
    // Load the answer-or-refuse model now: a broken model file fails at start, and the first
    // question does not pay for reading it.
    shippedDecisionModel();
    shippedBackground();
    const chatModel = options.model !== undefined ? options.model : config.llm ? createChatModel(config.llm) : null;
    const model = chatModel ? { model: chatModel, timeoutMs: options.modelTimeoutMs ?? config.llm?.timeoutMs ?? 3000 } : null;
    const tasks = options.modelTasks ?? config.llm?.tasks ?? LLM_TASKS;
    return new PolicyAssistant(kb, lexicon, index, model, tasks, options.logger ?? pino({ level: 'silent' }), options.modelOutcomes ?? modelOutcomeCounter(), stale);
  }

  tenantIds(): string[] {
    return this.kb.tenants.map((t) => t.id);
  }

  private tenantIndex(tenantId: string) {
    const tenant = findTenant(this.kb, tenantId);
    const index = this.index.tenants.get(tenant.id);
    if (!index) throw new BotError('unknown_tenant', `Tenant "${tenantId}" has no policies in the index.`);
    return { tenant, index };
  }

  async retrieve(tenantId: string, question: string, k: number) {
    const text = validateQuestion(question);
    const { tenant, index } = this.tenantIndex(tenantId);
    const language = detectLanguage(text);
    const query = analyseQuery(text, this.lexicon, index);
    const results = await searchTenant(index, query, text, this.index.embedder, { k, language });
    return { text, tenant, index, language, query, results };
  }

  async search(tenantId: string, question: string, k = 5): Promise<SearchHit[]> {
    const { results } = await this.retrieve(tenantId, question, k);
    return results.map(toHit);
  }

  /**
   * Answers from the versions in force; a question about the past ("去年的政策里…", "the
   * previous policy") is answered from the versions in force then, when they differ.
   */
  async ask(tenantId: string, question: string): Promise<Answer> {
    if (typeof question === 'string' && isWhatChangedQuestion(question)) return this.whatChanged(tenantId, question);
    // Questions about earlier versions and about changes stay offline: the model is shown the
    // versions in force only.
    const past = this.pastVersions(tenantId, question);
    if (past) return this.askArchive(tenantId, question, past);
    if (this.usePipeline) return this.pipeline.invoke({ tenantId, question }, { callbacks: this.callbacks });
    // No model and nobody watching step timings: the pipeline would retrieve and compose
    // offline and pass the answer through, so do just that without its ~0.5 ms of runs.
    return this.composeOffline(await this.retrieve(tenantId, question, 8));
  }

  /** The offline classifier's reading, with a configured model's label where it is unsure. */
  async classifyIntent(text: string): Promise<{ intent: Intent; confidence: number; language: Language }> {
    const offline = classifyIntent(text);
    return { ...offline, intent: await this.refineIntent(text, offline) };
  }

  /**
   * The offline intent, or, when the offline classifier is unsure and a model is configured,
   * the model's label if it gives one of the known intents in time.
   */
  async refineIntent(text: string, offline: { intent: Intent; confidence: number; language: Language }): Promise<Intent> {
    if (!this.model || !this.modelTasks.has('intent') || offline.confidence >= UNSURE_INTENT) return offline.intent;
    const labelled = await classifyIntentWithModel({ ...this.model, callbacks: this.callbacks }, { text, language: offline.language });
    this.modelOutcomes.inc({ task: 'intent', outcome: labelled.ok ? 'used' : labelled.reason });
    return labelled.ok ? labelled.value : offline.intent;
  }

  /** Every version of each of a tenant's policies, oldest first. */
  tenantVersions(tenantId: string): Map<string, PolicyVersionText[]> {
    const byPolicy = new Map<string, PolicyVersionText[]>();
    for (const v of this.kb.versions) {
      if (v.meta.tenant !== tenantId) continue;
      byPolicy.set(v.meta.id, [...(byPolicy.get(v.meta.id) ?? []), v]);
    }
    return byPolicy;
  }

  /** The versions a question about the past refers to, or null when that is the versions in force. */
  private pastVersions(tenantId: string, question: string): PolicyVersionText[] | null {
    const reference = typeof question === 'string' ? pastReference(question, this.kb.asOf) : null;
    if (!reference) return null;
    const chosen: PolicyVersionText[] = [];
    for (const versions of this.tenantVersions(findTenant(this.kb, tenantId).id).values()) {
      const current = versions.findIndex((v) => v.inForce);
      const pick =
        'previous' in reference
          ? versions[Math.max(0, current - 1)]
          : (versions.filter((v) => (v.meta.effectiveDate ?? '0000') <= reference.day).at(-1) ?? null);
      if (pick) chosen.push(pick);
    }
    return chosen.some((v) => !v.inForce) ? chosen : null;
  }

  private async askArchive(tenantId: string, question: string, versions: PolicyVersionText[]): Promise<Answer> {
    const text = validateQuestion(question);
    const tenant = findTenant(this.kb, tenantId);
    const key = versions.map((v) => v.key).join('|');
    let index = this.archives.get(key);
    if (!index) {
      const clauses = versions.flatMap((v) => v.clauses).filter(isRetrievable);
      const bm25 = Bm25Index.build(clauses.map((c) => {
        const { words, bigrams } = analyze(indexedText(c));
        return words.concat(bigrams);
      }));
      index = { tenant: tenant.id, clauses, bm25, vectors: null, languages: new Map(versions.map((v) => [v.key, v.meta.language])) };
      this.archives.set(key, index);
    }
    const language = detectLanguage(text);
    const query = analyseQuery(text, this.lexicon, index);
    const results = await searchTenant(index, query, text, null, { k: 8, language });
    const otherTenants = this.kb.tenants.filter((t) => t.id !== tenant.id);
    const answer = composeAnswer(text, results, query, { tenant, otherTenants, policies: this.policies, index, language, decision: this.decision });
    if (!answer.answerable) return answer;
    const dates = [...new Set(versions.filter((v) => !v.inForce).map((v) => v.meta.effectiveDate ?? '—'))].join(', ');
    return { ...answer, answer: `${reply(language, 'pastVersionIntro', { tenant: tenant.name, dates })}\n${answer.answer}` };
  }

  /**
   * "What changed in the privacy policy": a clause-level diff of the two latest versions of
   * the tenant's policy (the one in the question's language when it has several), each
   * change cited; retention, sharing, rights and contact changes first.
   */
  whatChanged(tenantId: string, question: string, maxItems = 8): Answer {
    const text = validateQuestion(question);
    const tenant = findTenant(this.kb, tenantId);
    const language = detectLanguage(text);
    const candidates = [...this.tenantVersions(tenant.id).values()]
      .map((versions) => ({ versions, current: versions.findIndex((v) => v.inForce) }))
      .filter(({ current }) => current > 0)
      .sort((a, b) => Number(b.versions[0]!.meta.language === language) - Number(a.versions[0]!.meta.language === language));
    const chosen = candidates[0];
    if (!chosen) return { answerable: false, language, answer: reply(language, 'whatChangedNone', { tenant: tenant.name }), statements: [], citations: [] };
    const after = chosen.versions[chosen.current]!;
    const before = chosen.versions[chosen.current - 1]!;
    const diff = diffPolicies(before.clauses, after.clauses);
    const vars = { tenant: tenant.name, policy: after.meta.title, from: before.meta.effectiveDate ?? '—', to: after.meta.effectiveDate ?? '—' };
    if (diff.changes.length === 0) return { answerable: true, language, answer: reply(language, 'whatChangedSame', vars), statements: [], citations: [] };
    const listed = diff.changes.slice(0, maxItems);
    const citations = listed.map((c) => toCitation((c.after ?? c.before)!, this.policies));
    const statements = listed.map((c, i) => ({ text: describeChange(c, language), citation: i + 1 }));
    const lines = [reply(language, 'whatChangedIntro', vars)];
    for (const s of statements) lines.push(`${s.text} [${s.citation}]`);
    if (diff.changes.length > listed.length) lines.push(reply(language, 'whatChangedMore', { count: diff.changes.length - listed.length }));
    lines.push('', reply(language, 'citationsHeader'));
    citations.forEach((c, i) => lines.push(`[${i + 1}] ${formatCitation(c, language)}`));
    return { answerable: true, language, answer: lines.join('\n'), statements, citations };
  }
}

function describeChange(change: ClauseChange, language: Language): string {
  const clause = (change.after ?? change.before)!;
  const name = [clause.number, headingOf(clause)].filter(Boolean).join(' ');
  const body =
    change.kind === 'changed' && change.newSentences.length > 0
      ? change.newSentences.map((s) => changedExcerpt(s, sentencesOf(change.before!))).join(' ')
      : changedExcerpt(sentencesOf(clause).join(' ') || clause.text, []);
  const described = `${name}${language === 'zh' ? '：' : ': '}${body}`;
  const key = change.kind === 'added' ? 'whatChangedAdded' : change.kind === 'removed' ? 'whatChangedRemoved' : 'whatChangedChanged';
  const topic = change.topic ? reply(language, 'whatChangedTopic', { topic: reply(language, `topic.${change.topic}`) }) : '';
  return `${topic}${reply(language, key, { clause: described })}`;
}

function toHit(r: ScoredClause): SearchHit {
  const c = r.clause;
  return { policyId: c.policyId, clauseId: c.clauseId, number: c.number, title: headingOf(c), text: c.text, score: Number(r.score.toFixed(4)) };
}
