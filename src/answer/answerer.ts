// The default answerer needs no LLM: it quotes the sentences of the best clauses that
// carry the question's words, marks each with its citation and lists the citations. When
// the evidence is weak it says the policy does not cover the question and cites nothing.

import type { PolicyMeta, Tenant } from '../knowledge/knowledge-base.ts';
import type { Clause } from '../knowledge/parser.ts';
import { cutCodePoints, splitSentences, type Language } from '../knowledge/text.ts';
import { evidenceCoverage, type QueryAnalysis, type ScoredClause, type TenantIndex } from '../retrieval/hybrid-retriever.ts';
import { analyze } from '../retrieval/tokenizer.ts';
import { reply } from './replies.ts';

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

export interface Answer {
  answerable: boolean;
  language: Language;
  /** The full reply: statements with [n] markers, then the citation list. */
  answer: string;
  statements: { text: string; citation: number }[];
  citations: Citation[];
  /** Another tenant's company named in the question, if any. */
  otherCompany?: string;
}

export const MIN_COVERAGE = 0.5;
const MAX_CLAUSES = 3;
const RELATIVE_CUTOFF = 0.7;

export interface AnswerContext {
  tenant: Tenant;
  otherTenants: Tenant[];
  policies: Map<string, PolicyMeta>;
  index: TenantIndex;
  language: Language;
}

/** Lookups over a tenant's clause tree, computed once per index rather than per question. */
interface ClauseTree {
  byId: Map<string, Clause>;
  position: Map<string, number>;
  children: Map<string, Clause[]>;
}

const trees = new WeakMap<TenantIndex, ClauseTree>();

function treeOf(index: TenantIndex): ClauseTree {
  let tree = trees.get(index);
  if (!tree) {
    const children = new Map<string, Clause[]>();
    for (const c of index.clauses) {
      if (!c.parentId) continue;
      const list = children.get(c.parentId);
      if (list) list.push(c);
      else children.set(c.parentId, [c]);
    }
    tree = {
      byId: new Map(index.clauses.map((c) => [c.clauseId, c])),
      position: new Map(index.clauses.map((c, i) => [c.clauseId, i])),
      children,
    };
    trees.set(index, tree);
  }
  return tree;
}

export function composeAnswer(question: string, results: ScoredClause[], query: QueryAnalysis, ctx: AnswerContext): Answer {
  const other = ctx.otherTenants.flatMap((t) => t.aliases).find((alias) => question.toLowerCase().includes(alias.toLowerCase()));
  const best = results[0];
  const tree = treeOf(ctx.index);
  const top = results.slice(0, 3).map((r) => tree.position.get(r.clause.clauseId)!);
  const coverage = best && best.lexical > 0 ? evidenceCoverage(ctx.index, query, top) : 0;
  if (!best || coverage < MIN_COVERAGE) return refusal(ctx, other);

  const chosen: ScoredClause[] = sectionAnswer(results, query, ctx.index) ?? [];
  for (const r of chosen.length > 0 ? [] : results) {
    if (chosen.length >= MAX_CLAUSES || r.score < RELATIVE_CUTOFF * best.score) break;
    if (chosen.some((c) => c.clause.text === r.clause.text)) continue;
    const related = chosen.findIndex((c) => isAncestor(r.clause, c.clause, tree));
    if (related < 0) chosen.push(r);
    else if (introducesList(r.clause) && isAncestor(chosen[related]!.clause, r.clause, tree, true)) {
      // List items were chosen before the clause that introduces their list: quote the intro,
      // which brings its items along, in the first item's place.
      chosen[related] = r;
      for (let i = chosen.length - 1; i > related; i--) if (isAncestor(chosen[i]!.clause, r.clause, tree, true)) chosen.splice(i, 1);
    }
  }
  const citations = chosen.map((r) => toCitation(r.clause, ctx.policies));
  const statements = chosen.map((r, i) => ({ text: evidenceText(r.clause, query, ctx.index), citation: i + 1 }));
  const lang = ctx.language;
  const lines: string[] = [];
  if (other) lines.push(reply(lang, 'otherCompany', { tenant: ctx.tenant.name, other }));
  lines.push(reply(lang, 'answerIntro', { tenant: ctx.tenant.name }));
  for (const s of statements) lines.push(`${s.text} [${s.citation}]`);
  lines.push('', reply(lang, 'citationsHeader'));
  citations.forEach((c, i) => lines.push(`[${i + 1}] ${formatCitation(c, lang)}`));
  return { answerable: true, language: lang, answer: lines.join('\n'), statements, citations, otherCompany: other };
}

/**
 * A question about a whole section ("儿童的个人信息如何处理？") is best answered by the
 * section's first clauses in order, not by whichever one repeats the words most: when the
 * best clauses share a parent whose heading covers the question, quote its clauses.
 */
