// The bot's conversational wording lives in prompts/conversation.json (one entry per key and
// language), so wording changes need no code change. Both languages must define the same
// keys; a missing key is a start-up error, not a blank reply.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import type { Language } from '../knowledge/text.ts';

const path = join(PROJECT_ROOT, 'prompts/conversation.json');
const TemplatesSchema = z
  .object({ zh: z.record(z.string(), z.string()), en: z.record(z.string(), z.string()) })
  .refine((t) => Object.keys(t.zh).sort().join() === Object.keys(t.en).sort().join(), 'zh and en must define the same keys');

let cached: z.infer<typeof TemplatesSchema> | null = null;

function templates(): z.infer<typeof TemplatesSchema> {
  if (!cached) {
    const parsed = TemplatesSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new BotError('invalid_config', `${path} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    cached = parsed.data;
  }
  return cached;
}

export function say(language: Language, key: string, vars: Record<string, string | number> = {}): string {
  const template = templates()[language][key];
  if (template === undefined) throw new BotError('invalid_config', `prompts/conversation.json has no "${key}" for ${language}.`);
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

export function hasTemplate(language: Language, key: string): boolean {
  return templates()[language][key] !== undefined;
}
