// Which clauses an answer quotes and what of each: the sentences that answer the question,
// a list whole or clearly shortened, never a cut sentence or item; the same text in two
// policies of one tenant quoted once and cited twice. Returns structure, never layout.

import type { Clause } from '../knowledge/parser.ts';
import { splitSentences, type Language } from '../knowledge/text.ts';
import { contactValues, coverageScorer, type QueryAnalysis, type ScoredClause, type TenantIndex } from '../retrieval/hybrid-retriever.ts';
import { analyze } from '../retrieval/tokenizer.ts';

/** One quoted passage and the clause it comes from (`also`: the same text in other policies). */
export interface Quote {
  text: string;
  clause: Clause;
  /** The clause text the quote supports, including the list items it summarises. */
  source: string;
  also: Clause[];
}

const MAX_CLAUSES = 3;
const RELATIVE_CUTOFF = 0.7;
/** A further clause is quoted only while the answer is shorter than this (characters). */
const ANSWER_BUDGET = 100;
/** No further clause once the answer is this long. */
const ANSWER_LIMIT = 300;
/** A clause scoring this close to the best is quoted whatever the length so far. */
const CLOSE_SCORE = 0.85;
/** A clause this short is quoted whole. */
const SHORT_CLAUSE = 60;
/** A second sentence of a clause is quoted when it scores this close to the first and both are short. */
const SECOND_SENTENCE = 0.8;
const TWO_SENTENCES = 100;
/** List items are quoted whole while they fit in this many characters. */
const LIST_BUDGET = 110;
/** Added to the score of a sentence that states the contact detail asked for. */
const CONTACT_BONUS = 10;
/** A list item longer than this is counted, not quoted. */
const MAX_ITEM = 60;
/** Share of the question's content a further clause must cover to be quoted. */
const SECONDARY_COVERAGE = 0.3;
/** Quotes this similar (share of the shorter one's character bigrams) say the same thing. */
const SAME_TEXT = 0.6;

/** Lookups over a tenant's clause tree, computed once per index rather than per question. */
export interface ClauseTree {
  byId: Map<string, Clause>;
  position: Map<string, number>;
  children: Map<string, Clause[]>;
}

const trees = new WeakMap<TenantIndex, ClauseTree>();

