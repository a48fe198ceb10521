// A clause-level diff between two versions of one policy: which clauses were added,
// removed or changed. Clauses are matched by content first (a renumbered but unchanged
// clause is not a change), then by heading, then by number, then by similar wording.
// Changes to retention, sharing, rights and contact details sort first: they are what a
// person asking "what changed?" needs to know.

import type { Clause } from './parser.ts';
import { splitSentences, stripWhitespace } from './text.ts';

export type DiffTopic = 'retention' | 'sharing' | 'rights' | 'contact';

export const TOPIC_ORDER: readonly DiffTopic[] = ['retention', 'sharing', 'rights', 'contact'];

const TOPIC_PATTERNS: Record<DiffTopic, RegExp> = {
  retention: /保存期限|保存期|存储期限|保存时间|保留期|留存|保存.{0,6}(年|个月|天|日)|retention|retain|stor(e|age) period/i,
  sharing: /共享|委托处理|委托.{0,4}处理|转让|公开披露|对外提供|第三方|SDK|share|sharing|third[- ]part|entrust|disclos/i,
  rights: /权利|查阅|复制|更正|补充|删除|注销|撤回|可携|转移|your rights|access|correct|delete|erase|withdraw|portab/i,
  contact: /联系我们|联系方式|邮箱|电子邮件|电话|客服|通信地址|[\w.+-]+@[\w-]+\.[\w.]+|contact us|e-?mail|phone|telephone/i,
};

export interface ClauseChange {
  kind: 'added' | 'removed' | 'changed';
  /** The clause in the earlier version (removed, changed). */
  before?: Clause;
  /** The clause in the later version (added, changed). */
  after?: Clause;
  /** The first of retention, sharing, rights, contact the change touches, or null. */
  topic: DiffTopic | null;
  /** For a change: the later version's sentences the earlier one does not have. */
  newSentences: string[];
}

export interface PolicyDiff {
  changes: ClauseChange[];
  unchanged: number;
}

/** The topic a piece of text is about, in TOPIC_ORDER priority. */
export function topicOf(text: string): DiffTopic | null {
  return TOPIC_ORDER.find((t) => TOPIC_PATTERNS[t].test(text)) ?? null;
}

const norm = (text: string) => stripWhitespace(text).toLowerCase();
const headingKey = (c: Clause) => c.headingPath.map((h) => norm(h.replace(/^[\s\dA-Za-z.()（）一二三四五六七八九十第章条节、:：-]+/, ''))).join('/') + `|${norm(c.title)}`;

function bigrams(text: string): Set<string> {
  const t = norm(text);
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Clauses that carry text worth comparing: not tables of contents, not empty. */
function comparable(clauses: Clause[]): Clause[] {
  return clauses.filter((c) => c.kind !== 'contents' && norm(c.text) !== '');
}

/** A clause's sentences, without its heading. */
export function sentencesOf(c: Clause): string[] {
  const body = c.title && c.text.startsWith(c.title) ? c.text.slice(c.title.length) : c.text;
  return splitSentences(body.replace(/\n/g, ' ').trim());
}

/**
 * A changed sentence shortened to the part that changed: from a little before the first
 * character that differs from the most similar earlier sentence.
 */
export function changedExcerpt(sentence: string, before: string[], max = 120): string {
  if (sentence.length <= max) return sentence;
  let start = 0;
  for (const old of before) {
    let i = 0;
    while (i < sentence.length && i < old.length && sentence[i] === old[i]) i++;
    start = Math.max(start, i);
  }
  const from = Math.max(0, Math.min(start - 30, sentence.length - max));
  const excerpt = sentence.slice(from, from + max);
  return `${from > 0 ? '…' : ''}${excerpt}${from + max < sentence.length ? '…' : ''}`;
}

export function diffPolicies(beforeAll: Clause[], afterAll: Clause[]): PolicyDiff {
  const before = comparable(beforeAll);
  const after = comparable(afterAll);
  const pairs = new Map<Clause, Clause>(); // after → before
  const usedBefore = new Set<Clause>();
  const pair = (a: Clause, b: Clause) => {
    pairs.set(a, b);
    usedBefore.add(b);
  };
  const match = (key: (c: Clause) => string) => {
    const byKey = new Map<string, Clause[]>();
    for (const b of before) if (!usedBefore.has(b)) byKey.set(key(b), [...(byKey.get(key(b)) ?? []), b]);
    for (const a of after) {
      if (pairs.has(a)) continue;
      const candidates = byKey.get(key(a));
      const b = candidates?.find((c) => !usedBefore.has(c));
      if (b && key(a) !== '') pair(a, b);
    }
  };
  match((c) => norm(c.text));
  match((c) => (c.title ? headingKey(c) : ''));
  match((c) => (c.number ? `${c.number}|${headingKey(c)}` : ''));
  match((c) => c.number);
  // Reworded clauses: the most similar remaining clause, if similar enough.
  const grams = new Map<Clause, Set<string>>([...before, ...after].map((c) => [c, bigrams(c.text)]));
  for (const a of after) {
    if (pairs.has(a)) continue;
    let best: Clause | null = null;
    let bestScore = 0.45;
    for (const b of before) {
      if (usedBefore.has(b)) continue;
      const score = similarity(grams.get(a)!, grams.get(b)!);
      if (score > bestScore) [best, bestScore] = [b, score];
    }
    if (best) pair(a, best);
  }

  const changes: ClauseChange[] = [];
  let unchanged = 0;
  for (const a of after) {
    const b = pairs.get(a);
    if (!b) changes.push({ kind: 'added', after: a, topic: topicOf(`${a.title}\n${a.text}`), newSentences: [] });
    else if (norm(a.text) === norm(b.text)) unchanged++;
    else {
      const old = new Set(sentencesOf(b).map(norm));
      const fresh = sentencesOf(a).filter((s) => !old.has(norm(s)));
      const removedText = sentencesOf(b).filter((s) => !a.text.includes(s.trim()));
      const delta = `${fresh.join('')}${removedText.join('')}`;
      // The topic of what changed, not of the whole clause (a new date in a preamble is no sharing change).
      changes.push({ kind: 'changed', before: b, after: a, topic: topicOf(delta === '' ? `${a.title}\n${a.text}` : `${a.title}\n${delta}`), newSentences: fresh });
    }
  }
  for (const b of before) if (!usedBefore.has(b)) changes.push({ kind: 'removed', before: b, topic: topicOf(`${b.title}\n${b.text}`), newSentences: [] });
  const rank = (c: ClauseChange) => (c.topic ? TOPIC_ORDER.indexOf(c.topic) : TOPIC_ORDER.length);
  const position = (c: ClauseChange) => (c.after ?? c.before)!.lineStart;
  // Stable: topics first, then in document order (removed clauses by their old position).
  changes.sort((x, y) => rank(x) - rank(y) || position(x) - position(y));
  return { changes, unchanged };
}
