// The one place that reads the environment. Everything is validated at start-up and every
// problem is reported at once, with how to fix it.

import { resolve } from 'node:path';
import { z } from 'zod';
import { BotError } from './errors.ts';
import { DEFAULT_KNOWLEDGE_DIR } from './knowledge/knowledge-base.ts';

/** What a configured model may do: draft answers, rewrite queries, rerank clauses, label unsure intents. */
export const LLM_TASKS = ['answer', 'rewrite', 'rerank', 'intent'] as const;
export type LlmTask = (typeof LLM_TASKS)[number];

const ConfigSchema = z
  .object({
    DATA_DIR: z.string().default('./data').describe('Where the index and the database live'),
    KNOWLEDGE_DIR: z.string().default(DEFAULT_KNOWLEDGE_DIR).describe('Policies and manifest'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EMBEDDINGS_BASE_URL: z.url().optional().describe('OpenAI-compatible API base, e.g. https://api.example.com/v1'),
    EMBEDDINGS_MODEL: z.string().min(1).optional(),
    EMBEDDINGS_API_KEY: z.string().min(1).optional(),
    LLM_BASE_URL: z.url().optional().describe('OpenAI-compatible chat API base, e.g. http://127.0.0.1:11434/v1 (Ollama) or http://127.0.0.1:8000/v1 (vLLM)'),
    LLM_MODEL: z.string().min(1).optional(),
    LLM_API_KEY: z.string().min(1).optional(),
    LLM_TIMEOUT_MS: z.coerce.number().int().min(1).max(60000).default(3000).describe('Longest wait for the model, per question, before the offline answer is sent'),
    LLM_TASKS: z
      .string()
      .default(LLM_TASKS.join(','))
      .transform((v) => v.split(',').map((t) => t.trim()).filter((t) => t !== ''))
      .pipe(z.array(z.enum(LLM_TASKS, { message: `LLM_TASKS is a comma-separated list of ${LLM_TASKS.join(', ')}` })))
      .describe('What the model is used for'),
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
    TICKET_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .max(36500)
      .default(1095)
      .describe("Closed tickets keep their personal data this long; then contact and sealed details are purged, the record stays"),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465')
      .optional()
      .describe('Mail server for verification codes'),
    MAIL_FROM: z.string().min(3).optional().describe('Sender of verification emails, e.g. "Privacy <privacy@example.com>"'),
    SMS_WEBHOOK_URL: z.url().optional().describe('Receives an HTTP POST of {"to","text"} to send a verification SMS'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port of the server'),
    HOST: z.string().min(1).default('0.0.0.0').describe('Interface the server listens on'),
    BOT_DEFAULT_TENANT: z.string().min(1).optional().describe('Tenant of channels that name none'),
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0).describe('Proxies (load balancers) in front whose X-Forwarded-For entries are trusted'),
    WEB_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).default(20).describe('Web chat messages per session per minute'),
    WEB_MESSAGES_PER_MINUTE_PER_IP: z.coerce.number().int().min(1).default(120).describe('Web chat messages per client address per minute'),
    WEB_NEW_CHATS_PER_HOUR_PER_IP: z.coerce.number().int().min(1).default(30).describe('New web chat sessions per client address per hour'),
    MAX_OPEN_TICKETS_PER_REQUESTER: z.coerce.number().int().min(1).default(5).describe('Open requests one person may have at once'),
    WECHAT_TOKEN: z.string().min(3).max(32).optional().describe('Token set in the Official Account console'),
    WECHAT_APPID: z.string().min(1).optional(),
    WECHAT_APPSECRET: z.string().min(1).optional(),
    WECHAT_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, 'WECHAT_AES_KEY is the 43-character EncodingAESKey from the console').optional(),
    WECHAT_ENCRYPT_MODE: z
      .enum(['plain', 'compatible', 'safe'], 'WECHAT_ENCRYPT_MODE is plain, compatible or safe, as chosen in the server configuration (消息加解密方式)')
      .optional()
      .describe('Message encryption of the account at /wechat; default safe with WECHAT_AES_KEY, else plain'),
    WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
    WECHAT_TENANT: z.string().min(1).optional(),
    WECHAT_MAX_CLOCK_SKEW_S: z.coerce.number().int().min(0).default(300),
    WECHAT_ACCOUNTS_FILE: z.string().min(1).optional().describe('JSON file listing several Official Accounts, one per tenant'),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_BOT_TOKEN: z.string().min(1).optional(),
    SLACK_API_URL: z.url().optional().describe('Web API base, e.g. https://slack.com/api/ (tests point it at a fake)'),
    SLACK_TENANT: z.string().min(1).optional(),
    SLACK_AGENT_CHANNEL: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,31}$/, 'SLACK_AGENT_CHANNEL is a channel id such as C0123ABCD (channel details → About), not its name')
      .optional()
      .describe('Channel where escalated chats are posted for agents to take over'),
    SLACK_AGENT_USERGROUP: z
      .string()
      .regex(/^S[A-Z0-9]{2,31}$/, 'SLACK_AGENT_USERGROUP is a user group id such as S0123ABCD, not its handle')
      .optional()
      .describe('User group whose members may act on escalations besides the agent channel members'),
    WECHATY_PUPPET: z.string().min(1).optional().describe('Puppet package, e.g. wechaty-puppet-service'),
    WECHATY_PUPPET_TOKEN: z.string().min(1).optional(),
    WECHATY_TENANT: z.string().min(1).optional(),
    MAX_TURNS_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(32).describe('Turns handled at once; past it web and Slack get "busy", WeChat is answered later'),
    MAX_QUEUED_TURNS: z.coerce.number().int().min(0).max(1_000_000).default(5000).describe('WeChat turns waiting for a slot; past it WeChat gets 503 and redelivers'),
    HANDOFF_TAKE_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(10).describe('Minutes a chat waits for an agent before the user is offered a ticket'),
    AGENTS_FILE: z.string().min(1).optional().describe('JSON file of agent console accounts (privacy-bot agents add NAME)'),
    AGENT_SESSION_HOURS: z.coerce.number().int().min(1).max(168).default(8).describe('How long an agent console login lasts'),
    AGENT_COOKIE_SECURE: z.enum(['true', 'false']).default('false').describe('Mark console cookies Secure (also done when X-Forwarded-Proto is https)'),
  })
  .superRefine((c, ctx) => {
    if (c.EMBEDDINGS_BASE_URL && !c.EMBEDDINGS_MODEL) {
      ctx.addIssue({ code: 'custom', path: ['EMBEDDINGS_MODEL'], message: 'set EMBEDDINGS_MODEL too when EMBEDDINGS_BASE_URL is set (e.g. text-embedding-3-small)' });
    }
    if (c.SMTP_URL && !c.MAIL_FROM) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'set MAIL_FROM too when SMTP_URL is set (the sender address of verification emails)' });
    }
    if (c.WECHAT_ENCRYPT_MODE && c.WECHAT_ENCRYPT_MODE !== 'plain' && !c.WECHAT_AES_KEY) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_AES_KEY'], message: `${c.WECHAT_ENCRYPT_MODE} mode (WECHAT_ENCRYPT_MODE) needs WECHAT_AES_KEY, the EncodingAESKey of the server configuration` });
    }
    if (c.LLM_BASE_URL && !c.LLM_MODEL) {
      ctx.addIssue({ code: 'custom', path: ['LLM_MODEL'], message: 'set LLM_MODEL too when LLM_BASE_URL is set (the model name the server serves, e.g. qwen2.5:7b-instruct)' });
    }
    if (c.LLM_MODEL && !c.LLM_BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['LLM_BASE_URL'], message: 'set LLM_BASE_URL too when LLM_MODEL is set (an OpenAI-compatible base such as http://127.0.0.1:8000/v1)' });
    }
    if (c.WECHAT_AES_KEY && !c.WECHAT_APPID) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_APPID'], message: 'safe mode (WECHAT_AES_KEY) needs WECHAT_APPID: the AppID is part of every encrypted message' });
    }
    if (c.SLACK_AGENT_CHANNEL && !(c.SLACK_SIGNING_SECRET && c.SLACK_BOT_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_AGENT_CHANNEL'], message: 'the Slack agent desk needs the Slack app: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN too' });
    }
    if (c.SLACK_AGENT_USERGROUP && !c.SLACK_AGENT_CHANNEL) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_AGENT_USERGROUP'], message: 'SLACK_AGENT_USERGROUP only widens who may act in SLACK_AGENT_CHANNEL: set SLACK_AGENT_CHANNEL too' });
    }
  });