export function treeOf(index: TenantIndex): ClauseTree {
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

export interface ComposeInput {
  results: ScoredClause[];
  query: QueryAnalysis;
  index: TenantIndex;
  language: Language;
}

export function composeQuotes({ results, query, index, language }: ComposeInput): Quote[] {
  const tree = treeOf(index);
  const chosen = chooseClauses(results, query, index);
  // "哪些 / which": the list answers the question, so it leads.
  if (query.enumeration) {
    const list = chosen.findIndex((r) => introducesList(r.clause, tree));
    if (list > 0) chosen.unshift(...chosen.splice(list, 1));
  }
  const quotes: Quote[] = [];
  let length = 0;
  const coverage = coverageScorer(index, query);
  for (const [i, r] of chosen.entries()) {
    if (i > 0 && (length >= ANSWER_LIMIT || (length >= ANSWER_BUDGET && r.score < CLOSE_SCORE * (chosen[0]?.score ?? 0)))) break;
    // A further clause must speak to the question itself, not just share a word with it.
    if (i > 0 && coverage([tree.position.get(r.clause.clauseId)!]) < SECONDARY_COVERAGE) continue;
    const { text, source } = quoteOf(r.clause, query, tree, language, i === 0 ? 2 : 1);
    const same = quotes.find((q) => q.clause.policyId !== r.clause.policyId && similarity(q.text, text) >= SAME_TEXT);
    if (same) {
      same.also.push(r.clause);
      continue;
    }
    quotes.push({ text, clause: r.clause, source, also: [] });
    length += [...text].length;
  }
  // The same passage in another policy of the tenant (a policy and its processing rules):
  // cite it beside the quote rather than quoting it again.
  for (const q of quotes) {
    for (const r of results) {
      const c = r.clause;
      if (c.policyId === q.clause.policyId || q.also.some((a) => a.policyId === c.policyId) || quotes.some((o) => o.clause === c)) continue;
      if (similarity(q.text, c.text) >= SAME_TEXT || containsSentence(c.text, q.text)) q.also.push(c);
    }
  }
  return quotes;
}

/** The best clauses, without repeating a parent and its child; a list's intro replaces its items. */
function chooseClauses(results: ScoredClause[], query: QueryAnalysis, index: TenantIndex): ScoredClause[] {
  const best = results[0];
  if (!best) return [];
  const tree = treeOf(index);
  const section = sectionAnswer(results, query, index);
  if (section) return section;
  const chosen: ScoredClause[] = [];
  for (const r of results) {
    if (chosen.length >= MAX_CLAUSES || r.score < RELATIVE_CUTOFF * best.score) break;
    if (chosen.some((c) => c.clause.text === r.clause.text)) continue;
    // A clause's text never holds its sub-clauses' text; only a quoted list brings them along.
    const related = chosen.findIndex(
      (c) => (quotesItsList(c.clause, query, tree) && isAncestor(r.clause, c.clause, tree, true)) || (quotesItsList(r.clause, query, tree) && isAncestor(c.clause, r.clause, tree, true)),
    );
    if (related < 0) chosen.push(r);
    else if (quotesItsList(r.clause, query, tree)) {
      // List items were chosen before the clause that introduces their list: quote the intro,
      // which brings its items along, in the first item's place.
      chosen[related] = r;
      for (let i = chosen.length - 1; i > related; i--) if (isAncestor(chosen[i]!.clause, r.clause, tree, true)) chosen.splice(i, 1);
    }
  }
  return chosen;
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
  // The best match first, then the section's leading clauses in order.
  const best = top[0]!.clause;
  const lead = siblings.filter((c) => c !== best).slice(0, MAX_CLAUSES - 1);
  return [best, ...lead].map((clause) => byId.get(clause.clauseId) ?? { clause, score: 0, lexical: 0, dense: 0 });
}

/**
 * `a` lies inside `b` (or, unless `strict`, the other way round): quoting both would repeat
 * the parent's text.
 */
export function isAncestor(a: Clause, b: Clause, tree: ClauseTree, strict = false): boolean {
  const { byId } = tree;
  const within = (child: Clause, parent: Clause) => {
    for (let p = child.parentId; p; p = byId.get(p)?.parentId ?? null) if (p === parent.clauseId) return true;
    return false;
  };
  return within(a, b) || (!strict && within(b, a));
}

/** "我们会收集以下信息：" — the clause ends with a colon and its list items follow as sub-clauses. */
export function introducesList(clause: Clause, tree?: ClauseTree): boolean {
  return /[:：]\s*$/.test(clause.text) && (!tree || (tree.children.get(clause.clauseId)?.length ?? 0) > 0);
}

/**
 * A clause that introduces a list is quoted with its items when the sentence introducing the
 * list answers best; when an earlier sentence does ("我们或我们的第三方合作伙伴……。我们使用
 * ……用于以下用途："), that sentence is quoted and the items stand on their own.
 */
function quotesItsList(clause: Clause, query: QueryAnalysis, tree: ClauseTree): boolean {
  if (!introducesList(clause, tree)) return false;
  const units = quoteUnits(bodyOf(clause));
  const leadScore = sentenceScore(units.at(-1) ?? '', query);
  return !units.slice(0, -1).some((u) => sentenceScore(u, query) > leadScore);
}

/** The clause text without its heading, when the heading is repeated at its start. */
function bodyOf(clause: Clause): string {
  const body = clause.title && clause.text.startsWith(clause.title) ? clause.text.slice(clause.title.length).replace(/^[:：\s]+/, '') : clause.text;
  return body.trim() === '' ? clause.text : body;
}

/**
 * Sentences of a clause, split also at paragraph breaks and at numbered items written inline
 * ("……如下： 1、…… 2、……"), so a quote never ends inside an item.
 */
export function quoteUnits(text: string): string[] {
  const pieces = text
    .split('\n')
    .flatMap((line) => line.split(/\s+(?=(?:\d{1,2}[、.．)）](?!\d)|[（(]\d{1,2}[)）]|[（(][一二三四五六七八九十]{1,3}[)）]|[a-z][.)]\s))/))
    .flatMap((part) => splitSentences(part));
  // A piece that stops without a sentence end ("……发送邮件至 x@y.com 或", "我们会根据您")
  // continues in the next one: a break in the source or an item inside a sentence.
  // A field line ("地址：……", "邮箱：……") is whole without a sentence end.
  const units: string[] = [];
  let open = '';
  for (const piece of pieces) {
    if (open && FIELD.test(piece)) {
      units.push(open);
      open = '';
    }
    open = open ? `${open} ${piece}` : piece;
    if (SENTENCE_END.test(open)) {
      units.push(open);
      open = '';
    }
  }
  if (open) units.push(open);
  return units;
}

