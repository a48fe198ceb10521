// The checks a model's draft answer must pass before it is sent: it cites only clauses it was
// given, every statement is cited, its facts are in the clauses it cites, it is in the
// question's language, and it agrees with the offline answer-or-refuse decision unless the
// evidence was close to the threshold. Pure: the caller decides what to send.

import { z } from 'zod';
import { detectLanguage, type Language } from '../knowledge/text.ts';
import type { Clause } from '../knowledge/parser.ts';
import type { CallFailure } from './structured-call.ts';
import { unsupportedFacts } from './facts.ts';

export const DraftSchema = z.object({
  covered: z.boolean(),
  statements: z.array(z.object({ text: z.string().trim().min(1).max(1000), clauses: z.array(z.string()).max(10) })).max(12),
});
export type Draft = z.infer<typeof DraftSchema>;

export type VerifyFailure = 'unknown_citation' | 'uncited' | 'ungrounded' | 'unsupported_fact' | 'wrong_language' | 'contradicts_decision';
/** Why the offline answer went out instead of the model's. */
export type FallbackReason = CallFailure | VerifyFailure;
export const FALLBACK_REASONS: FallbackReason[] = [
  'timeout',
  'model_error',
  'format_refusal',
  'malformed',
  'unknown_citation',
  'uncited',
  'ungrounded',
  'unsupported_fact',
  'wrong_language',
  'contradicts_decision',
];
/** What became of a question the model was asked: its answer sent, its "not covered" agreed, or why it was not used. */
export type ModelOutcome = 'sent' | 'refusal_agreed' | FallbackReason;

/**
 * How far below the decision threshold the offline evidence may be for the model to answer a
 * question the offline decision refused: a close call may go either way, a clear refusal
 * stands (the model has been shown clauses that merely share words with the question).
 */
export const OVERRIDE_MARGIN = 0.1;

export interface VerifyInput {
  draft: Draft;
  language: Language;
  /** The clauses the model was shown. */
  shown: Clause[];
  offline: { answerable: boolean; probability: number; threshold: number };
  /** The asking tenant's own name and aliases (the policy's "we"; allowed without a citation). */
  ownNames: string[];
  /** Other tenants' names: a statement naming one must cite a clause that does. */
  otherNames: string[];
  /** The instructions the model was given, in both languages: never to be repeated to a user. */
  instructions: string[];
}

/**
 * Share of a statement's words its cited clauses must contain when both are in one language
 * (Chinese: character bigrams; English: words of three letters or more). A faithful
 * paraphrase keeps well above it; text from elsewhere (the prompt, another user, the
 * model's own knowledge) falls below.
 */
export const GROUNDED_SHARE = 0.35;
/** A run this long copied from the instructions is a leak of the prompt (CJK characters / English words). */
const LEAK_CHARS = 10;
const LEAK_WORDS = 6;

export type Verdict = { ok: true; covered: boolean } | { ok: false; reason: VerifyFailure; detail?: string };

export function verifyDraft(input: VerifyInput): Verdict {
  const { draft, offline } = input;
  if (!draft.covered) {
    // "Not covered" against an offline answer built on evidence: the offline answer stands.
    return offline.answerable ? { ok: false, reason: 'contradicts_decision' } : { ok: true, covered: false };
  }
  if (draft.statements.length === 0 || draft.statements.some((s) => s.clauses.length === 0)) return { ok: false, reason: 'uncited' };
  const byId = new Map(input.shown.map((c) => [c.clauseId, c]));
  const unknown = draft.statements.flatMap((s) => s.clauses).find((id) => !byId.has(id));
  if (unknown !== undefined) return { ok: false, reason: 'unknown_citation', detail: unknown };
  if (detectLanguage(draft.statements.map((s) => s.text).join(' ')) !== input.language) return { ok: false, reason: 'wrong_language' };
  const own = input.ownNames.map((n) => n.toLowerCase());
  for (const s of draft.statements) {
    if (input.instructions.some((i) => copiesFrom(s.text, i))) return { ok: false, reason: 'ungrounded' };
    // What the model was shown of each cited clause: its headings, number and text.
    const source = s.clauses.map((id) => byId.get(id)!).map((c) => [...c.headingPath, c.number, c.text].join('\n')).join('\n');
    if (detectLanguage(source) === input.language && groundedShare(s.text, source, input.language) < GROUNDED_SHARE) return { ok: false, reason: 'ungrounded' };
    const missing = unsupportedFacts(s.text, source, input.otherNames).filter((f) => !own.includes(f.toLowerCase()));
    if (missing.length > 0) return { ok: false, reason: 'unsupported_fact' };
  }
  if (!offline.answerable && offline.probability < offline.threshold - OVERRIDE_MARGIN) return { ok: false, reason: 'contradicts_decision' };
  return { ok: true, covered: true };
}

function units(text: string, language: Language): string[] {
  if (language === 'en') return (text.toLowerCase().match(/[a-z]{3,}/g) ?? []).map((w) => w.replace(/(?:ing|ed|es|s)$/, ''));
  const chars = [...text.replace(/[^\p{L}\p{N}]/gu, '')];
  return chars.slice(1).map((c, i) => chars[i]! + c);
}

/** The share of the statement's words (bigrams for Chinese) found in the source. */
export function groundedShare(statement: string, source: string, language: Language): number {
  const mine = units(statement, language);
  if (mine.length === 0) return 1;
  const theirs = new Set(units(source, language));
  return mine.filter((u) => theirs.has(u)).length / mine.length;
}

/** Does the statement repeat a run of the instructions (a leaked prompt)? */
export function copiesFrom(statement: string, instructions: string): boolean {
  const compact = (t: string) => t.replace(/\s+/g, '');
  const s = compact(statement);
  const i = compact(instructions);
  for (let k = 0; k + LEAK_CHARS <= s.length; k++) {
    const piece = s.slice(k, k + LEAK_CHARS);
    if (/[\u4e00-\u9fa5]{4}/.test(piece) && i.includes(piece)) return true;
  }
  const words = statement.toLowerCase().match(/[a-z']+/g) ?? [];
  const text = ` ${(instructions.toLowerCase().match(/[a-z']+/g) ?? []).join(' ')} `;
  for (let k = 0; k + LEAK_WORDS <= words.length; k++) {
    if (text.includes(` ${words.slice(k, k + LEAK_WORDS).join(' ')} `)) return true;
  }
  return false;
}
