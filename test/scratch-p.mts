import { readFileSync } from 'node:fs';
import { parsePolicy } from '../src/knowledge/parser.ts';
const cs = parsePolicy(readFileSync(process.argv[2]!, 'utf8'), { policyId: 'p', lines: [Number(process.argv[3]), Number(process.argv[4])] });
for (const c of cs.slice(0, 14)) console.log(`${c.lineStart}-${c.lineEnd} [${c.kind}] ${c.clauseId} | ${c.text.replace(/\n/g,'⏎').slice(0, 60)}`);
