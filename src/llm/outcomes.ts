// What became of each model call, by task (answer, rewrite, rerank, intent): used, or why the offline
// result was used instead. Created unregistered; the server adds it to its registry.

import { Counter } from 'prom-client';


export function modelOutcomeCounter(): Counter<'task' | 'outcome'> {
  return new Counter({
    name: 'privacy_bot_llm_outcomes_total',
    help: 'Language-model calls by task and outcome: sent/used, or the reason the offline result was used (timeout, malformed, uncited, ...)',
    labelNames: ['task', 'outcome'],
    registers: [],
  });
}
