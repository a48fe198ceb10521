// One call to the model whose reply must be a JSON object of a zod schema, bounded by a
// deadline. Every way it can go wrong is a named reason, never an exception: the caller
// falls back to the offline path and counts the reason.

import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { Callbacks } from '@langchain/core/callbacks/manager';
import type { z } from 'zod';

export type CallFailure = 'timeout' | 'model_error' | 'format_refusal' | 'malformed';
export type CallResult<T> = { ok: true; value: T } | { ok: false; reason: CallFailure };

export interface StructuredCall {
  model: BaseChatModel;
  timeoutMs: number;
  callbacks?: Callbacks;
  /** When all calls for this question must be over (performance.now() time); a call gets what is left. */
  deadline?: number;
}

export async function callForJson<T>(
  call: StructuredCall,
  messages: { system: string; user: string },
  schema: z.ZodType<T>,
  runName: string,
): Promise<CallResult<T>> {
  const budget = call.deadline === undefined ? call.timeoutMs : Math.min(call.timeoutMs, call.deadline - performance.now());
  if (budget <= 0) return { ok: false, reason: 'timeout' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, budget);
  let content: string;
  try {
    // The race also covers a model implementation that ignores the abort signal.
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true }));
    const message = await Promise.race([
      call.model.invoke([new SystemMessage(messages.system), new HumanMessage(messages.user)], {
        signal: controller.signal,
        runName,
        // An explicit `callbacks: undefined` would hide the handlers of an enclosing pipeline run.
        ...(call.callbacks ? { callbacks: call.callbacks } : {}),
      }),
      aborted,
    ]);
    content = typeof message.content === 'string' ? message.content : message.content.map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join('');
  } catch {
    return { ok: false, reason: timedOut ? 'timeout' : 'model_error' };
  } finally {
    clearTimeout(timer);
  }
  return parseJsonReply(content, schema);
}

/** The JSON object in a reply (a ```json fence is tolerated); prose with no object at all is a refusal of the format. */
export function parseJsonReply<T>(content: string, schema: z.ZodType<T>): CallResult<T> {
  const text = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  const start = text.indexOf('{');
  if (start < 0) return { ok: false, reason: 'format_refusal' };
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, text.lastIndexOf('}') + 1));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: 'malformed' };
}
