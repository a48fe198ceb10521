// Loads tenants described by a `{"tenants":[...]}` file (the format of
// ../shared/eval/capp-dev-tenants.json) beside the bundled ones, in a temporary copy of the
// knowledge directory, so evaluation and training never touch knowledge/.

import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

const ExtraTenantsSchema = z.object({
  tenants: z.array(
    z.object({
      id: z.string().regex(/^[a-z][a-z0-9-]*$/),
      name: z.string().min(1),
      aliases: z.array(z.string()).default([]),
      file: z.string().min(1),
      title: z.string().min(1),
      company: z.string().optional(),
      effectiveDate: z.string().optional(),
      language: z.enum(['zh', 'en']).default('zh'),
    }),
  ),
});
export type ExtraTenants = z.infer<typeof ExtraTenantsSchema>;

/** The fields of manifest.json this module writes. */
const ManifestFile = z.object({
  tenants: z.array(z.object({ id: z.string(), name: z.string(), aliases: z.array(z.string()).optional() }).passthrough()),
  policies: z.array(z.object({ id: z.string(), tenant: z.string(), file: z.string(), title: z.string(), language: z.enum(['zh', 'en']) }).passthrough()),
});

export function readExtraTenants(file: string): ExtraTenants {
  return ExtraTenantsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * A temporary knowledge directory: the bundled knowledge plus the given tenants, each with one
 * policy read from `corpusDir` (the file named by the entry). Returns the directory.
 */
export function knowledgeWithTenants(knowledgeDir: string, tenantFiles: string[], corpusDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'privacy-bot-knowledge-'));
  cpSync(knowledgeDir, dir, { recursive: true });
  // The manifest as written (its defaults are applied when it is loaded and validated).
  const manifest = ManifestFile.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const seen = new Set(manifest.tenants.map((t) => t.id));
  for (const file of tenantFiles) {
    for (const t of readExtraTenants(file).tenants) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      copyFileSync(resolve(corpusDir, t.file), join(dir, 'policies', t.file));
      manifest.tenants.push({ id: t.id, name: t.name, aliases: t.aliases });
      const effectiveDate = t.effectiveDate && /^\d{4}-\d{2}(-\d{2})?$/.test(t.effectiveDate) ? t.effectiveDate : undefined;
      manifest.policies.push({
        id: `${t.id}-privacy`,
        tenant: t.id,
        file: `policies/${t.file}`,
        title: t.title,
        language: t.language,
        ...(t.company ? { company: t.company } : {}),
        ...(effectiveDate ? { effectiveDate } : {}),
      });
    }
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** The corpus folder a tenants file names its policies from: `corpora/capp-130` beside `eval/`. */
export function defaultCorpusDir(tenantsFile: string): string {
  return resolve(dirname(tenantsFile), '../corpora/capp-130');
}
