// Checks the clause structure the parser made of one policy, so that `policy add`, `policy
// check`, `npm run eval` and the CAPP-130 test all judge a parse by the same rules.
//
// Problems (the parse is wrong):
// - duplicate-number: two clauses cite the same number although the source does not write
//   that number twice in a row. A number the source itself repeats back to back (003_...
//   writes "3.1.2" twice) is a `repeated-number` warning: the second keeps the "~2" id.
// - backwards-number: inside one section, a clause numbered in the same scheme as the
//   sibling before it has a smaller number ("3." after "5.").
// - giant-heading: a heading-only clause (its text is its title) over 200 characters, or any
//   title over 200 characters; such a clause ranks first for unrelated questions.
// - coverage: a non-blank source character belongs to no clause or to two.
// Warnings (worth a look, not wrong): skipped-number; repeated-number; misnumbered (the source
// slips: "1.10 1.11 1.10 1.12", the number between two that follow each other, or a list
// going back to a number other than its first, "(10) (11) (10) (11) (12)": a parse error
// would start a list again at 1); giant-clause; table. The sub-clauses of a repeated
// or misnumbered clause repeat their numbers too and are not counted again.

import { detectMarker, isEmptyStub, type MarkerStyle } from './markers.ts';
import { clauseCharacters, markerOrdinal, type Clause } from './parser.ts';
import { stripWhitespace } from './text.ts';

export type StructureProblemKind = 'duplicate-number' | 'backwards-number' | 'giant-heading' | 'coverage';
export type StructureWarningKind = 'skipped-number' | 'repeated-number' | 'misnumbered' | 'giant-clause' | 'table';

export interface StructureFinding<K extends string> {
  kind: K;
  /** The clause concerned; null for a source line no clause covers. */
  clauseId: string | null;
  number: string;
  lineStart: number;
  message: string;
}

export interface StructureReport {
  policyId: string;
  clauses: number;
  problems: StructureFinding<StructureProblemKind>[];
  warnings: StructureFinding<StructureWarningKind>[];
  /** True when there is no problem (warnings allowed). */
  passed: boolean;
}

export const GIANT_HEADING_CHARS = 200;
/** A clause longer than this is hard to cite; usually a missed numbering scheme. */
export const GIANT_CLAUSE_CHARS = 3000;

export interface StructureCheckOptions {
  /** The 1-based source lines the clauses were parsed from (as given to parsePolicy). */
  lines?: [number, number];
}

export function checkStructure(source: string, clauses: Clause[], options: StructureCheckOptions = {}): StructureReport {
  const policyId = clauses[0]?.policyId ?? '';
  const problems: StructureFinding<StructureProblemKind>[] = [];
  const warnings: StructureFinding<StructureWarningKind>[] = [];
  const byId = new Map(clauses.map((c) => [c.clauseId, c]));
  checkNumbers(clauses, problems, warnings);
  for (const c of clauses) {
    const body = c.text.trim();
    const headingOnly = c.title !== '' && (body === c.title.trim() || body.replace(/^[【[]|[】\]]$/g, '') === c.title.trim());
    if (c.title.length > GIANT_HEADING_CHARS || (headingOnly && body.length > GIANT_HEADING_CHARS)) {
      problems.push(finding('giant-heading', c, `heading of ${Math.max(c.title.length, body.length)} characters`));
    }
    if (c.kind === 'table') {
      if (!c.parentId || byId.get(c.parentId)?.kind !== 'table') warnings.push(finding('table', c, `table of ${c.rows?.length ?? 0} rows`));
    }
    else if (c.kind !== 'contents' && c.text.length > GIANT_CLAUSE_CHARS) {
      warnings.push(finding('giant-clause', c, `${c.text.length} characters in one clause`));
    }
  }
  problems.push(...coverageProblems(source, clauses, options.lines));
  return { policyId, clauses: clauses.length, problems, warnings, passed: problems.length === 0 };
}

function finding<K extends string>(kind: K, c: Clause, message: string): StructureFinding<K> {
  return { kind, clauseId: c.clauseId, number: c.number, lineStart: c.lineStart, message };
}

interface Numbered {
  style: MarkerStyle;
  /** The decimal prefix ("3.1" of "3.1.2"), '' for other schemes. */
  prefix: string;
  ordinal: number;
}

