// Model prompts live in prompts/llm/<name>-v<version>.json (Chinese and English) so wording
// changes are reviewed as files and a version can be pinned; loaded by name and validated.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import type { Language } from '../knowledge/text.ts';

const MessagesSchema = z.object({ system: z.string().min(1), user: z.string().min(1) });
const PromptFileSchema = z.object({ name: z.string(), version: z.number().int().min(1), zh: MessagesSchema, en: MessagesSchema });
export type PromptFile = z.infer<typeof PromptFileSchema>;

export type PromptName = 'answer' | 'rewrite' | 'rerank' | 'intent';
/** The versions in use; a new wording is a new file and a bump here. */
export const PROMPT_VERSIONS: Record<PromptName, number> = { answer: 1, rewrite: 1, rerank: 1, intent: 1 };

const DIR = new URL('../../prompts/llm/', import.meta.url);
const cache = new Map<string, PromptFile>();

export function loadPrompt(name: PromptName, version = PROMPT_VERSIONS[name]): PromptFile {
  const key = `${name}-v${version}`;
  let prompt = cache.get(key);
  if (!prompt) {
    const parsed = PromptFileSchema.safeParse(JSON.parse(readFileSync(new URL(`${key}.json`, DIR), 'utf8')));
    if (!parsed.success || parsed.data.name !== name || parsed.data.version !== version) {
      throw new BotError('invalid_config', `prompts/llm/${key}.json is not a valid ${name} prompt (version ${version})`);
    }
    prompt = parsed.data;
    cache.set(key, prompt);
  }
  return prompt;
}

/**
 * The system and user messages of a prompt in one language. Values are inserted once, never
 * re-read as a template, so braces or tags in the user's text stay plain text; a closing tag
 * in the user's text cannot end its data block early.
 */
export function renderPrompt(prompt: PromptFile, language: Language, vars: Record<string, string>): { system: string; user: string } {
  const fill = (template: string) =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? neutraliseTags(vars[name]!) : whole));
  const m = prompt[language];
  return { system: fill(m.system), user: fill(m.user) };
}

function neutraliseTags(text: string): string {
  return text.replace(/<\/?(clauses|question|message)>/gi, (tag) => tag.replace('<', '‹').replace('>', '›'));
}
