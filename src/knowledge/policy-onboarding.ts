// Adding, versioning and removing a company's policy without editing files by hand: the
// file is converted to text (formats.ts), copied under the knowledge directory, entered in
// manifest.json (a new version when the policy id exists) and the result is validated by
// loading the knowledge base again; on any failure the manifest is restored.
//
// The manifest is edited as raw JSON so fields this module does not know (added by other
// features) survive; it is validated with the knowledge base's zod schema before and after.

import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { BotError } from '../errors.ts';
import { extractPolicyText, formatOf, type PolicyFormat } from './formats.ts';
import { loadKnowledgeBase, parseManifest, type KnowledgeBase, type PolicyMeta } from './knowledge-base.ts';
import type { Clause } from './parser.ts';
import { checkStructure, type StructureReport } from './structure-check.ts';
import { detectLanguage } from './text.ts';
import { allVersions, dateKey } from './versions.ts';

/** The structure check onboarding prints: the parser's own (duplicate, backwards and skipped numbers, giant clauses, tables, coverage). */
export function checkPolicyStructure(clauses: Clause[], source: string, lines?: [number, number]): StructureReport {
  return checkStructure(source, clauses, { lines });
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

export const AddPolicySchema = z.object({
  file: z.string().min(1),
  tenant: z.string().regex(/^[a-z][a-z0-9-]*$/, '--tenant is lower-case letters, digits and dashes, starting with a letter (e.g. acme)'),
  policy: z.string().regex(ID, '--policy is lower-case letters, digits and dashes (e.g. acme-privacy)').optional(),
  name: z.string().min(1).optional(),
  title: z.string().min(1).optional(),
  company: z.string().min(1).optional(),
  language: z.enum(['zh', 'en']).optional(),
  effectiveDate: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, '--effective-date is YYYY-MM-DD (or YYYY-MM)').optional(),
  lines: z.tuple([z.number().int().min(1), z.number().int().min(1)]).refine(([a, b]) => a <= b, '--lines A-B needs A <= B').optional(),
});
export type AddPolicyInput = z.infer<typeof AddPolicySchema>;

export interface AddPolicyResult {
  policyId: string;
  tenantCreated: boolean;
  /** True when the policy existed and this file is another version of it. */
  newVersion: boolean;
  format: PolicyFormat;
  effectiveDate: string | null;
  /** The text file the manifest names, relative to the knowledge directory. */
  file: string;
  /** The original file kept next to it when it was not plain text. */
  source: string | null;
  clauses: Clause[];
  structure: StructureReport;
  kb: KnowledgeBase;
}

interface RawManifest {
  tenants: Record<string, unknown>[];
  policies: Record<string, unknown>[];
  [key: string]: unknown;
}

function readRaw(dir: string): { raw: RawManifest; text: string } {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new BotError('invalid_knowledge', `Cannot read ${path}: the knowledge directory needs a manifest.json.`, { cause });
  }
  const raw = JSON.parse(text) as RawManifest;
  parseManifest(raw, path);
  return { raw, text };
}

function writeAtomically(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** "生效日期：2022年05月24日", "Effective date: 2023-01-15" near the top of a policy. */
export function detectEffectiveDate(text: string): string | undefined {
  const head = text.slice(0, 3000);
  const zh = /(?:生效|施行|实施)(?:日期|时间)?\s*[:：为]?\s*(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})/.exec(head) ?? /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起)?(?:生效|施行|实施)/.exec(head);
  const en = /effective\s*(?:date|as of|from|on)?\s*[:：]?\s*(\d{4})-(\d{1,2})-(\d{1,2})/i.exec(head);
  const m = zh ?? en;
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : undefined;
}

function firstLine(text: string): string | undefined {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line && [...line].length <= 60 ? line : undefined;
}