function numberedOf(c: Clause): Numbered | null {
  if (c.number === '' || c.label === '' || c.kind === 'contents') return null;
  // "1 " needs its run of spaces back to read as a number ("1     text" in the source).
  const marker = detectMarker(`${c.label.trim()} x`) ?? detectMarker(`${c.label.trim()}  x`);
  if (!marker || marker.style === 'bullet') return null;
  const ordinal = markerOrdinal(marker.key);
  if (ordinal === null) return null;
  const prefix = marker.style.startsWith('dec') ? marker.key.split('.').slice(0, -1).join('.') : '';
  return { style: marker.style, prefix, ordinal };
}

function checkNumbers(
  clauses: Clause[],
  problems: StructureFinding<StructureProblemKind>[],
  warnings: StructureFinding<StructureWarningKind>[],
): void {
  const byId = new Map(clauses.map((c) => [c.clauseId, c]));
  /** The nearest ancestor with a number, and the unnumbered heading (if any) in between. */
  const context = (c: Clause): { numbered: Clause | null; heading: string } => {
    let heading = '';
    for (let p = c.parentId ? byId.get(c.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) {
      if (p.number !== '') return { numbered: p, heading };
      if (heading === '') heading = p.clauseId;
    }
    return { numbered: null, heading };
  };
  let part = 0;
  let outermostHeading: string | null = null;
  let seen = new Map<string, Clause>();
  let numbersInPart = new Set<string>();
  const lastOfScheme = new Map<string, Clause>();
  const lastOrdinal = new Map<Clause, number>();
  const excused = new Set<string>();
  const slipped = new Set<string>();
  // The next numbered sibling in the same scheme, to tell a one-off slip from a restart.
  const nextInScheme = new Map<Clause, number>();
  {
    const last = new Map<string, Clause>();
    for (const c of clauses) {
      const n = numberedOf(c);
      if (!n || c.kind === 'contents') continue;
      const scope = `${c.parentId ?? ''}\0${n.style}\0${n.prefix}`;
      const prev = last.get(scope);
      if (prev) nextInScheme.set(prev, n.ordinal);
      last.set(scope, c);
    }
  }
  for (const c of clauses) {
    if (c.parentId !== null && excused.has(c.parentId)) excused.add(c.clauseId);
    if (c.number === '' || c.kind === 'contents') continue;
    const n = numberedOf(c);
    const where = context(c);
    // A restart of the outermost numbering begins a new part: a file holding a second
    // document (another language, an older version, a children's policy after the main one),
    // or sections under unnumbered headings that number on their own.
    if (n && n.ordinal === 1 && where.numbered === null && (numbersInPart.has(c.number) || (outermostHeading !== null && where.heading !== outermostHeading))) {
      part++;
      seen = new Map();
      numbersInPart = new Set();
    }
    if (where.numbered === null) outermostHeading = where.heading;
    numbersInPart.add(c.number);
    let repeated = excused.has(c.clauseId);
    if (n) {
      const scope = `${part}\0${c.parentId ?? ''}\0${n.style}\0${n.prefix}`;
      const prev = lastOfScheme.get(scope);
      lastOrdinal.set(c, n.ordinal);
      const prevOrdinal = prev ? lastOrdinal.get(prev)! : null;
      const next = nextInScheme.get(c);
      if (prev && prevOrdinal !== null && n.ordinal !== prevOrdinal + 1 && n.ordinal !== prevOrdinal && next === prevOrdinal + 1) {
        // "a) d) b) c)": the one number between two that follow each other is the source's slip.
        repeated = true;
        warnings.push(finding('misnumbered', c, `the source numbers ${c.number} between ${prev.number} and the next`));
      } else if (prev && prevOrdinal !== null && n.ordinal > 1 && n.ordinal < prevOrdinal) {
        // "(10) (11) (10) (11) (12)": a list never starts again in its middle; the source
        // went back, and the numbers it repeats in this list are its own.
        repeated = true;
        slipped.add(scope);
        warnings.push(finding('misnumbered', c, `the source goes back from ${prev.number} to ${c.number}`));
        lastOfScheme.set(scope, c);
      } else lastOfScheme.set(scope, c);
      if (slipped.has(scope)) repeated = repeated || [...seen.values()].some((o) => o.parentId === c.parentId && o.number === c.number);
      if (prev && prevOrdinal !== null && !repeated) {
        if (n.ordinal === prevOrdinal && c.number === prev.number) {
          repeated = true;
          warnings.push(finding('repeated-number', c, `the source repeats ${c.number} (line ${prev.lineStart})`));
        } else if (n.ordinal < prevOrdinal) {
          problems.push(finding('backwards-number', c, `${c.number} after ${prev.number} (line ${prev.lineStart})`));
        } else if (n.ordinal > prevOrdinal + 1) {
          warnings.push(finding('skipped-number', c, `${c.number} after ${prev.number}`));
        }
      }
    }
    // Two clauses are told apart by their number and the unnumbered heading they sit under.
    const key = `${where.heading}\0${c.number}`;
    const first = seen.get(key);
    // A slipped number is not what later clauses are compared with: "a) d) b) c) d)".
    if (!first) {
      if (!repeated) seen.set(key, c);
    }
    else if (!repeated) problems.push(finding('duplicate-number', c, `${c.number} also at line ${first.lineStart}`));
    if (repeated) excused.add(c.clauseId);
  }
}

/**
 * Every non-blank source line lies in exactly one clause, and each clause holds exactly its
 * lines' characters (empty numbered stubs aside, which the parser keeps out of the text).
 */
export function coverageProblems(source: string, clauses: Clause[], range?: [number, number]): StructureFinding<'coverage'>[] {
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const [from, to] = range ?? [1, lines.length];
  const owners = new Array<number>(lines.length + 1).fill(0);
  const problems: StructureFinding<'coverage'>[] = [];
  for (const c of clauses) {
    for (let n = c.lineStart; n <= c.lineEnd; n++) if ((lines[n - 1] ?? '').trim() !== '') owners[n]!++;
    const own = lines
      .slice(c.lineStart - 1, c.lineEnd)
      .filter((l) => !isEmptyStub(l))
      .join('')
      .replace(/[\u200b\ufeff]/g, '');
    if (stripWhitespace(own) !== clauseCharacters(c)) {
      problems.push(finding('coverage', c, `characters differ from lines ${c.lineStart}-${c.lineEnd}`));
    }
  }
  for (let n = from; n <= Math.min(to, lines.length); n++) {
    if ((lines[n - 1] ?? '').trim() !== '' && owners[n] !== 1) {
      problems.push({ kind: 'coverage', clauseId: null, number: '', lineStart: n, message: `line ${n} belongs to ${owners[n]} clauses` });
    }
  }
  if (new Set(clauses.map((c) => c.clauseId)).size !== clauses.length) {
    problems.push({ kind: 'coverage', clauseId: null, number: '', lineStart: 0, message: 'clause ids are not unique' });
  }
  return problems;
}

/** Counts for a set of reports: files passing, and files with each kind of problem. */
export function summariseStructure(reports: StructureReport[]): {
  files: number;
  passing: number;
  filesWith: Record<StructureProblemKind, number>;
  problems: Record<StructureProblemKind, number>;
  warnings: Record<StructureWarningKind, number>;
} {
  const filesWith = { 'duplicate-number': 0, 'backwards-number': 0, 'giant-heading': 0, coverage: 0 };
  const problems = { ...filesWith };
  const warnings = { 'skipped-number': 0, 'repeated-number': 0, misnumbered: 0, 'giant-clause': 0, table: 0 };
  for (const r of reports) {
    for (const kind of new Set(r.problems.map((p) => p.kind))) filesWith[kind]++;
    for (const p of r.problems) problems[p.kind]++;
    for (const w of r.warnings) warnings[w.kind]++;
  }
  return { files: reports.length, passing: reports.filter((r) => r.passed).length, filesWith, problems, warnings };
}

const LABELS: Record<StructureProblemKind | StructureWarningKind, string> = {
  'duplicate-number': 'duplicate number',
  'backwards-number': 'number goes backwards',
  'giant-heading': 'giant heading',
  coverage: 'text not covered',
  'skipped-number': 'skipped number',
  'repeated-number': 'number repeated in the source',
  misnumbered: 'numbering slip in the source',
  'giant-clause': 'giant clause',
  table: 'table',
};

/** One line per problem, then per warning, for `policy add` / `policy check` to print. */
export function formatStructureReport(report: StructureReport): string[] {
  const line = (level: string, f: StructureFinding<StructureProblemKind | StructureWarningKind>) =>
    `${level} line ${f.lineStart}${f.number ? ` (${f.number})` : ''}: ${LABELS[f.kind]}: ${f.message}`;
  return [...report.problems.map((p) => line('problem', p)), ...report.warnings.map((w) => line('warning', w))];
}
