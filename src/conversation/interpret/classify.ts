// Scores every intent for one normalised message and turns the scores into a ranked list
// with probabilities. How a message is decided:
//   1. Social talk: nothing but greetings, thanks or goodbyes ("谢谢", "ok bye") is `greeting`.
//   2. Evidence: each rule in rules.ts that holds gives its intent a weight; the first group
//      of a `negatable` rule does not count behind a negation ("我不想删除").
//   3. Mood: request markers (帮我, 请, please, could you ...) against question markers (怎么,
//      吗, how, can I ...). A right wins in request mood or when nothing asks; in a question
//      its evidence goes to `question` ("怎么删除个人信息？"). `interrogative` rules ignore the
//      mood (asking "能转人工吗？" is the request). A polite request phrased as a yes/no
//      question ("能否给我发一份副本？") and a message whose last sentence asks for the action
//      are requests. A bare topic ("删除个人信息": no marker, no 我/my) leans neither way,
//      which makes it unsure, so the caller asks.
//   4. Without evidence: a customer-service matter (delivery, refund, password, order) with no
//      privacy word is `other`; so is small talk; a question or a privacy word is `question`;
//      thanks in passing are `greeting`; anything else is `other`.
//   5. Probabilities are a softmax over the scores: a lead of 3 points is about 0.95.

import type { Intent } from '../types.ts';
import { markerWeight, negatedAt, negatedInside, politeRequest, QUESTION_MARKERS, REQUEST_MARKERS } from './mood.ts';
import { maskPolicyTitles } from './normalise.ts';
import { RULES } from './rules.ts';
import { mentionsThanks, socialOnly, type Social } from './social.ts';
import type { Terms } from './terms.ts';
import { CHIT_CHAT, DOMAIN, PRIVACY_CUES, serviceTopic, type ServiceTopic } from './topics.ts';

export interface Scored {
  /** Every intent with a score, best first, probabilities summing to 1. */
  ranked: { intent: Intent; probability: number }[];
  social: Social | null;
  service: ServiceTopic | null;
  /** The notes of the rules that held, for explaining a decision. */
  matched: string[];
  request: number;
  question: number;
  /** Something really asks (a question marker, or a bare topic that may be one), beyond naming privacy words. */
  questionSupported: boolean;
}