export interface Config {
  dataDir: string;
  knowledgeDir: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  embeddings: { baseUrl: string; model: string; apiKey?: string } | null;
  /** A chat model behind an OpenAI-compatible API; null = the offline answerer only. */
  llm: LlmConfig | null;
  databaseUrl: string | null;
  /** 32-byte key for contact details; null means use (or create) DATA_DIR/secret.key. */
  encryptionKey: Buffer | null;
  transcriptRetentionDays: number;
  ticketRetentionDays: number;
  /** Where verification codes go out; null = that kind of contact is verified by an agent. */
  verification: { smtpUrl: string | null; mailFrom: string | null; smsWebhookUrl: string | null };
  server: { port: number; host: string; defaultTenant: string | null; trustedProxyHops: number };
  web: { messagesPerMinute: number; messagesPerMinutePerIp: number; newChatsPerHourPerIp: number };
  maxOpenTicketsPerRequester: number;
  wechat: {
    token: string | null;
    appId: string | null;
    appSecret: string | null;
    aesKey: string | null;
    /** null: safe when aesKey is set, else plain. */
    encryptMode: 'plain' | 'compatible' | 'safe' | null;
    apiBase: string;
    tenant: string | null;
    maxClockSkewS: number;
    accountsFile: string | null;
  };
  slack: {
    signingSecret: string | null;
    botToken: string | null;
    apiUrl: string | null;
    tenant: string | null;
    /** The agent desk's channel id; null = no Slack desk. */
    agentChannel: string | null;
    /** A user group whose members may act besides the channel's members. */
    agentUsergroup: string | null;
  };
  wechaty: { puppet: string | null; puppetToken: string | null; tenant: string | null };
  /** The cap on turns in flight in one process (src/server/admission.ts). */
  admission: { maxTurnsInFlight: number; maxQueuedTurns: number };
  handoff: { takeTimeoutMinutes: number };
  agentConsole: { agentsFile: string | null; sessionHours: number; secureCookies: boolean };
}

