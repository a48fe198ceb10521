// The three jobs the model may do, each one structured call checked with zod: draft an answer
// from the shown clauses, rerank those clauses, label an intent the offline classifier is
// unsure of. The user's text goes into a delimited data block, never into the instructions.

import { z } from 'zod';
import { INTENTS, type Intent } from '../conversation/types.ts';
import type { Clause } from '../knowledge/parser.ts';
import type { Language } from '../knowledge/text.ts';
import { loadPrompt, renderPrompt } from './prompts.ts';
import { callForJson, type CallFailure, type CallResult, type StructuredCall } from './structured-call.ts';
import { DraftSchema, type Draft } from './verify.ts';

/** Longest clause text shown to the model: enough for any answer, bounded for small models. */
const CLAUSE_CHARS = 1200;

export function clauseBlock(clauses: Clause[]): string {
  return clauses
    .map((c) => {
      const heading = c.headingPath.at(-1) ?? '';
      const text = c.text.length > CLAUSE_CHARS ? `${c.text.slice(0, CLAUSE_CHARS)}…` : c.text;
      return `[${c.clauseId}] ${heading && !text.startsWith(heading) ? `${heading}: ` : ''}${text}`;
    })
    .join('\n\n');
}

/** The answer prompt's instructions in both languages (what a leak would repeat). */
export function answerInstructions(): string[] {
  const p = loadPrompt('answer');
  return [p.zh.system, p.en.system];
}

export function draftAnswer(call: StructuredCall, input: { question: string; language: Language; company: string; clauses: Clause[] }): Promise<CallResult<Draft>> {
  const messages = renderPrompt(loadPrompt('answer'), input.language, {
    company: input.company,
    clauses: clauseBlock(input.clauses),
    question: input.question,
  });
  return callForJson(call, messages, DraftSchema, 'model-answer');
}

const RewriteSchema = z.object({ query: z.string().trim().min(1).max(300) });

/** The question in policy wording, for a second retrieval; used only as a search string. */
export async function rewriteQuery(call: StructuredCall, input: { question: string; language: Language }): Promise<CallResult<string>> {
  const messages = renderPrompt(loadPrompt('rewrite'), input.language, { question: input.question });
  const result = await callForJson(call, messages, RewriteSchema, 'model-rewrite');
  return result.ok ? { ok: true, value: result.value.query } : result;
}

const RerankSchema = z.object({ ids: z.array(z.string()).min(1).max(20) });
export type RerankResult = { ok: true; value: Clause[] } | { ok: false; reason: CallFailure | 'unknown_citation' };

/** The shown clauses with the model's choice first, in its order; the others keep theirs. An id it was not shown rejects the ranking. */
export async function rerankClauses(call: StructuredCall, input: { question: string; language: Language; clauses: Clause[]; limit: number }): Promise<RerankResult> {
  const messages = renderPrompt(loadPrompt('rerank'), input.language, {
    clauses: clauseBlock(input.clauses),
    question: input.question,
    limit: String(input.limit),
  });
  const result = await callForJson(call, messages, RerankSchema, 'model-rerank');
  if (!result.ok) return result;
  const byId = new Map(input.clauses.map((c) => [c.clauseId, c]));
  if (result.value.ids.some((id) => !byId.has(id))) return { ok: false, reason: 'unknown_citation' };
  const first = [...new Set(result.value.ids)].map((id) => byId.get(id)!);
  return { ok: true, value: [...first, ...input.clauses.filter((c) => !first.includes(c))] };
}

const IntentSchema = z.object({ intent: z.enum(INTENTS) });

export async function classifyIntentWithModel(call: StructuredCall, input: { text: string; language: Language }): Promise<CallResult<Intent>> {
  const messages = renderPrompt(loadPrompt('intent'), input.language, { question: input.text, intents: INTENTS.join(', ') });
  const result = await callForJson(call, messages, IntentSchema, 'model-intent');
  return result.ok ? { ok: true, value: result.value.intent } : result;
}
