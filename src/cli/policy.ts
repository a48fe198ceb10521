// `privacy-bot policy add|list|show|remove|check`: a company's policies without editing the
// manifest by hand. `add` converts and copies the file, validates it (clause outline,
// structure warnings, health report) and rebuilds the index so `ask` works at once.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Config } from '../config.ts';
import { BotError } from '../errors.ts';
import { formatTenantHealth, tenantHealth } from '../knowledge/health-report.ts';
import { findTenant, loadKnowledgeBase, type KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Clause } from '../knowledge/parser.ts';
import { addPolicy, checkPolicyStructure, removePolicy } from '../knowledge/policy-onboarding.ts';
import { formatStructureReport } from '../knowledge/structure-check.ts';
import { PolicyAssistant } from '../policy-assistant.ts';

function lineRange(value: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value);
  if (!m) throw new InvalidArgumentError('use A-B, e.g. 1-114');
  return [Number(m[1]), Number(m[2])];
}

function outline(clauses: Clause[], max = 60): string[] {
  const shown = clauses.filter((c) => c.kind !== 'contents' && (c.title || c.depth <= 1));
  const lines = shown.slice(0, max).map((c) => `  ${'  '.repeat(Math.max(0, c.depth - 1))}${c.number ? `${c.number} ` : ''}${c.title || c.text.split('\n')[0]!.slice(0, 40)}`);
  if (shown.length > max) lines.push(`  … ${shown.length - max} more headings`);
  return lines;
}

function versionRows(kb: KnowledgeBase, policyId: string) {
  return kb.versions
    .filter((v) => v.meta.id === policyId)
    .map((v) => ({ effectiveDate: v.meta.effectiveDate ?? null, file: v.meta.file, source: v.meta.source ?? null, inForce: v.inForce, clauses: v.clauses.length }));
}