export interface LlmConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** The model's budget per question: all its calls for one question end by then. */
  timeoutMs: number;
  tasks: LlmTask[];
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
    llm:
      c.LLM_BASE_URL && c.LLM_MODEL
        ? { baseUrl: c.LLM_BASE_URL, model: c.LLM_MODEL, apiKey: c.LLM_API_KEY, timeoutMs: c.LLM_TIMEOUT_MS, tasks: [...new Set(c.LLM_TASKS)] }
        : null,
    databaseUrl: c.DATABASE_URL ?? null,
    encryptionKey: c.BOT_ENCRYPTION_KEY ? decodeKey(c.BOT_ENCRYPTION_KEY) : null,
    transcriptRetentionDays: c.TRANSCRIPT_RETENTION_DAYS,
    ticketRetentionDays: c.TICKET_RETENTION_DAYS,
    verification: { smtpUrl: c.SMTP_URL ?? null, mailFrom: c.MAIL_FROM ?? null, smsWebhookUrl: c.SMS_WEBHOOK_URL ?? null },
    server: { port: c.PORT, host: c.HOST, defaultTenant: c.BOT_DEFAULT_TENANT ?? null, trustedProxyHops: c.TRUSTED_PROXY_HOPS },
    web: { messagesPerMinute: c.WEB_MESSAGES_PER_MINUTE, messagesPerMinutePerIp: c.WEB_MESSAGES_PER_MINUTE_PER_IP, newChatsPerHourPerIp: c.WEB_NEW_CHATS_PER_HOUR_PER_IP },
    maxOpenTicketsPerRequester: c.MAX_OPEN_TICKETS_PER_REQUESTER,
    wechat: {
      token: c.WECHAT_TOKEN ?? null,
      appId: c.WECHAT_APPID ?? null,
      appSecret: c.WECHAT_APPSECRET ?? null,
      aesKey: c.WECHAT_AES_KEY ?? null,
      encryptMode: c.WECHAT_ENCRYPT_MODE ?? null,
      apiBase: c.WECHAT_API_BASE.replace(/\/+$/, ''),
      tenant: c.WECHAT_TENANT ?? null,
      maxClockSkewS: c.WECHAT_MAX_CLOCK_SKEW_S,
      accountsFile: c.WECHAT_ACCOUNTS_FILE ? resolve(c.WECHAT_ACCOUNTS_FILE) : null,
    },
    slack: {
      signingSecret: c.SLACK_SIGNING_SECRET ?? null,
      botToken: c.SLACK_BOT_TOKEN ?? null,
      apiUrl: c.SLACK_API_URL ?? null,
      tenant: c.SLACK_TENANT ?? null,
      agentChannel: c.SLACK_AGENT_CHANNEL ?? null,
      agentUsergroup: c.SLACK_AGENT_USERGROUP ?? null,
    },
    wechaty: { puppet: c.WECHATY_PUPPET ?? null, puppetToken: c.WECHATY_PUPPET_TOKEN ?? null, tenant: c.WECHATY_TENANT ?? null },
    admission: { maxTurnsInFlight: c.MAX_TURNS_IN_FLIGHT, maxQueuedTurns: c.MAX_QUEUED_TURNS },
    handoff: { takeTimeoutMinutes: c.HANDOFF_TAKE_TIMEOUT_MINUTES },
    agentConsole: { agentsFile: c.AGENTS_FILE ? resolve(c.AGENTS_FILE) : null, sessionHours: c.AGENT_SESSION_HOURS, secureCookies: c.AGENT_COOKIE_SECURE === 'true' },
  };
}