export async function addPolicy(dir: string, input: AddPolicyInput): Promise<AddPolicyResult> {
  const parsed = AddPolicySchema.safeParse(input);
  if (!parsed.success) throw new BotError('invalid_input', parsed.error.issues.map((i) => i.message).join('; '));
  const opts = parsed.data;
  const format = formatOf(opts.file);
  const { text } = await extractPolicyText(opts.file);
  const selected = opts.lines ? text.split(/\r\n|\r|\n/).slice(opts.lines[0] - 1, opts.lines[1]).join('\n') : text;
  if (selected.trim() === '') throw new BotError('invalid_input', `${opts.file} holds no text${opts.lines ? ` in lines ${opts.lines.join('-')}` : ''}.`);

  const { raw, text: previousManifest } = readRaw(dir);
  let tenantCreated = false;
  if (!raw.tenants.some((t) => t.id === opts.tenant)) {
    const name = opts.name ?? opts.company ?? opts.tenant;
    raw.tenants.push({ id: opts.tenant, name, aliases: [...new Set([name, opts.company, opts.tenant].filter((a): a is string => !!a))] });
    tenantCreated = true;
  }
  const existing = opts.policy ? raw.policies.find((p) => p.id === opts.policy) : undefined;
  if (existing && existing.tenant !== opts.tenant) {
    throw new BotError('invalid_input', `Policy "${opts.policy}" belongs to tenant "${String(existing.tenant)}", not "${opts.tenant}".`);
  }
  const policyId = opts.policy ?? uniquePolicyId(raw, opts.tenant);
  const effectiveDate = opts.effectiveDate ?? detectEffectiveDate(selected);
  if (existing && !effectiveDate) {
    throw new BotError('invalid_input', `A new version of "${policyId}" needs --effective-date YYYY-MM-DD (the file states none).`);
  }
  const stamp = effectiveDate ?? 'v1';
  const textFile = `policies/${policyId}@${stamp}.txt`;
  const source = format === 'text' ? null : `sources/${policyId}@${stamp}${extname(opts.file).toLowerCase()}`;
  const version = {
    file: textFile,
    ...(opts.lines && { lines: opts.lines }),
    ...(effectiveDate && { effectiveDate }),
    ...(source && { source }),
  };
  if (existing) {
    const meta = existing as unknown as PolicyMeta;
    const versions = allVersions(meta);
    if (versions.some((v) => v.effectiveDate === effectiveDate)) {
      throw new BotError('invalid_input', `"${policyId}" already has a version effective ${effectiveDate}; remove it first or use another date.`);
    }
    const all = [...versions, version].sort((a, b) => dateKey(a.effectiveDate).localeCompare(dateKey(b.effectiveDate)));
    const latest = all.at(-1)!;
    // The entry itself is the latest version; the others are listed under `versions`.
    for (const key of ['file', 'lines', 'effectiveDate', 'source']) delete existing[key];
    Object.assign(existing, latest, { versions: all.slice(0, -1) });
    if (opts.title) existing.title = opts.title;
    if (opts.company) existing.company = opts.company;
  } else {
    raw.policies.push({
      id: policyId,
      tenant: opts.tenant,
      ...version,
      title: opts.title ?? firstLine(selected) ?? (detectLanguage(selected) === 'en' ? 'Privacy Policy' : '隐私政策'),
      ...(opts.company && { company: opts.company }),
      language: opts.language ?? detectLanguage(selected),
    });
  }

  // Copy the files, write the manifest, and prove the result loads; undo everything if not.
  const written: string[] = [];
  const manifestPath = join(dir, 'manifest.json');
  try {
    for (const [rel, write] of [
      [textFile, (path: string) => (format === 'text' ? copyFileSync(opts.file, path) : writeFileSync(path, text))],
      ...(source ? [[source, (path: string) => copyFileSync(opts.file, path)] as const] : []),
    ] as const) {
      const path = join(dir, rel);
      if (existsSync(path)) throw new BotError('invalid_input', `${path} exists already: this version was added before.`);
      mkdirSync(join(path, '..'), { recursive: true });
      write(path);
      written.push(path);
    }
    writeAtomically(manifestPath, `${JSON.stringify(raw, null, 2)}\n`);
    const kb = loadKnowledgeBase(dir);
    const added = kb.versions.find((v) => v.meta.id === policyId && v.meta.file === textFile);
    const clauses = added?.clauses ?? [];
    if (clauses.length === 0) throw new BotError('invalid_input', `${basename(opts.file)}: the parser found no clauses.`);
    return { policyId, tenantCreated, newVersion: !!existing, format, effectiveDate: effectiveDate ?? null, file: textFile, source, clauses, structure: checkPolicyStructure(clauses, format === 'text' ? readFileSync(opts.file, 'utf8') : text, opts.lines), kb };
  } catch (error) {
    writeAtomically(manifestPath, previousManifest);
    for (const path of written) rmSync(path, { force: true });
    throw error;
  }
}

function uniquePolicyId(raw: RawManifest, tenant: string): string {
  const taken = new Set(raw.policies.map((p) => p.id));
  for (let i = 1; ; i++) {
    const id = i === 1 ? `${tenant}-privacy` : `${tenant}-privacy-${i}`;
    if (!taken.has(id)) return id;
  }
}

/** Removes a policy with all its versions; a tenant left without policies goes too. Files no longer named are deleted. */
export function removePolicy(dir: string, policyId: string): { removedTenant: string | null; deletedFiles: string[] } {
  const { raw } = readRaw(dir);
  const index = raw.policies.findIndex((p) => p.id === policyId);
  if (index < 0) throw new BotError('not_found', `No policy "${policyId}". \`privacy-bot policy list\` shows them.`);
  if (raw.policies.length === 1) throw new BotError('invalid_input', `"${policyId}" is the only policy; the knowledge base needs at least one.`);
  const [removed] = raw.policies.splice(index, 1) as [Record<string, unknown>];
  const tenant = String(removed.tenant);
  let removedTenant: string | null = null;
  if (!raw.policies.some((p) => p.tenant === tenant)) {
    raw.tenants = raw.tenants.filter((t) => t.id !== tenant);
    removedTenant = tenant;
  }
  const stillNamed = new Set(raw.policies.flatMap((p) => allVersions(p as unknown as PolicyMeta).flatMap((v) => [v.file, v.source])));
  writeAtomically(join(dir, 'manifest.json'), `${JSON.stringify(raw, null, 2)}\n`);
  const deletedFiles: string[] = [];
  for (const v of allVersions(removed as unknown as PolicyMeta)) {
    for (const rel of [v.file, v.source]) {
      if (!rel || stillNamed.has(rel) || rel.includes('..')) continue;
      rmSync(join(dir, rel), { force: true });
      deletedFiles.push(rel);
    }
  }
  return { removedTenant, deletedFiles };
}
