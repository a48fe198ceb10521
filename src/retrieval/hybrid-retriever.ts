// Hybrid retrieval for one tenant: BM25 over jieba words and character bigrams (with the
// lexicon's expansions), dense vectors in hnswlib, fused by weighted score combination.
// Exposed as a langchain BaseRetriever so it composes with the rest of langchain.

import { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import type { HierarchicalNSW } from 'hnswlib-node';
import type { Clause } from '../knowledge/parser.ts';
import type { Bm25Index } from './bm25.ts';
import type { Lexicon } from './lexicon.ts';
import { analyze, isStopword, normalise } from './tokenizer.ts';

export interface ScoredClause {
  clause: Clause;
  score: number;
  lexical: number;
  dense: number;
}

/**
 * One way a clause can satisfy a concept of the question: it contains every one of these
 * tokens (the question's word itself, or a lexicon expansion matched as a whole phrase).
 */
export type ConceptOption = string[];

/** What the question asks for, after analysis: used for ranking and to judge the evidence. */
export interface QueryAnalysis {
  /** Every ranking token with its weight: the question's own and the lexicon's expansions. */
  weights: Map<string, number>;
  /** The question's own words and bigrams. */
  base: Map<string, number>;
  /** Per matched lexicon entry, its expansion phrases as token weights (see Bm25Index.scoreGrouped). */
  expansions: Map<string, number>[][];
  /** The question asks for an enumeration ("哪些", "什么情况下", "和谁", "which"). */
  enumeration: boolean;
  /** The question asks for the company's own phone, email or address (CONTACT_* bits; 0 if not). */
  contact?: number;
  /**
   * Content words of the question: `alternatives` are the tokens that rank for it (the word
   * or its expansions), `options` the token sets that count as evidence for it.
   */
  concepts: { word: string; alternatives: string[]; options: ConceptOption[] }[];
}

export interface QueryEmbedder {
  embedQuery(text: string): Promise<number[]>;
  /** Synchronous path for the corpus embedding, so a search costs no promise round trips. */
  embedText?(text: string): number[];
}

export interface TenantIndex {
  tenant: string;
  clauses: Clause[];
  bm25: Bm25Index;
  vectors: HierarchicalNSW | null;
  /** Languages of the tenant's policies, by policy id. */
  languages: Map<string, 'zh' | 'en'>;
}

const EXPANSION_WEIGHT = 0.6;
const BIGRAM_WEIGHT = 0.5;
/** A list intro answering a list question: a modest lift (a quarter), so a clause that matches
 * the question's words clearly better still wins. */
const LIST_INTRO_BOOST = 1.25;
export const LEXICAL_SHARE = 0.75;
const LEXICAL_CANDIDATES = 200;

export function analyseQuery(question: string, lexicon: Lexicon, index: TenantIndex): QueryAnalysis {
  const { words, bigrams } = analyze(question);
  const weights = new Map<string, number>();
  const add = (t: string, w: number) => weights.set(t, Math.max(weights.get(t) ?? 0, w));
  for (const w of words) add(w, 1);
  for (const b of bigrams) add(b, BIGRAM_WEIGHT);
  const base = new Map(weights);
  const expansions = new Map<string, Map<string, number>[]>();
  const matches = lexicon.match(question);
  const concepts = new Map<string, { alternatives: string[]; options: ConceptOption[] }>();
  const direct = (t: string) => ({ alternatives: [t], options: [[t]] });
  for (const w of words) if (!isStopword(w)) concepts.set(w, direct(w));
  for (const m of matches) {
    const expansionTokens: string[] = [];
    const options: ConceptOption[] = [];
    const group: Map<string, number>[] = [];
    for (const e of m.expand) {
      const a = analyze(e);
      // The question's own tokens already count at full weight.
      const phrase = new Map<string, number>();
      for (const t of a.words) if (!base.has(t)) phrase.set(t, EXPANSION_WEIGHT);
      for (const t of a.bigrams) if (!base.has(t) && !phrase.has(t)) phrase.set(t, EXPANSION_WEIGHT * BIGRAM_WEIGHT);
      if (phrase.size > 0) group.push(phrase);
      for (const t of a.words) {
        add(t, EXPANSION_WEIGHT);
        expansionTokens.push(t);
      }
      for (const b of a.bigrams) add(b, EXPANSION_WEIGHT * BIGRAM_WEIGHT);
      // The expansion is evidence only as a whole phrase: "金融账户" is not satisfied by
      // "账户" alone. Bigrams do not depend on how jieba happens to cut the clause.
      const whole = a.bigrams.length > 0 ? a.bigrams.concat(a.words.filter((t) => /^[a-z0-9]/.test(t))) : a.words;
      if (whole.length > 0) options.push([...new Set(whole)]);
    }
    // Several terms of one entry ("cookie", "cookies") expand to the same group once.
    if (group.length > 0) expansions.set(m.expand.join('\u0000'), group);
    // Every question word inside the triggering term is satisfied by the expansion too.
    const triggered = analyze(m.term).words;
    for (const t of triggered.length > 0 ? triggered : [m.term]) {
      const c = concepts.get(t) ?? direct(t);
      concepts.set(t, { alternatives: [...c.alternatives, ...expansionTokens], options: [...c.options, ...options] });
    }
  }
  // jieba's search mode yields a compound and its parts ("联系电话", "联系", "电话"); a clause
  // that has the parts has the compound, however jieba happened to cut the clause.
  for (const [word, c] of concepts) {
    const parts = [...concepts.keys()].filter((p) => p !== word && word.includes(p));
    const chars = new Set(parts.flatMap((p) => [...p]));
    if (parts.length > 0 && [...word].every((ch) => chars.has(ch))) c.options.push(parts);
  }
  // An English word the tenant's policies never use and the lexicon does not translate says
  // nothing either way about a Chinese policy; it is left out of the evidence check.
  const hasEnglish = [...index.languages.values()].includes('en');
  const list = [...concepts.entries()]
    .filter(([word, c]) => !(/^[a-z]/.test(word) && !hasEnglish && c.alternatives.length === 1 && !index.bm25.has(word)))
    .map(([word, c]) => ({ word, ...c }));
  return { weights, base, expansions: [...expansions.values()], concepts: list, enumeration: asksForList(question), contact: asksForContact(question) };
}

/**
 * "哪些 / 哪几类 / 什么情况下 / 用于什么 / 和谁 / which / what kinds of": the answer is a
 * list, and a policy states a list in a clause that introduces it ("我们会收集以下信息：").
 * Not "为什么" (a reason), "什么时候" (a time) or "什么意思 / 是什么" (a definition).
 */
export function asksForList(question: string): boolean {
  const q = normalise(question);
  return (
    /哪些|哪几|哪类|哪种|哪方面|谁/.test(q) ||
    /(?<!为)什么(?!时候|时间|意思|叫|是)/.test(q.replace(/是什么(意思)?/g, '')) ||
    /\b(which|who|whom|what (kinds?|types?|sorts?|categories|information|data|personal|cases|circumstances|situations|purposes?)|in what|under what)\b/.test(q)
  );
}

export const CONTACT_PHONE = 1;
export const CONTACT_EMAIL = 2;
export const CONTACT_ADDRESS = 4;

/**
 * "你们的联系电话是多少 / 客服邮箱 / 贵公司地址在哪 / how can I contact you / what is your email":
 * the question asks for the company's own contact details, not about the user's phone number
 * or email address as data the company collects. Returns the kinds asked for (any kind for a
 * bare "联系方式 / contact"), or 0.
 */
export function asksForContact(question: string): number {
  const q = normalise(question).replace(/\s+/g, ' ');
  const zhOwner = /(你们|贵公司|贵司|贵方|公司|客服|官方|平台)(的)?(客服|联系|官方|办公|总部|注册|服务)?(电话|热线|手机|号码|邮箱|电子邮箱|电子邮件|邮件|地址|联系方式|联系渠道)/;
  const zhReach = /(联系|找到|打给|写信给|发邮件给|联络)(你们|贵公司|贵司|客服|公司)|(你们|贵公司|贵司|客服)(怎么|如何|在哪)(联系|找)/;
  const enOwner = /\b(your|(?!(?:users?|customers?|child|children|kids?|person|members?|friends?|family|my)'s)[a-z]+'s) (customer service |support |contact |office |company |official )?(phone|telephone|number|hotline|e-?mail|mail|address|contact)|\b(customer service|support|privacy team|dpo) (phone|telephone|number|hotline|e-?mail|mail|address)|\b(contact|reach|call|e-?mail|write to|get in touch with) (you|your company|customer service|support)\b/;
  const asked = zhOwner.exec(q)?.[0] ?? zhReach.exec(q)?.[0] ?? enOwner.exec(q)?.[0];
  if (!asked) return 0;
  let kinds = 0;
  if (/电话|热线|手机|号码|打给|phone|number|hotline|call/.test(asked)) kinds |= CONTACT_PHONE;
  if (/邮箱|邮件|e-?mail|mail|write/.test(asked)) kinds |= CONTACT_EMAIL;
  if (/地址|在哪|address/.test(asked)) kinds |= CONTACT_ADDRESS;
  return kinds === 0 ? CONTACT_PHONE | CONTACT_EMAIL | CONTACT_ADDRESS : kinds;
}

const contactValueCache = new WeakMap<TenantIndex, Uint8Array>();

/** Which contact details a clause actually states: a phone number, an email address, a postal address. */
export function contactValues(text: string): number {
  let kinds = 0;
  for (const m of text.match(/[+(（]?\d[\d\s()（）-]{5,}\d/g) ?? []) {
    const digits = m.replace(/\D/g, '').length;
    if (digits >= 7 && digits <= 15 && /\d{3,}[\s)）-]+\d{4,}|\d{7,}/.test(m)) kinds |= CONTACT_PHONE;
  }
  if (/[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}/i.test(text)) kinds |= CONTACT_EMAIL;
  if (/地址\s*[:：]|[\u4e00-\u9fff]{2,}[省市][\u4e00-\u9fff\d\s-]{0,20}[区县镇路街]/.test(text) || /\b\d+[\w\s,.-]{2,40}\b(road|street|avenue|building)\b/i.test(text)) {
    kinds |= CONTACT_ADDRESS;
  }
  return kinds;
}

function contactFlags(index: TenantIndex): Uint8Array {
  let flags = contactValueCache.get(index);
  if (!flags) {
    flags = Uint8Array.from(index.clauses, (c) => contactValues(c.text));
    contactValueCache.set(index, flags);
  }
  return flags;
}

/** A question for the company's contact details is answered only by a clause that states them. */
const CONTACT_VALUE_BOOST = 1.5;

const listIntros = new WeakMap<TenantIndex, Uint8Array>();

/** listIntro[doc] = 1 when the clause ends with a colon and has sub-clauses: it introduces a list. */
function listIntroFlags(index: TenantIndex): Uint8Array {
  let flags = listIntros.get(index);
  if (!flags) {
    const parents = new Set(index.clauses.map((c) => c.parentId));
    flags = Uint8Array.from(index.clauses, (c) => (/[:：]\s*$/.test(c.text) && parents.has(c.clauseId) ? 1 : 0));
    listIntros.set(index, flags);
  }
  return flags;
}

export async function searchTenant(
  index: TenantIndex,
  query: QueryAnalysis,
  questionText: string,
  embedder: QueryEmbedder | null,
  options: { k: number; language: 'zh' | 'en' },
): Promise<ScoredClause[]> {
  const { scores: lexical, touched } = index.bm25.scoreGrouped(query.base, query.expansions);
  let maxLexical = 0;
  for (const doc of touched) if (lexical[doc]! > maxLexical) maxLexical = lexical[doc]!;
  const dense = new Map<number, number>();
  if (embedder && index.vectors && index.vectors.getCurrentCount() > 0) {
    const vector = embedder.embedText ? embedder.embedText(questionText) : await embedder.embedQuery(questionText);
    if (vector.some((x) => x !== 0)) {
      const k = Math.min(50, index.vectors.getCurrentCount());
      const result = index.vectors.searchKnn(vector, k);
      result.neighbors.forEach((label, i) => dense.set(label, Math.max(0, 1 - result.distances[i]!)));
    }
  }
  const preferLanguage = [...index.languages.values()].includes(options.language);
  const coverageOf = coverageScorer(index, query);
  const listIntro = query.enumeration ? listIntroFlags(index) : null;
  const contact = query.contact ? contactFlags(index) : null;
  // Only the strongest lexical matches go on to fusion: a common question matches nearly
  // every clause of a large tenant, and the tail can never reach the top k.
  const candidates = new Set([...strongest(lexical, touched, LEXICAL_CANDIDATES), ...dense.keys()]);
  const scored: ScoredClause[] = [];
  for (const doc of candidates) {
    const clause = index.clauses[doc]!;
    const lex = maxLexical > 0 ? lexical[doc]! / maxLexical : 0;
    const den = dense.get(doc) ?? 0;
    let score = LEXICAL_SHARE * lex + (1 - LEXICAL_SHARE) * den;
    // Soft AND: a clause that speaks to every part of the question beats one that repeats
    // a single rare word many times.
    score *= 0.4 + 0.6 * coverageOf([doc]);
    // A question that asks for a list is answered by the clause that introduces the list.
    if (listIntro?.[doc] === 1) score *= LIST_INTRO_BOOST;
    // A question for the company's phone, email or address: the clauses that state one.
    if (contact && (contact[doc]! & query.contact!) !== 0) score *= CONTACT_VALUE_BOOST;
    // A bilingual tenant answers from the version in the question's language.
    if (preferLanguage && index.languages.get(clause.policyId) !== options.language) score *= 0.8;
    scored.push({ clause, score, lexical: lexical[doc]!, dense: den });
  }
  liftSectionLeads(index, query, scored);
  scored.sort((a, b) => b.score - a.score || a.clause.lineStart - b.clause.lineStart);
  return scored.slice(0, options.k);
}

interface Sections {
  /** section[doc]: the run of consecutive clauses under the same heading path that holds doc. */
  section: Int32Array;
  /** The first clause of each section and the tokens of its heading (numbering stripped). */
  lead: number[];
  size: number[];
  heading: Set<string>[];
}

const sectionCache = new WeakMap<TenantIndex, Sections>();

/**
 * A section is a run of consecutive clauses of one policy with the same heading path (the
 * clauses a heading covers, its own text first when it has any). Built once per index.
 */
function sectionsOf(index: TenantIndex): Sections {
  let s = sectionCache.get(index);
  if (!s) {
    const section = new Int32Array(index.clauses.length);
    const lead: number[] = [];
    const size: number[] = [];
    const heading: Set<string>[] = [];
    let key = '';
    index.clauses.forEach((c, doc) => {
      const k = `${c.policyId}\u0000${c.headingPath.join('\u0000')}`;
      if (doc === 0 || k !== key || c.headingPath.length === 0) {
        key = k;
        lead.push(doc);
        size.push(0);
        const title = (c.headingPath.at(-1) ?? '').replace(/^(chapter\s+)?[\d.()（）一二三四五六七八九十百第章条节ivx]+\s*/i, '');
        const a = analyze(title);
        heading.push(new Set([...a.words, ...a.bigrams]));
      }
      section[doc] = lead.length - 1;
      size[lead.length - 1]! += 1;
    });
    s = { section, lead, size, heading };
    sectionCache.set(index, s);
  }
  return s;
}

/** Share of the question's content words the heading names (by the words' rarity), and the share of the heading's words the question asks about. */
function headingCoverage(index: TenantIndex, query: QueryAnalysis, heading: Set<string>): { question: number; heading: number } {
  let total = 0;
  let covered = 0;
  for (const c of query.concepts) {
    const known = c.alternatives.filter((t) => index.bm25.has(t)).map((t) => index.bm25.idf(t));
    const weight = known.length > 0 ? Math.max(...known) : 0;
    total += weight;
    if (c.alternatives.some((t) => heading.has(t))) covered += weight;
  }
  let headingTotal = 0;
  let headingCovered = 0;
  for (const t of heading) {
    if (t.startsWith('~') || isStopword(t) || !index.bm25.has(t)) continue;
    const w = index.bm25.idf(t);
    headingTotal += w;
    if (query.weights.has(t)) headingCovered += w;
  }
  return { question: total > 0 ? covered / total : 0, heading: headingTotal > 0 ? headingCovered / headingTotal : 0 };
}

/** How much of the question a section heading must name before its lead clause answers for the whole section. */
const LEAD_QUESTION_COVERAGE = 1;
const LEAD_HEADING_COVERAGE = 0.5;

/**
 * A question about a section's topic as a whole ("儿童的个人信息如何处理" under "我们如何处理儿童
 * 个人信息") is answered by the section's first clause, which introduces or defines the topic;
 * its later clauses match as well only because they repeat the heading. When the heading names
 * every content word of the question (and the question a good part of the heading), the lead
 * clause takes the score of the section's best clause, so it ranks first among its siblings
 * without moving the section relative to others.
 */
function liftSectionLeads(index: TenantIndex, query: QueryAnalysis, scored: ScoredClause[]): void {
  const sections = sectionsOf(index);
  const best = new Map<number, number>();
  const leads = new Map<number, ScoredClause>();
  for (const r of scored) {
    const doc = docOf(index, r.clause);
    const s = sections.section[doc]!;
    if (sections.size[s]! < 2) continue;
    best.set(s, Math.max(best.get(s) ?? 0, r.score));
    if (sections.lead[s] === doc) leads.set(s, r);
  }
  for (const [s, lead] of leads) {
    const top = best.get(s)!;
    if (lead.score >= top) continue;
    const cover = headingCoverage(index, query, sections.heading[s]!);
    if (cover.question >= LEAD_QUESTION_COVERAGE && cover.heading >= LEAD_HEADING_COVERAGE) lead.score = top;
  }
}

const docIndexes = new WeakMap<TenantIndex, Map<Clause, number>>();
/** A clause's position in its tenant's index. */
function docOf(index: TenantIndex, clause: Clause): number {
  let m = docIndexes.get(index);
  if (!m) {
    m = new Map(index.clauses.map((c, i) => [c, i]));
    docIndexes.set(index, m);
  }
  return m.get(clause)!;
}

/** The `n` touched documents with the highest scores (any order). */
function strongest(scores: Float64Array, touched: number[], n: number): number[] {
  if (touched.length <= n) return touched;
  const values = Float64Array.from(touched, (doc) => scores[doc]!).sort();
  const threshold = values[values.length - n]!;
  const picked: number[] = [];
  for (const doc of touched) if (scores[doc]! > threshold) picked.push(doc);
  for (const doc of touched) if (picked.length < n && scores[doc] === threshold) picked.push(doc);
  return picked;
}

/**
 * The share of the question's content (weighted by rarity) that the given clauses contain.
 * Low coverage means the policy does not speak to the question.
 */
export function evidenceCoverage(index: TenantIndex, query: QueryAnalysis, docs: number[]): number {
  return coverageScorer(index, query)(docs);
}

/**
 * Prepares the coverage check once per query: for each concept of the question, its weight
 * and the token sets that satisfy it (rarest token first), so checking a clause costs a few
 * binary searches in the postings and nothing is proportional to the size of the tenant (a
 * common question can match nearly every clause of a large tenant).
 */
export function coverageScorer(
  index: TenantIndex,
  query: QueryAnalysis,
  weightOf?: (concept: QueryAnalysis['concepts'][number]) => number,
): (docs: number[]) => number {
  const { bm25 } = index;
  const concepts = query.concepts.map((concept) => {
    const { alternatives, options } = concept;
    // A word the policies never use weighs as much as the rarest word they do.
    const known = alternatives.filter((t) => bm25.has(t)).map((t) => bm25.idf(t));
    const weight = weightOf ? weightOf(concept) : known.length > 0 ? Math.max(...known) : maxIdf(index);
    const usable = options
      .filter((tokens) => tokens.every((t) => bm25.has(t)))
      .map((tokens) => [...new Set(tokens)].sort((a, b) => bm25.docFrequency(a) - bm25.docFrequency(b)));
    return { weight, options: usable };
  });
  const total = concepts.reduce((sum, c) => sum + c.weight, 0);
  const satisfies = (doc: number, options: string[][]) => options.some((tokens) => tokens.every((t) => bm25.contains(doc, t)));
  return (docs) => {
    if (total === 0) return 0;
    let covered = 0;
    for (const c of concepts) if (docs.some((d) => satisfies(d, c.options))) covered += c.weight;
    return covered / total;
  };
}

function maxIdf(index: TenantIndex): number {
  const n = index.bm25.size;
  return Math.log(1 + (n - 0.5) / 1.5);
}

export interface HybridRetrieverInput {
  index: TenantIndex;
  lexicon: Lexicon;
  embedder: QueryEmbedder | null;
  k?: number;
}

/** The tenant's retriever as a langchain BaseRetriever: `await retriever.invoke("怎么删除我的信息")`. */
export class HybridRetriever extends BaseRetriever {
  lc_namespace = ['privacy_bot', 'retrievers'];
  private readonly input: HybridRetrieverInput;

  constructor(input: HybridRetrieverInput) {
    super();
    this.input = input;
  }

  async _getRelevantDocuments(query: string): Promise<Document[]> {
    const { index, lexicon, embedder, k } = this.input;
    const language = /[\u3400-\u9fff]/.test(query) ? 'zh' : 'en';
    const analysis = analyseQuery(query, lexicon, index);
    const results = await searchTenant(index, analysis, query, embedder, { k: k ?? 5, language });
    return results.map(
      (r) =>
        new Document({
          pageContent: r.clause.text,
          metadata: { ...r.clause, score: r.score },
          id: r.clause.clauseId,
        }),
    );
  }
}