export function registerPolicyCommands(program: Command, loadConfig: () => Config): void {
  const policy = program.command('policy').description("a company's policies: add (or add a version), list, show, remove, check");

  policy
    .command('add')
    .description('add a policy file (.txt, .md, .html, .docx, .pdf) for a tenant, or a new version of a policy')
    .argument('<file>', 'the policy file')
    .requiredOption('--tenant <id>', 'tenant id (created when new), e.g. acme')
    .option('--policy <id>', 'policy id; an existing id adds a new version (default <tenant>-privacy)')
    .option('--name <name>', "the tenant's display name (new tenants)")
    .option('--title <title>', 'policy title (default: its first line)')
    .option('--company <company>', 'the company the policy is from')
    .option('--language <lang>', 'zh or en (default: detected)')
    .option('--effective-date <date>', 'YYYY-MM-DD (default: read from the text when it states one)')
    .option('--lines <A-B>', 'only these lines of the text (one language of a bilingual file)', lineRange)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { tenant: string; policy?: string; name?: string; title?: string; company?: string; language?: string; effectiveDate?: string; lines?: [number, number]; json?: boolean }) => {
      const config = loadConfig();
      if (opts.language && opts.language !== 'zh' && opts.language !== 'en') throw new BotError('invalid_input', '--language is zh or en');
      const result = await addPolicy(config.knowledgeDir, { ...opts, file, language: opts.language as 'zh' | 'en' | undefined });
      const assistant = await PolicyAssistant.open(config);
      const health = tenantHealth(assistant.kb, findTenant(assistant.kb, opts.tenant));
      if (opts.json) {
        const { kb: _kb, clauses, ...rest } = result;
        console.log(JSON.stringify({ ...rest, clauses: clauses.length, outline: clauses.map((c) => ({ number: c.number, title: c.title, kind: c.kind })), health }, null, 2));
        return;
      }
      const what = result.newVersion ? `new version${result.effectiveDate ? ` effective ${result.effectiveDate}` : ''} of` : 'policy';
      console.log(`added ${what} ${result.policyId} for tenant ${opts.tenant}${result.tenantCreated ? ' (new tenant)' : ''}: ${result.clauses.length} clauses from ${result.format} -> ${result.file}`);
      console.log('outline:');
      for (const line of outline(result.clauses)) console.log(line);
      const findings = formatStructureReport(result.structure);
      console.log(findings.length ? `structure (${result.structure.problems.length} problems, ${result.structure.warnings.length} warnings):` : 'structure: no problems, no warnings');
      for (const line of findings) console.log(`  ${line}`);
      console.log('health:');
      console.log(formatTenantHealth(health));
      console.log(`index ready (${assistant.index.dir}); try: privacy-bot ask --tenant ${opts.tenant} "你们收集哪些个人信息？"`);
    });

  policy
    .command('list')
    .description('the policies, their tenants and versions')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const kb = loadKnowledgeBase(loadConfig().knowledgeDir);
      const rows = kb.policies.map((p) => ({
        id: p.id,
        tenant: p.tenant,
        tenantName: kb.tenants.find((t) => t.id === p.tenant)?.name ?? p.tenant,
        title: p.title,
        language: p.language,
        effectiveDate: p.effectiveDate ?? null,
        versions: versionRows(kb, p.id).length,
        file: p.file,
      }));
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      for (const r of rows) console.log(`${r.id.padEnd(24)} ${r.tenant.padEnd(12)} ${r.language} ${(r.effectiveDate ?? '-').padEnd(10)} v${r.versions}  ${r.title}`);
    });

  policy
    .command('show')
    .description('one policy: its versions, clause outline and structure warnings')
    .argument('<id>', 'policy id')
    .option('--version <date>', 'an earlier (or later) version by its effective date, instead of the one in force')
    .option('--json', 'print JSON')
    .action((id: string, opts: { version?: string; json?: boolean }) => {
      const kb = loadKnowledgeBase(loadConfig().knowledgeDir);
      if (!kb.policies.some((p) => p.id === id)) throw new BotError('not_found', `No policy "${id}". Known: ${kb.policies.map((p) => p.id).join(', ')}.`);
      const chosen = kb.versions.find((v) => v.meta.id === id && (opts.version ? v.meta.effectiveDate === opts.version : v.inForce));
      if (!chosen) throw new BotError('not_found', `"${id}" has no version effective ${opts.version}. Versions: ${versionRows(kb, id).map((v) => v.effectiveDate ?? 'undated').join(', ')}.`);
      const { meta, clauses } = chosen;
      const structure = checkPolicyStructure(clauses, readFileSync(join(kb.dir, meta.file), 'utf8'), meta.lines);
      const versions = versionRows(kb, id);
      if (opts.json) {
        const { versions: _v, ...rest } = meta;
        const outlineJson = clauses.map((c) => ({ clauseId: c.clauseId, number: c.number, title: c.title, kind: c.kind }));
        return console.log(JSON.stringify({ ...rest, versions, clauses: clauses.length, outline: outlineJson, structure }, null, 2));
      }
      console.log(`${meta.id}: "${meta.title}" (${meta.tenant}, ${meta.language}${meta.company ? `, ${meta.company}` : ''})`);
      for (const v of versions) console.log(`  ${v.inForce ? '*' : ' '} ${v.effectiveDate ?? 'undated'}  ${v.file}${v.source ? ` (from ${v.source})` : ''}  ${v.clauses} clauses`);
      console.log(`outline (${chosen.inForce ? 'version in force' : `version effective ${meta.effectiveDate}`}):`);
      for (const line of outline(clauses, 200)) console.log(line);
      for (const line of formatStructureReport(structure)) console.log(`  ${line}`);
    });

  policy
    .command('remove')
    .description('remove a policy and all its versions (a tenant left without policies goes too)')
    .argument('<id>', 'policy id')
    .action(async (id: string) => {
      const config = loadConfig();
      const result = removePolicy(config.knowledgeDir, id);
      await PolicyAssistant.open(config);
      console.log(`removed ${id}${result.removedTenant ? ` and tenant ${result.removedTenant}` : ''}; deleted ${result.deletedFiles.join(', ') || 'no files'}`);
    });

  policy
    .command('check')
    .description('health report: the elements PIPL art. 17 / GB/T 35273 require, present or missing; overlaps between documents')
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'print JSON')
    .action((opts: { tenant?: string; json?: boolean }) => {
      const kb = loadKnowledgeBase(loadConfig().knowledgeDir);
      const tenants = opts.tenant ? [findTenant(kb, opts.tenant)] : kb.tenants;
      const reports = tenants.map((t) => tenantHealth(kb, t));
      if (opts.json) return console.log(JSON.stringify(reports, null, 2));
      console.log(reports.map(formatTenantHealth).join('\n\n'));
    });
}
