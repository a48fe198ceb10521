// Loads the policies named in knowledge/manifest.json and parses them into clauses.
// Adding a policy is dropping its text file into knowledge/ and adding a manifest entry.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import { BusinessHoursSchema } from '../handoff/business-hours.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { parsePolicy, type Clause } from './parser.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../tickets/calendar.ts';
import { allVersions, isoDay, pickInForce, versionPolicyId } from './versions.ts';

export const DEFAULT_KNOWLEDGE_DIR = join(PROJECT_ROOT, 'knowledge');

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
  languages: z.array(z.enum(['zh', 'en'])).optional().describe('Languages the tenant answers in; default: those of its policies'),
  businessHours: BusinessHoursSchema.optional().describe('When agents take over chats; absent = always'),
  handoffTopics: z.array(z.string().min(1)).optional().describe('Words whose mention always passes the chat to a person, e.g. 诉讼, 律师'),
});

const EFFECTIVE_DATE = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'effectiveDate is YYYY-MM or YYYY-MM-DD');

/** An earlier (or later) text of a policy; the policy entry itself is its latest version. */
const PolicyVersionSchema = z.object({
  file: z.string().min(1),
  lines: z.tuple([z.number().int().min(1), z.number().int().min(1)]).optional(),
  effectiveDate: EFFECTIVE_DATE.optional(),
  source: z.string().min(1).optional().describe('The file as the company supplied it (HTML, .docx, ...), relative to the knowledge directory'),
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
  effectiveDate: EFFECTIVE_DATE.optional(),
  source: z.string().min(1).optional().describe('The file as the company supplied it (HTML, .docx, ...), relative to the knowledge directory'),
  versions: z.array(PolicyVersionSchema).optional().describe('Other versions of this policy, each with its effective date'),
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
export type PolicyVersionMeta = z.infer<typeof PolicyVersionSchema>;
export type Manifest = z.infer<typeof ManifestSchema>;

/** One version of a policy with its clauses; `meta` carries that version's file and effective date. */
export interface PolicyVersionText {
  /** The id its clauses carry: the policy id when in force, "id@date" otherwise. */
  key: string;
  meta: PolicyMeta;
  inForce: boolean;
  clauses: Clause[];
}

export interface KnowledgeBase {
  dir: string;
  tenants: Tenant[];
  /** Each policy as its version in force (file, lines, effective date of that version). */
  policies: PolicyMeta[];
  /** Clauses of the versions in force: what retrieval indexes. */
  clauses: Clause[];
  /** Every version of every policy, oldest first per policy. */
  versions: PolicyVersionText[];
  /** The day the versions in force were chosen for (YYYY-MM-DD). */
  asOf: string;
  /** Changes whenever a policy text or the manifest changes. */
  contentHash: string;
}

export interface LoadOptions {
  /** The day whose versions are in force; defaults to today. */
  asOf?: Date;
}

/** Validates a manifest; every problem is listed in the error. */
export function parseManifest(json: unknown, where: string): Manifest {
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new BotError('invalid_knowledge', `${where} is invalid:\n${problems}`);
  }
  return parsed.data;
}

export function readManifest(dir: string): { manifest: Manifest; text: string } {
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
  return { manifest: parseManifest(json, manifestPath), text: manifestText };
}

export function loadKnowledgeBase(dir: string = DEFAULT_KNOWLEDGE_DIR, options: LoadOptions = {}): KnowledgeBase {
  const { manifest, text: manifestText } = readManifest(dir);
  const asOf = isoDay(options.asOf ?? new Date());
  const hash = createHash('sha256').update(manifestText);
  const texts = new Map<string, string>();
  const read = (policyId: string, file: string): string => {
    let text = texts.get(file);
    if (text === undefined) {
      try {
        text = readFileSync(join(dir, file), 'utf8');
      } catch (cause) {
        throw new BotError('invalid_knowledge', `Policy "${policyId}": cannot read ${join(dir, file)}.`, { cause });
      }
      texts.set(file, text);
      hash.update(file).update('\0').update(text);
    }
    return text;
  };
  const clauses: Clause[] = [];
  const policies: PolicyMeta[] = [];
  const versions: PolicyVersionText[] = [];
  for (const policy of manifest.policies) {
    const all = allVersions(policy);
    const current = pickInForce(all, asOf);
    for (const version of all) {
      const inForce = version === current;
      const key = versionPolicyId(policy.id, version, inForce);
      const meta: PolicyMeta = { ...policy, file: version.file, lines: version.lines, effectiveDate: version.effectiveDate, source: version.source };
      const parsed = parsePolicy(read(policy.id, version.file), { policyId: key, lines: version.lines });
      versions.push({ key, meta, inForce, clauses: parsed });
      if (inForce) {
        hash.update(`in-force\0${key}\0${version.file}\0`);
        clauses.push(...parsed);
        policies.push(meta);
      }
    }
  }
  return { dir, tenants: manifest.tenants, policies, clauses, versions, asOf, contentHash: hash.digest('hex') };
}

export function findTenant(kb: KnowledgeBase, tenantId: string): Tenant {
  const tenant = kb.tenants.find((t) => t.id === tenantId);
  if (!tenant) {
    const known = kb.tenants.map((t) => t.id).join(', ');
    throw new BotError('unknown_tenant', `Unknown tenant "${tenantId}". Known tenants: ${known}.`);
  }
  return tenant;
}