/** The person speaking of themselves: what makes a bare action a request ("删除我的信息"). */
const SELF = /我|本人|\b(?:i|me|my|mine|i'm|i'd|i've)\b/;

/** The last sentence with words in it. */
function lastSentence(text: string): string {
  const sentences = text.split(/[.!?。！？\n]+/).map((x) => x.trim()).filter((x) => /[\p{L}\p{N}]/u.test(x));
  return sentences.at(-1) ?? text;
}

/** Clauses: split at punctuation and at "but"/"但" ("删除我的数据，但不要注销账号"). */
function clauses(text: string): string[] {
  return text.split(/[,.;!?，。；！？、\n]|\bbut\b|但是|但|不过/).filter((c) => c.trim() !== '');
}

/**
 * Whether all groups occur in the text. For a negatable rule the first group needs an occurrence
 * without a negation in front; when some occurrence is negated, the rule must hold within one
 * clause that has an unnegated occurrence, so "我想删除数据，但不想注销账号" is no account closure.
 */
export function holds(groups: Terms[], negatable: boolean, text: string): boolean {
  if (!groups.every((g) => g.test(text))) return false;
  if (!negatable) return true;
  const [first, ...rest] = groups as [Terms, ...Terms[]];
  // Also at the match's end: the verb may be the tail of the negation ("不需要人工": 要 + 人工).
  const negated = (t: string, m: { index: number; span: string }) => negatedAt(t, m.index) || negatedInside(m.span) || negatedAt(t, m.index + m.span.length);
  if (!first.matches(text).some((m) => negated(text, m))) return true;
  return clauses(text).some((c) => rest.every((g) => g.test(c)) && first.matches(c).some((m) => !negated(c, m)));
}

interface Evidence {
  /** Per intent: the strongest matching rule, plus 0.25 for each further one (at most 0.5). */
  scores: Map<Intent, number>;
  /** The same over the `interrogative` rules only: what still counts when the message asks. */
  askScores: Map<Intent, number>;
  /** Intents whose only evidence was negated ("我不想删除"). */
  negated: Set<Intent>;
  matched: string[];
}

function evidence(text: string): Evidence {
  const masked = maskPolicyTitles(text);
  const weights = new Map<Intent, number[]>();
  const askWeights = new Map<Intent, number[]>();
  const negated = new Set<Intent>();
  const matched: string[] = [];
  for (const rule of RULES) {
    if (!rule.all.every((g) => g.test(masked)) || rule.unless?.some((g) => g.test(masked))) continue;
    if (!holds(rule.all, rule.negatable ?? false, masked)) {
      negated.add(rule.intent);
      continue;
    }
    matched.push(`${rule.intent}: ${rule.note}`);
    weights.set(rule.intent, [...(weights.get(rule.intent) ?? []), rule.weight]);
    if (rule.interrogative) askWeights.set(rule.intent, [...(askWeights.get(rule.intent) ?? []), rule.weight]);
  }
  const combine = (m: Map<Intent, number[]>) =>
    new Map([...m].map(([intent, ws]) => [intent, Math.max(...ws) + 0.25 * Math.min(ws.length - 1, 2)] as const));
  for (const intent of weights.keys()) negated.delete(intent);
  return { scores: combine(weights), askScores: combine(askWeights), negated, matched };
}

export function score(text: string): Scored {
  const request = markerWeight(REQUEST_MARKERS, text);
  const question = markerWeight(QUESTION_MARKERS, text);
  const base = { matched: [] as string[], request, question, service: null, social: null, questionSupported: question > 0 };
  if (text === '') return { ...base, ranked: [{ intent: 'other', probability: 1 }] };
  const social = socialOnly(text);
  if (social) return { ...base, social, ranked: ranked(new Map([['greeting', 4]])) };

  const e = evidence(text);
  const final = new Map<Intent, number>();
  const add = (intent: Intent, points: number) => final.set(intent, (final.get(intent) ?? 0) + points);
  // A request when the request markers outweigh the question markers, or nothing asks, or the
  // message ends by asking for it ("how do I close my account? actually just close it for me").
  const last = lastSentence(text);
  const endsAsking = last !== text && markerWeight(REQUEST_MARKERS, last) > 0 && markerWeight(QUESTION_MARKERS, last) === 0;
  const requestMood = question === 0 || (request > 0 && request >= question) || endsAsking || politeRequest(text);
  const domain = DOMAIN.test(text);

  // A bare topic ("删除个人信息", "delete account"): no marker either way and no "我"/"my" in
  // it may be a request or a question about the right, so neither reading is sure.
  const bareTopic = request === 0 && question === 0 && e.negated.size === 0 && !SELF.test(text) && !/[了吧啦!！]/.test(text);

  let askedAbout = 0;
  for (const [intent, points] of e.scores) {
    const ask = e.askScores.get(intent);
    if (bareTopic && ask === undefined && intent !== 'complaint') {
      add(intent, points - 0.75);
      askedAbout = Math.max(askedAbout, points);
    } else if (requestMood) add(intent, points + (request > 0 && ask === undefined ? 1 : 0));
    else if (ask !== undefined) add(intent, ask);
    else {
      // A question about this right: the evidence counts for `question`.
      add(intent, points * 0.4);
      askedAbout = Math.max(askedAbout, points);
    }
  }

  // Closing the account deletes its data: a message asking for both is one account closure.
  if (final.has('cancel_account') && final.has('delete_data')) final.set('delete_data', final.get('delete_data')! - 1);

  const service = e.scores.size === 0 && !PRIVACY_CUES.test(text) ? serviceTopic(text) : null;
  const chitChat = CHIT_CHAT.test(text) && !domain;
  if (question > 0) add('question', 2 + 0.3 * Math.min(question, 4) + askedAbout * 0.5);
  // A statement naming privacy words is a terse question, unless it only negates an action ("don't transfer anything").
  else if ((domain && e.negated.size === 0) || askedAbout > 0) add('question', 1.5);
  add('other', 1 + (chitChat ? 3 : 0) + (service ? 4 : 0) + (e.negated.size > 0 ? 1.5 : 0));
  // Thanks in passing with nothing asked: "好的谢谢，没别的了", "that's all, thanks".
  const thanks = e.scores.size === 0 && question === 0 && e.negated.size === 0 && !service ? mentionsThanks(text) : null;
  if (thanks) add('greeting', 3);

  return { ...base, matched: e.matched, service, social: thanks, questionSupported: question > 0 || bareTopic, ranked: ranked(final) };
}

function ranked(scores: Map<Intent, number>): Scored['ranked'] {
  const entries = [...scores.entries()].sort((a, b) => b[1] - a[1]);
  const top = entries[0]?.[1] ?? 0;
  const exp = entries.map(([intent, s]) => [intent, Math.exp(s - top)] as const);
  const sum = exp.reduce((t, [, v]) => t + v, 0);
  return exp.map(([intent, v]) => ({ intent, probability: v / sum }));
}