function sectionAnswer(results: ScoredClause[], query: QueryAnalysis, index: TenantIndex): ScoredClause[] | null {
  const top = results.slice(0, 3);
  const parentId = top[0]?.clause.parentId;
  if (!parentId || top.filter((r) => r.clause.parentId === parentId).length < 2) return null;
  const tree = treeOf(index);
  const parent = tree.byId.get(parentId);
  const siblings = tree.children.get(parentId) ?? [];
  const heading = parent?.title ?? siblings[0]?.headingPath.at(-2) ?? '';
  if (!heading) return null;
  const analysed = analyze(heading);
  const words = new Set([...analysed.words, ...analysed.bigrams]);
  const concepts = query.concepts.filter((c) => !/^[a-z]/.test(c.word));
  if (concepts.length === 0) return null;
  const covered = concepts.filter((c) => c.alternatives.some((t) => words.has(t))).length;
  if (covered / concepts.length < 0.6) return null;
  const byId = new Map(results.map((r) => [r.clause.clauseId, r]));
  // The section's leading clauses, in order, and always the best match among them.
  const best = top[0]!.clause;
  const lead = siblings.slice(0, MAX_CLAUSES);
  const children = lead.includes(best) ? lead : [...siblings.slice(0, MAX_CLAUSES - 1), best].sort((a, b) => tree.position.get(a.clauseId)! - tree.position.get(b.clauseId)!);
  return children.map((clause) => byId.get(clause.clauseId) ?? { clause, score: 0, lexical: 0, dense: 0 });
}

function refusal(ctx: AnswerContext, other: string | undefined): Answer {
  const lang = ctx.language;
  const parts = other ? [reply(lang, 'otherCompany', { tenant: ctx.tenant.name, other })] : [];
  parts.push(reply(lang, 'refusal', { tenant: ctx.tenant.name }));
  return { answerable: false, language: lang, answer: parts.join('\n'), statements: [], citations: [], otherCompany: other };
}

/**
 * `a` lies inside `b` (or, unless `strict`, the other way round): quoting both would repeat
 * the parent's text.
 */
function isAncestor(a: Clause, b: Clause, tree: ClauseTree, strict = false): boolean {
  const { byId } = tree;
  const within = (child: Clause, parent: Clause) => {
    for (let p = child.parentId; p; p = byId.get(p)?.parentId ?? null) if (p === parent.clauseId) return true;
    return false;
  };
  return within(a, b) || (!strict && within(b, a));
}

/** "我们会收集以下信息：" — the clause ends with a colon; its list items follow as sub-clauses. */
function introducesList(clause: Clause): boolean {
  return /[:：]\s*$/.test(clause.text);
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

export function formatCitation(c: Citation, language: Language): string {
  const where = c.number ? reply(language, 'clauseNumber', { number: c.number.startsWith('第') ? c.number.slice(1) : c.number }) : '';
  const heading = c.title ? ` ${c.title}` : '';
  const effective = c.effectiveDate ? reply(language, 'citationEffective', { date: c.effectiveDate }) : '';
  return reply(language, 'citation', { policy: c.policyTitle, where: c.number.startsWith('第') ? ` ${c.number}` : where, heading, effective });
}

/**
 * The part of a clause worth quoting: a short clause whole, a long one by its sentences
 * that carry the most question words, in their original order. A clause that introduces a
 * list ("以下情形除外：") keeps the list items that follow it.
 */
function evidenceText(clause: Clause, query: QueryAnalysis, index: TenantIndex): string {
  const body = clause.title && clause.text.startsWith(clause.title) ? clause.text.slice(clause.title.length).replace(/^[:：\s]+/, '') : clause.text;
  const text = body.trim() === '' ? clause.text : body;
  const lines = text.split('\n');
  let quoted: string;
  if (text.length <= 160) quoted = lines.join(' ');
  else {
    const sentences = splitSentences(text.replace(/\n/g, ' '));
    const scored = sentences.map((s, i) => ({ s, i, score: sentenceScore(s, query) }));
    const best = [...scored].sort((a, b) => b.score - a.score || a.i - b.i).slice(0, 2);
    quoted = best
      .sort((a, b) => a.i - b.i)
      .map((x) => x.s)
      .join(' ');
  }
  if (/[:：]$/.test(quoted.trim())) {
    const items = (treeOf(index).children.get(clause.clauseId) ?? []).slice(0, 8);
    if (items.length > 0) quoted += ` ${items.map((c) => `${c.label.trim()}${c.text.split('\n')[0]}`).join(' ')}`;
  }
  return quoted.length > 600 ? `${cutCodePoints(quoted, 600)}…` : quoted;
}

function sentenceScore(sentence: string, query: QueryAnalysis): number {
  const { words, bigrams } = analyze(sentence);
  const present = new Set([...words, ...bigrams]);
  let score = 0;
  for (const [token, weight] of query.weights) if (present.has(token)) score += weight;
  return score;
}
