// Reply templates live in prompts/replies.json so wording changes need no code change.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Language } from '../knowledge/text.ts';
import { PROJECT_ROOT } from '../project-root.ts';

const keys = [
  'answerIntroOtherLanguage',
  'refusal',
  'otherCompany',
  'citationsHeader',
  'citation',
  'clauseNumber',
  'invalidEmpty',
  'invalidTooLong',
  'invalidControl',
  'citationEffective',
  'pastVersionIntro',
  'whatChangedIntro',
  'whatChangedAdded',
  'whatChangedRemoved',
  'whatChangedChanged',
  'whatChangedTopic',
  'whatChangedMore',
  'whatChangedSame',
  'whatChangedNone',
  'topic.retention',
  'topic.sharing',
  'topic.rights',
  'topic.contact',
] as const;
const LanguageSchema = z.object(Object.fromEntries(keys.map((k) => [k, z.string()])) as Record<(typeof keys)[number], z.ZodString>);
const RepliesSchema = z.object({ zh: LanguageSchema, en: LanguageSchema });
export type ReplyKey = (typeof keys)[number];

const path = join(PROJECT_ROOT, 'prompts/replies.json');
let cached: z.infer<typeof RepliesSchema> | null = null;

export function reply(language: Language, key: ReplyKey, vars: Record<string, string | number> = {}): string {
  cached ??= RepliesSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return cached[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}
