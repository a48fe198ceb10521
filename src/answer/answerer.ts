// The default answerer needs no LLM: the calibrated decision (decide.ts) says whether the
// policy covers the question; if it does, the quotes (compose.ts) are marked with their
// citations and the citations listed, in the question's language; if not, it says so and
// cites nothing.

import type { PolicyMeta, Tenant } from '../knowledge/knowledge-base.ts';
import type { Clause } from '../knowledge/parser.ts';
import type { Language } from '../knowledge/text.ts';
import type { QueryAnalysis, ScoredClause, TenantIndex } from '../retrieval/hybrid-retriever.ts';
import { shippedBackground, type Background } from './background.ts';
import { composeQuotes, treeOf } from './compose.ts';
import { decide, decisionFeatures, shippedDecisionModel, type Decision, type DecisionModel } from './decide.ts';
import { reply } from './replies.ts';
import type { ModelOutcome } from '../llm/verify.ts';

export interface Citation {
  policyId: string;
  policyTitle: string;
  clauseId: string;
  number: string;
  title: string;
  text: string;
  /** Effective date of the policy version quoted (YYYY-MM[-DD]), when the policy states one. */
  effectiveDate?: string;
}

/** A quoted passage and the citation it comes from (`also`: the same text in other policies of the tenant). */
export interface Statement {
  text: string;
  citation: number;
  also?: number[];
}

export interface Answer {
  answerable: boolean;
  language: Language;
  /** The full reply: statements with [n] markers, then the citation list. */
  answer: string;
  statements: Statement[];
  citations: Citation[];
  /** Another tenant's company named in the question, if any. */
  otherCompany?: string;
  /** The answer-or-refuse decision: the model's probability that the policy covers the question. */
  confidence?: { probability: number; threshold: number };
  /** Only when a language model was asked: its answer was sent, or why this offline answer was sent instead. */
  model?: ModelOutcome;
}

export interface AnswerContext {
  tenant: Tenant;
  otherTenants: Tenant[];
  policies: Map<string, PolicyMeta>;
  index: TenantIndex;
  language: Language;
  /** The answer-or-refuse model and its background statistic (default: the shipped ones). */
  decision?: { model: DecisionModel; background: Background };
}

export function composeAnswer(question: string, results: ScoredClause[], query: QueryAnalysis, ctx: AnswerContext): Answer {
  const other = ctx.otherTenants.flatMap((t) => t.aliases).find((alias) => question.toLowerCase().includes(alias.toLowerCase()));
  const best = results[0];
  const decision = decideToAnswer(question, results, query, ctx);
  const confidence = { probability: Number(decision.probability.toFixed(4)), threshold: decision.threshold };
  if (!best || !decision.answer) return { ...refusal(ctx, other), confidence };

  const lang = ctx.language;
  const quotes = composeQuotes({ results, query, index: ctx.index, language: lang });
  // With a version of the policy in the question's language, quote it first, and only it:
  // the other language's version says the same in a language the reader did not use.
  const own = (c: Clause) => ctx.policies.get(c.policyId)?.language === lang;
  quotes.sort((a, b) => Number(own(b.clause)) - Number(own(a.clause)));
  if (quotes.some((q) => own(q.clause))) quotes.splice(0, quotes.length, ...quotes.filter((q) => own(q.clause)));
  const citations: Citation[] = [];
  const statements: Statement[] = quotes.map((q) => {
    const citation = citations.push({ ...toCitation(q.clause, ctx.policies), text: q.source });
    const also = q.also.map((c) => citations.push(toCitation(c, ctx.policies)));
    return also.length > 0 ? { text: q.text, citation, also } : { text: q.text, citation };
  });
  const hasOwnLanguage = [...ctx.policies.values()].some((p) => p.tenant === ctx.tenant.id && p.language === lang);
  const lines: string[] = [];
  if (other) lines.push(reply(lang, 'otherCompany', { tenant: ctx.tenant.name, other }));
  // The answer leads with the sentences that answer; the citations name the policy. Only a
  // quote in another language than the question's needs a line of introduction.
  if (!hasOwnLanguage) lines.push(reply(lang, 'answerIntroOtherLanguage', { tenant: ctx.tenant.name }));
  for (const st of statements) lines.push(`${st.text} ${[st.citation, ...(st.also ?? [])].map((n) => `[${n}]`).join('')}`);
  lines.push('', reply(lang, 'citationsHeader'));
  citations.forEach((c, i) => lines.push(`[${i + 1}] ${formatCitation(c, lang)}`));
  return { answerable: true, language: lang, answer: lines.join('\n'), statements, citations, otherCompany: other, confidence };
}

export function decideToAnswer(question: string, results: ScoredClause[], query: QueryAnalysis, ctx: AnswerContext): Decision {
  const { model, background } = ctx.decision ?? { model: shippedDecisionModel(), background: shippedBackground() };
  const { position } = treeOf(ctx.index);
  const features = decisionFeatures({
    question,
    language: ctx.language,
    query,
    results,
    index: ctx.index,
    docs: results.map((r) => position.get(r.clause.clauseId)!),
    background,
    names: [ctx.tenant.name, ...ctx.tenant.aliases],
  });
  return decide(model, features);
}

function refusal(ctx: AnswerContext, other: string | undefined): Answer {
  const lang = ctx.language;
  const parts = other ? [reply(lang, 'otherCompany', { tenant: ctx.tenant.name, other })] : [];
  parts.push(reply(lang, 'refusal', { tenant: ctx.tenant.name }));
  return { answerable: false, language: lang, answer: parts.join('\n'), statements: [], citations: [], otherCompany: other };
}

export function headingOf(clause: Clause): string {
  if (clause.title) return clause.title;
  const last = clause.headingPath.at(-1);
  return last ? last.replace(/^\S+\s+/, '') : '';
}

/** `policies` is keyed by the policy id clauses carry ("id" in force, "id@date" for another version). */
export function toCitation(clause: Clause, policies: Map<string, PolicyMeta>): Citation {
  const meta = policies.get(clause.policyId);
  return {
    policyId: meta?.id ?? clause.policyId,
    policyTitle: meta?.title ?? clause.policyId,
    clauseId: clause.clauseId,
    number: clause.number,
    title: headingOf(clause),
    text: clause.text,
    ...(meta?.effectiveDate && { effectiveDate: meta.effectiveDate }),
  };
}

/**
 * "《隐私政策》第8.3条 删除" / "\"Privacy Policy\" clause 8.3 Deletion": a plain number gets the
 * language's clause form; a number the policy spells with its own words ("第三条",
 * "Chapter 1.I.2") is shown as written, never wrapped twice ("第Chapter 3.II条").
 */
export function formatCitation(c: Citation, language: Language): string {
  const spelled = /^(第|chapter|article|section|part)/i.test(c.number) || /^[一二三四五六七八九十]/.test(c.number);
  const where = !c.number ? '' : spelled ? ` ${c.number}` : reply(language, 'clauseNumber', { number: c.number });
  const heading = c.title ? ` ${c.title}` : '';
  const effective = c.effectiveDate ? reply(language, 'citationEffective', { date: c.effectiveDate }) : '';
  return reply(language, 'citation', { policy: c.policyTitle, where, heading, effective });
}
