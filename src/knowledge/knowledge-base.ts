// Loads the policies named in knowledge/manifest.json and parses them into clauses.
// Adding a policy is dropping its text file into knowledge/ and adding a manifest entry.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import { parsePolicy, type Clause } from './parser.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../tickets/calendar.ts';

export const DEFAULT_KNOWLEDGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../knowledge');

const TenantSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'tenant ids are lower-case letters, digits and dashes'),
  name: z.string().min(1).describe('Name shown to users'),
  aliases: z.array(z.string().min(1)).default([]).describe('Names users may call the company by'),
  defaultResponseDays: z
    .number()
    .int()
    .min(1)
    .max(120)
    .default(30)
    .describe('Days to answer a rights request when the policy states no response time'),
  timeZone: z
    .string()
    .refine(isTimeZone, 'timeZone must be an IANA time zone name, e.g. Asia/Shanghai')
    .default(DEFAULT_TIME_ZONE)
    .describe('Where due dates are counted and shown'),
});

const PolicySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'policy ids are lower-case letters, digits and dashes'),
  tenant: z.string(),
  file: z.string().min(1).describe('Path of the policy text, relative to the knowledge directory'),
  lines: z
    .tuple([z.number().int().min(1), z.number().int().min(1)])
    .optional()
    .describe('Only these source lines (for a file holding several language versions)'),
  title: z.string().min(1),
  company: z.string().optional(),
  language: z.enum(['zh', 'en']),
  effectiveDate: z
    .string()
    .regex(/^\d{4}-\d{2}(-\d{2})?$/, 'effectiveDate is YYYY-MM or YYYY-MM-DD')
    .optional(),
});

const ManifestSchema = z
  .object({ tenants: z.array(TenantSchema).min(1), policies: z.array(PolicySchema).min(1) })
  .superRefine((m, ctx) => {
    const tenants = new Set(m.tenants.map((t) => t.id));
    const seen = new Set<string>();
    m.policies.forEach((p, i) => {
      if (!tenants.has(p.tenant)) {
        ctx.addIssue({ code: 'custom', path: ['policies', i, 'tenant'], message: `unknown tenant "${p.tenant}"` });
      }
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'id'], message: `duplicate id "${p.id}"` });
      seen.add(p.id);
    });
  });

export type Tenant = z.infer<typeof TenantSchema>;
export type PolicyMeta = z.infer<typeof PolicySchema>;
export type Manifest = z.infer<typeof ManifestSchema>;

export interface KnowledgeBase {
  dir: string;
  tenants: Tenant[];
  policies: PolicyMeta[];
  clauses: Clause[];
  /** Changes whenever a policy text or the manifest changes. */
  contentHash: string;
}

export function loadKnowledgeBase(dir: string = DEFAULT_KNOWLEDGE_DIR): KnowledgeBase {
  const manifestPath = join(dir, 'manifest.json');
  let manifestText: string;
  try {
    manifestText = readFileSync(manifestPath, 'utf8');
  } catch (cause) {
    throw new BotError('invalid_knowledge', `Cannot read ${manifestPath}: the knowledge directory needs a manifest.json.`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(manifestText);
  } catch (cause) {
    throw new BotError('invalid_knowledge', `${manifestPath} is not valid JSON.`, { cause });
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new BotError('invalid_knowledge', `${manifestPath} is invalid:\n${problems}`);
  }
  const manifest = parsed.data;
  const hash = createHash('sha256').update(manifestText);
  const texts = new Map<string, string>();
  const clauses: Clause[] = [];
  for (const policy of manifest.policies) {
    let text = texts.get(policy.file);
    if (text === undefined) {
      try {
        text = readFileSync(join(dir, policy.file), 'utf8');
      } catch (cause) {
        throw new BotError('invalid_knowledge', `Policy "${policy.id}": cannot read ${join(dir, policy.file)}.`, { cause });
      }
      texts.set(policy.file, text);
      hash.update(policy.file).update('\0').update(text);
    }
    clauses.push(...parsePolicy(text, { policyId: policy.id, lines: policy.lines }));
  }
  return { dir, tenants: manifest.tenants, policies: manifest.policies, clauses, contentHash: hash.digest('hex') };
}

export function findTenant(kb: KnowledgeBase, tenantId: string): Tenant {
  const tenant = kb.tenants.find((t) => t.id === tenantId);
  if (!tenant) {
    const known = kb.tenants.map((t) => t.id).join(', ');
    throw new BotError('unknown_tenant', `Unknown tenant "${tenantId}". Known tenants: ${known}.`);
  }
  return tenant;
}