const FIELD = /^[\p{L}\p{N}（）()]{1,10}[：:]/u;

const SENTENCE_END = /([。！？!?；;：:…]|[.](?!\d))["”」』）)]*$/;

function quoteOf(clause: Clause, query: QueryAnalysis, tree: ClauseTree, language: Language, maxSentences: number): { text: string; source: string } {
  const body = bodyOf(clause);
  if (quotesItsList(clause, query, tree)) return listQuote(clause, body, tree.children.get(clause.clauseId)!, language);
  if ([...body].length <= SHORT_CLAUSE) return { text: body.replace(/\n/g, ' '), source: clause.text };
  const units = quoteUnits(body);
  // A question for the company's phone, email or address is answered by the lines that state one.
  const contact = (u: string) => (query.contact && (contactValues(u) & query.contact) !== 0 ? CONTACT_BONUS : 0);
  const scored = units.map((s, i) => ({ s, i, score: sentenceScore(s, query) + contact(s) }));
  const ranked = [...scored].sort((a, b) => b.score - a.score || a.i - b.i);
  const first = ranked[0]!;
  const picked = [first];
  for (const next of ranked.slice(1, maxSentences)) {
    if (next.score >= SECOND_SENTENCE * first.score && next.score > 0 && [...first.s].length + [...next.s].length <= TWO_SENTENCES) picked.push(next);
  }
  let text = picked
    .sort((a, b) => a.i - b.i)
    .map((x) => x.s)
    .join(' ');
  // A sentence that leads into what follows ("包括：") brings the next unit along.
  const last = picked.at(-1)!;
  if (/[:：]$/.test(text) && units[last.i + 1]) text += ` ${units[last.i + 1]}`;
  return { text, source: clause.text };
}

/** A list intro with its items: whole when short, else the first items and how many there are. */
function listQuote(clause: Clause, body: string, items: Clause[], language: Language): { text: string; source: string } {
  const itemText = (c: Clause) => `${c.label.trim()}${c.text.replace(/\n/g, ' ')}`;
  const source = [clause.text, ...items.map(itemText)].join('\n');
  const intro = quoteUnits(body).at(-1) ?? body;
  const whole = items.map(itemText);
  if (whole.join(' ').length <= LIST_BUDGET) return { text: `${intro} ${whole.join(' ')}`, source };
  // Items with headings are named by them (a heading is the item's own title, not a cut);
  // other items are shown whole while they are short, and the rest counted.
  const named = items.map((c) => (c.title && c.text.startsWith(c.title) ? `${c.label.trim()}${c.title}` : itemText(c)));
  const shown: string[] = [];
  let used = 0;
  for (const n of named) {
    if (n.length > MAX_ITEM || used + n.length > LIST_BUDGET) break;
    shown.push(n);
    used += n.length;
  }
  // One item left over is shown rather than counted.
  if (shown.length === items.length - 1 && named.at(-1)!.length <= MAX_ITEM) shown.push(named.at(-1)!);
  if (shown.length === items.length) return { text: `${intro} ${shown.join(' ')}`, source };
  const tail = language === 'en' ? `… (${items.length} items in all)` : `……等 ${items.length} 项`;
  return { text: [intro, ...shown, tail].join(' '), source };
}

function sentenceScore(sentence: string, query: QueryAnalysis): number {
  const { words, bigrams } = analyze(sentence);
  const present = new Set([...words, ...bigrams]);
  let score = 0;
  for (const [token, weight] of query.weights) if (present.has(token)) score += weight;
  return score;
}

function bigramSet(text: string): Set<string> {
  const t = text.replace(/[\s\p{P}]/gu, '');
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** How much two passages say the same: shared character bigrams over the shorter one's. */
export function similarity(a: string, b: string): number {
  const x = bigramSet(a);
  const y = bigramSet(b);
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return shared / Math.min(x.size, y.size);
}

/** `text` contains (nearly) every sentence of `quote`. */
function containsSentence(text: string, quote: string): boolean {
  const units = quoteUnits(quote).filter((s) => s.length >= 12);
  if (units.length === 0) return false;
  const t = text.replace(/\s+/g, '');
  return units.every((u) => t.includes(u.replace(/\s+/g, '').replace(/[。；;.]$/, '')));
}
