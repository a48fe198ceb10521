import { loadKnowledgeBase } from '../src/knowledge/knowledge-base.ts';
import { formatTenantHealth, tenantHealth } from '../src/knowledge/health-report.ts';
import { structureWarnings } from '../src/knowledge/structure-warnings.ts';
const kb = loadKnowledgeBase();
for (const t of kb.tenants) console.log(formatTenantHealth(tenantHealth(kb, t)));
for (const p of kb.policies) console.log(p.id, structureWarnings(kb.clauses.filter((c) => c.policyId === p.id)).map((w) => w.kind + ':' + w.message).slice(0, 8));
