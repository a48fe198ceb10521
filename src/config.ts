// The one place that reads the environment. Everything is validated at start-up and every
// problem is reported at once, with how to fix it.

import { resolve } from 'node:path';
import { z } from 'zod';
import { BotError } from './errors.ts';
import { DEFAULT_KNOWLEDGE_DIR } from './knowledge/knowledge-base.ts';

const ConfigSchema = z
  .object({
    DATA_DIR: z.string().default('./data').describe('Where the index and the database live'),
    KNOWLEDGE_DIR: z.string().default(DEFAULT_KNOWLEDGE_DIR).describe('Policies and manifest'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EMBEDDINGS_BASE_URL: z.url().optional().describe('OpenAI-compatible API base, e.g. https://api.example.com/v1'),
    EMBEDDINGS_MODEL: z.string().min(1).optional(),
    EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.EMBEDDINGS_BASE_URL && !c.EMBEDDINGS_MODEL) {
      ctx.addIssue({ code: 'custom', path: ['EMBEDDINGS_MODEL'], message: 'set EMBEDDINGS_MODEL too when EMBEDDINGS_BASE_URL is set (e.g. text-embedding-3-small)' });
    }
  });

export interface Config {
  dataDir: string;
  knowledgeDir: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  embeddings: { baseUrl: string; model: string; apiKey?: string } | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new BotError('invalid_config', `Invalid configuration:\n${problems}`);
  }
  const c = parsed.data;
  return {
    dataDir: resolve(c.DATA_DIR),
    knowledgeDir: resolve(c.KNOWLEDGE_DIR),
    logLevel: c.LOG_LEVEL,
    embeddings:
      c.EMBEDDINGS_BASE_URL && c.EMBEDDINGS_MODEL
        ? { baseUrl: c.EMBEDDINGS_BASE_URL, model: c.EMBEDDINGS_MODEL, apiKey: c.EMBEDDINGS_API_KEY }
        : null,
  };
}
