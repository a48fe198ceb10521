// `policy check`: the health report of each tenant's policies (versions in force) and the
// overlaps between two documents of one tenant, as JSON and as text for the terminal.

import type { KnowledgeBase, Tenant } from './knowledge-base.ts';
import { checkPolicy, findOverlaps, type Overlap, type PolicyHealth } from './policy-health.ts';

export interface TenantHealth {
  tenant: string;
  name: string;
  policies: PolicyHealth[];
  overlaps: (Overlap & { policies: [string, string] })[];
}

export function tenantHealth(kb: KnowledgeBase, tenant: Tenant): TenantHealth {
  const docs = kb.policies.filter((p) => p.tenant === tenant.id).map((meta) => ({ meta, clauses: kb.clauses.filter((c) => c.policyId === meta.id) }));
  const overlaps: TenantHealth['overlaps'] = [];
  for (let i = 0; i < docs.length; i++) {
    for (let j = i + 1; j < docs.length; j++) {
      const [a, b] = [docs[i]!, docs[j]!];
      // Two language versions of one text are translations, not overlapping documents.
      if (a.meta.language !== b.meta.language) continue;
      for (const o of findOverlaps(a, b)) overlaps.push({ ...o, policies: [a.meta.id, b.meta.id] });
    }
  }
  return { tenant: tenant.id, name: tenant.name, policies: docs.map((d) => checkPolicy(d.meta, d.clauses)), overlaps };
}

const where = (c: { number: string; title: string } | null | undefined) => (c ? [c.number && `§${c.number}`, c.title].filter(Boolean).join(' ') || '(preamble)' : '');

export function formatTenantHealth(report: TenantHealth): string {
  const lines = [`${report.name} (${report.tenant})`];
  for (const p of report.policies) {
    const present = p.findings.length - p.missing.length;
    lines.push(`  ${p.policyId} "${p.title}": ${present}/${p.findings.length} elements stated${p.missing.length ? `, missing: ${p.missing.join(', ')}` : ''}`);
    for (const f of p.findings) {
      const mark = f.status === 'present' ? 'ok     ' : 'MISSING';
      lines.push(`    ${mark} ${f.label}${f.clause ? ` — ${where(f.clause)}` : ''}${f.note ? ` (${f.note})` : ''}`);
    }
    for (const e of p.emptyChapters) lines.push(`    EMPTY   ${[e.number, e.title].filter(Boolean).join(' ')}: the rights chapter has a heading and no content`);
  }
  for (const o of report.overlaps) {
    const [a, b] = o.sides;
    const verdict = o.differs ? 'DIFFER ' : 'agree  ';
    lines.push(`  ${verdict} ${o.topic}: ${a.policyId} ${where(a.clause)} [${a.values.join(', ')}] vs ${b.policyId} ${where(b.clause)} [${b.values.join(', ')}]`);
  }
  return lines.join('\n');
}
