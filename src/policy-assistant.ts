// The knowledge side of the bot behind one object: load (or build) the index, search a
// tenant's clauses, answer a question with citations.

import type { Config } from './config.ts';
import { BotError } from './errors.ts';
import { findTenant, loadKnowledgeBase, type KnowledgeBase, type PolicyMeta } from './knowledge/knowledge-base.ts';
import { detectLanguage, type Language } from './knowledge/text.ts';
import { composeAnswer, headingOf, type Answer } from './answer/answerer.ts';
import { reply } from './answer/replies.ts';
import { analyseQuery, searchTenant, type ScoredClause } from './retrieval/hybrid-retriever.ts';
import { buildIndex, indexExists, indexHash, loadIndex, type BuildProgress, type EmbeddingChoice, type LoadedIndex } from './retrieval/index-store.ts';
import { Lexicon } from './retrieval/lexicon.ts';
import { OpenAiCompatibleEmbeddings } from './retrieval/openai-embeddings.ts';

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

export class PolicyAssistant {
  /** The manifest's policies by id (titles for citations). */
  readonly policies: Map<string, PolicyMeta>;

  private constructor(
    readonly kb: KnowledgeBase,
    readonly lexicon: Lexicon,
    readonly index: LoadedIndex,
  ) {
    this.policies = new Map(kb.policies.map((p) => [p.id, p]));
  }

  /** Loads the index for the current knowledge, building it first when it is missing or stale. */
  static async open(config: Config, options: { rebuild?: boolean; progress?: BuildProgress } = {}): Promise<PolicyAssistant> {
    const kb = loadKnowledgeBase(config.knowledgeDir);
    const lexicon = Lexicon.load(config.knowledgeDir);
    const embedding = embeddingChoice(config);
    const hash = indexHash(kb, lexicon, embedding);
    const index =
      !options.rebuild && indexExists(config.dataDir, hash)
        ? loadIndex(kb, lexicon, config.dataDir, embedding)
        : await buildIndex(kb, lexicon, config.dataDir, embedding, options.progress);
    return new PolicyAssistant(kb, lexicon, index);
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

  async ask(tenantId: string, question: string): Promise<Answer> {
    const { text, tenant, index, language, query, results } = await this.retrieve(tenantId, question, 8);
    const otherTenants = this.kb.tenants.filter((t) => t.id !== tenant.id);
    return composeAnswer(text, results, query, { tenant, otherTenants, policies: this.policies, index, language });
  }
}

function toHit(r: ScoredClause): SearchHit {
  const c = r.clause;
  return { policyId: c.policyId, clauseId: c.clauseId, number: c.number, title: headingOf(c), text: c.text, score: Number(r.score.toFixed(4)) };
}
