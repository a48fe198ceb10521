// Structure warnings shown when a policy is added: duplicate and skipped clause numbers,
// giant clauses, tables, sections that announce a list and give none. A stand-in until the
// parser's own structure check (src/knowledge/structure-check.ts) lands: onboarding calls it
// through `checkPolicyStructure` in policy-onboarding.ts only, so swapping it is one import.

import type { Clause } from './parser.ts';

export type StructureWarningKind = 'duplicate_number' | 'skipped_number' | 'giant_clause' | 'table' | 'empty_section';

export interface StructureWarning {
  kind: StructureWarningKind;
  clauseId: string;
  number: string;
  lineStart: number;
  message: string;
}

export const GIANT_HEADING_CHARS = 200;
export const GIANT_CLAUSE_CHARS = 1000;

const CHINESE_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** The last step of a clause number as an integer ("3.1.2" → 2, "（四）" → 4, "第十二条" → 12), or null. */
export function lastStep(number: string): number | null {
  const last = number.split('.').at(-1) ?? '';
  const digits = /(\d+)\D*$/.exec(last);
  if (digits) return Number(digits[1]);
  const cn = /([一二三四五六七八九十]+)[^一二三四五六七八九十]*$/.exec(last);
  if (!cn) return null;
  const t = cn[1]!;
  if (t.length === 1) return CHINESE_DIGITS[t] ?? null;
  const m = /^([一二三四五六七八九])?十([一二三四五六七八九])?$/.exec(t);
  return m ? (m[1] ? CHINESE_DIGITS[m[1]]! : 1) * 10 + (m[2] ? CHINESE_DIGITS[m[2]]! : 0) : null;
}

/** `source` is the text the clauses were parsed from; tables are found in its lines (the parser tidies tabs away). */
export function structureWarnings(clauses: Clause[], source?: string): StructureWarning[] {
  const sourceLines = source?.split(/\r\n|\r|\n/) ?? [];
  const rowsOf = (c: Clause) =>
    (sourceLines.length > 0 ? sourceLines.slice(c.lineStart - 1, c.lineEnd) : c.text.split('\n')).filter((l) => /\t.*\t|\|.*\|.*\||\S {3,}\S.* {3,}\S/.test(l)).length;
  const warnings: StructureWarning[] = [];
  const warn = (kind: StructureWarningKind, c: Clause, message: string) =>
    warnings.push({ kind, clauseId: c.clauseId, number: c.number, lineStart: c.lineStart, message });
  const hasChildren = new Set(clauses.map((c) => c.parentId).filter((id): id is string => id !== null));
  const siblings = new Map<string, Clause[]>();
  for (const c of clauses) {
    if (c.kind === 'contents') continue;
    if (c.number && /~\d+$/.test(c.clauseId)) warn('duplicate_number', c, `number ${c.number} appears more than once (line ${c.lineStart})`);
    if (c.title.length > GIANT_HEADING_CHARS) warn('giant_clause', c, `heading of ${c.title.length} characters at line ${c.lineStart}: probably a table or paragraph taken for a heading`);
    else if (c.text.length > GIANT_CLAUSE_CHARS) warn('giant_clause', c, `clause of ${c.text.length} characters at line ${c.lineStart}: hard to cite precisely`);
    if (rowsOf(c) >= 2) warn('table', c, `table at line ${c.lineStart}: rows are kept as one clause`);
    if (/[:：]\s*$/.test(c.text.trim()) && !hasChildren.has(c.clauseId) && c.number) {
      warn('empty_section', c, `${c.number} ${c.title || ''} announces a list at line ${c.lineStart} but nothing follows it`.replace(/\s+/g, ' '));
    }
    if (c.number && c.kind === 'numbered') {
      const key = `${c.parentId ?? ''}|${c.label.replace(/[\d一二三四五六七八九十]+/g, '#')}`;
      siblings.set(key, [...(siblings.get(key) ?? []), c]);
    }
  }
  for (const list of siblings.values()) {
    for (let i = 1; i < list.length; i++) {
      const prev = lastStep(list[i - 1]!.number);
      const cur = lastStep(list[i]!.number);
      if (prev !== null && cur !== null && cur > prev + 1) warn('skipped_number', list[i]!, `number ${list[i]!.number} follows ${list[i - 1]!.number} at line ${list[i]!.lineStart}: ${cur - prev - 1} skipped`);
    }
  }
  return warnings.sort((a, b) => a.lineStart - b.lineStart);
}
