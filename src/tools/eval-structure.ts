// The structure check (src/knowledge/structure-check.ts) over the knowledge base's own
// policies and over a corpus of plain-text policies (CAPP-130 by default): files passing,
// and files with each kind of problem. Part of `npm run eval`.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { parsePolicy } from '../knowledge/parser.ts';
import { checkStructure, summariseStructure, type StructureReport } from '../knowledge/structure-check.ts';

export type StructureFigures = ReturnType<typeof summariseStructure> & { failing: string[] };

function figures(reports: StructureReport[]): StructureFigures {
  return { ...summariseStructure(reports), failing: reports.filter((r) => !r.passed).map((r) => r.policyId) };
}

export function structureOfKnowledgeBase(kb: KnowledgeBase): StructureFigures {
  const reports = kb.policies.map((policy) => {
    const source = readFileSync(join(kb.dir, policy.file), 'utf8');
    return checkStructure(source, kb.clauses.filter((c) => c.policyId === policy.id), { lines: policy.lines });
  });
  return figures(reports);
}

/** Every `.txt` file of a directory, each parsed as one policy; null when the directory is missing. */
export function structureOfCorpus(dir: string): StructureFigures | null {
  if (!existsSync(dir)) return null;
  const reports = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => {
      const source = readFileSync(join(dir, f), 'utf8');
      return checkStructure(source, parsePolicy(source, { policyId: f.replace(/\.txt$/, '') }));
    });
  return figures(reports);
}

export function printStructure(name: string, f: StructureFigures | null): void {
  if (!f) {
    console.log(`\nstructure ${name}: not found, skipped`);
    return;
  }
  const problems = Object.entries(f.filesWith)
    .map(([kind, files]) => `${kind} ${files}`)
    .join(', ');
  const warnings = Object.entries(f.warnings)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  console.log(`\nstructure ${name}: ${f.passing}/${f.files} policies pass`);
  console.log(`  policies with: ${problems}`);
  console.log(`  warnings:      ${warnings}`);
  if (f.failing.length > 0) console.log(`  failing: ${f.failing.join(' ')}`);
}
