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
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
      .optional()
      .describe('PostgreSQL instead of the embedded SQLite file'),
    BOT_ENCRYPTION_KEY: z
      .string()
      .refine((v) => decodeKey(v) !== null, 'BOT_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)')
      .optional()
      .describe('Key for contact details at rest; without it a key file is created in DATA_DIR'),
    TRANSCRIPT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30).describe('Chat transcripts older than this are purged'),
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
  databaseUrl: string | null;
  /** 32-byte key for contact details; null means use (or create) DATA_DIR/secret.key. */
  encryptionKey: Buffer | null;
  transcriptRetentionDays: number;
}

/** A 32-byte key written as 64 hex digits or as base64. */
export function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  return key.length === 32 ? key : null;
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
    databaseUrl: c.DATABASE_URL ?? null,
    encryptionKey: c.BOT_ENCRYPTION_KEY ? decodeKey(c.BOT_ENCRYPTION_KEY) : null,
    transcriptRetentionDays: c.TRANSCRIPT_RETENTION_DAYS,
  };
}
