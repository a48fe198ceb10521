// Turns the plain text of a privacy policy into citable clauses.
//
// Real policies are messy: hard-wrapped lines, letter-spaced words, tables of contents that
// repeat the section titles, empty numbered stubs, duplicated numbers and half a dozen
// numbering schemes in one document. The parser works in three passes: join physical
// lines into logical lines, classify each logical line (marker, heading, definition,
// contents, body), then build the clause tree with a stack of numbering styles.

import { decimalDepth, detectMarker, isEmptyStub, type Marker, type MarkerStyle } from './markers.ts';
import { displayWidth, joinWrapped, stripWhitespace, tidyText } from './text.ts';

export type ClauseKind = 'preamble' | 'heading' | 'numbered' | 'definition' | 'contents' | 'table';

export interface Clause {
  policyId: string;
  /** Stable id: the policy id and the clause's number path; duplicates get "~2", "~3". */
  clauseId: string;
  /** The number to cite, e.g. "8.3" or "7.4.(2)"; empty for unnumbered headings. */
  number: string;
  /** The marker exactly as the source writes it ("（2） "), empty when there is none. */
  label: string;
  /** The clause's own heading, or '' when it is a plain numbered paragraph. */
  title: string;
  /** Headings from the top, e.g. ["8 用户的个人信息权利", "8.3 删除用户的个人信息"]. */
  headingPath: string[];
  /** The clause text without its label, hard wraps joined, one paragraph per line. */
  text: string;
  /** 1-based, inclusive source line range. */
  lineStart: number;
  lineEnd: number;
  parentId: string | null;
  depth: number;
  kind: ClauseKind;
  /** Only for kind `table`: the cells of each row, the header row first. */
  rows?: string[][];
}

export interface ParseOptions {
  policyId: string;
  /** Only parse these 1-based source lines (inclusive), e.g. one language of a bilingual file. */
  lines?: [number, number];
}

interface RawLine {
  no: number;
  text: string;
}

type LineClass = 'marker' | 'heading' | 'definition' | 'contents' | 'body' | 'stub';

interface LogicalLine {
  text: string;
  first: number;
  last: number;
  /** Physical lines joined into this one. */
  parts: number;
  marker: Marker | null;
  cls: LineClass;
  /** Source lines inside this logical line's range that are empty stubs, kept out of the text. */
}

const TERMINAL = /[。！？!?；;：:]$|[.]["”']?$/;
const DEFINITION = /^([^\s:：，。,；;（(]{1,16})\s*[:：]\s*(?:是指|系指|指|means\b|refers to\b)/i;

export function parsePolicy(source: string, options: ParseOptions): Clause[] {
  const raw = toRawLines(source, options.lines);
  const wrapWidth = detectWrapWidth(raw);
  const logical = joinLines(raw, wrapWidth);
  classify(logical);
  return buildClauses(logical, options.policyId);
}

function toRawLines(source: string, range?: [number, number]): RawLine[] {
  const all = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const [from, to] = range ?? [1, all.length];
  const lines: RawLine[] = [];
  for (let no = from; no <= Math.min(to, all.length); no++) {
    const text = (all[no - 1] ?? '').replace(/[\u200b\ufeff]/g, '');
    if (text.trim() !== '') lines.push({ no, text: text.trim() });
  }
  return lines;
}

/**
 * A hard-wrapped document has a large share of lines that end at nearly the same width;
 * returns that width, or null for documents that keep one paragraph per line.
 */
export function detectWrapWidth(lines: RawLine[]): number | null {
  const widths = lines.map((l) => displayWidth(l.text)).filter((w) => w >= 20);
  if (widths.length < 8) return null;
  const sorted = [...widths].sort((a, b) => a - b);
  const p90 = sorted[Math.floor(0.9 * (sorted.length - 1))] ?? 0;
  const near = widths.filter((w) => w >= p90 - 8 && w <= p90 + 2).length;
  const wider = widths.filter((w) => w > p90 + 10).length;
  return near >= 0.25 * widths.length && wider <= 0.05 * widths.length ? p90 : null;
}

function joinLines(lines: RawLine[], wrapWidth: number | null): LogicalLine[] {
  const out: LogicalLine[] = [];
  let prevRaw: RawLine | null = null;
  for (const line of lines) {
    const marker = detectMarker(line.text);
    const prev = out.at(-1);
    if (prev && prevRaw && !marker && continues(prevRaw.text, line.text, wrapWidth)) {
      prev.text = joinWrapped(prev.text, line.text);
      prev.last = line.no;
      prev.parts++;
    } else {
      out.push({ text: line.text, first: line.no, last: line.no, parts: 1, marker, cls: 'body' });
    }
    prevRaw = line;
  }
  return out;
}

function continues(prev: string, next: string, wrapWidth: number | null): boolean {
  if (TERMINAL.test(prev)) return false;
  // English wrapped mid-sentence: the next line starts in lower case or with a quote.
  if (/[A-Za-z0-9,'"“”)]$/.test(prev) && /^[a-z"“'(]/.test(next)) return true;
  if (/[，,、]$/.test(prev)) return true;
  // English wrapped at a fixed width: a long line ending in a word runs on.
  if (/[A-Za-z]$/.test(prev) && displayWidth(prev) >= 60) return true;
  if (wrapWidth !== null && displayWidth(prev) >= 0.85 * wrapWidth) return true;
  return false;
}

function classify(lines: LogicalLine[]): void {
  for (const line of lines) {
    if (line.marker) {
      line.cls = isEmptyStub(line.text) ? 'stub' : 'marker';
      if (line.cls === 'marker') {
        line.text = tidyText(line.text);
        line.marker = detectMarker(line.text);
        if (!line.marker) line.cls = 'body';
      }
    } else {
      line.text = tidyText(line.text);
      line.cls = DEFINITION.test(line.text) ? 'definition' : 'body';
    }
  }
  markContents(lines);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.cls === 'body' && looksLikeHeading(line, lines, i)) line.cls = 'heading';
  }
}

function normaliseTitle(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * A table of contents is a run of at least three numbered lines with no text between them
 * whose titles come back later as section headings. Its lines stay out of the clause tree,
 * or every section would be numbered twice.
 */
function markContents(lines: LogicalLine[]): void {
  let i = 0;
  while (i < lines.length) {
    const start = lines[i]!;
    if (start.cls !== 'marker' || !start.marker) {
      i++;
      continue;
    }
    let j = i;
    while (
      j + 1 < lines.length &&
      lines[j + 1]!.cls === 'marker' &&
      lines[j + 1]!.marker?.style === start.marker.style &&
      followsInSequence(lines[j]!.marker!, lines[j + 1]!.marker!) &&
      displayWidth(lines[j + 1]!.marker?.rest ?? '') <= 120
    ) {
      j++;
    }
    const run = lines.slice(i, j + 1);
    const entryLike = run.every((l) => !/[：:。；;]./.test(l.marker?.rest ?? ''));
    if (run.length >= 3 && entryLike && (ordinal(start.marker.key) ?? 1) <= 1) {
      const later = lines.slice(j + 1).map((l) => normaliseTitle(l.marker ? l.marker.rest : l.text));
      const repeated = run.filter((entry) => {
        const title = normaliseTitle(entry.marker?.rest ?? '');
        if (title.length < 4) return false;
        return later.some((t) => t.length >= 4 && (t.startsWith(title) || title.startsWith(t)));
      }).length;
      if (repeated >= Math.ceil(run.length / 2)) for (const entry of run) entry.cls = 'contents';
    }
    i = j + 1;
  }
}

/** "3." follows "2.", "（三）" follows "（二）": a restart at 1 ends a table of contents. */
function followsInSequence(a: Marker, b: Marker): boolean {
  const na = ordinal(a.key);
  const nb = ordinal(b.key);
  // Real contents lists skip a number now and then (002_... English goes 5, 7).
  return na === null || nb === null || (nb > na && nb <= na + 2);
}

const CN_VALUES: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';
const ROMAN: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100 };

/** The position of a marker key in its sequence: "3" and "2.3" and "(3)" and "三" and "c)" and "③" are 3. */
export function markerOrdinal(key: string): number | null {
  const digits = /(\d+)\)?$/.exec(key);
  if (digits) return Number(digits[1]);
  const circled = CIRCLED.indexOf(key);
  if (key.length === 1 && circled >= 0) return circled + 1;
  const letter = /^\(?([a-z])\)$/.exec(key);
  if (letter) return letter[1]!.charCodeAt(0) - 96;
  if (/^[IVXLC]+$/.test(key)) {
    let total = 0;
    for (let i = 0; i < key.length; i++) {
      const v = ROMAN[key[i]!]!;
      total += v < (ROMAN[key[i + 1] ?? ''] ?? 0) ? -v : v;
    }
    return total;
  }
  const cn = /([一二三四五六七八九十]+)/.exec(key)?.[1];
  if (!cn) return null;
  if (cn.length === 1) return CN_VALUES[cn] ?? null;
  // 十一 .. 九十九
  const [tens, ones] = cn.split('十');
  return (tens ? (CN_VALUES[tens] ?? 0) : 1) * 10 + (ones ? (CN_VALUES[ones] ?? 0) : 0);
}

const ordinal = markerOrdinal;

function looksLikeHeading(line: LogicalLine, lines: LogicalLine[], index: number): boolean {
  const text = line.text;
  if (line.parts > 2) return false;
  const latin = !/[\u3400-\u9fff]/.test(text);
  if (latin ? text.length > 70 || text.split(/\s+/).length > 10 || !/^[A-Z[【]/.test(text) : displayWidth(text) > 44) {
    return false;
  }
  if (/[。.；;，,、:：!?！？]$/.test(text)) return false;
  if (/[:：]\s*\S/.test(text) && !/^[【[]/.test(text)) return false; // "公司：巨人通力" is a field, not a heading
  if (/^[\d\s年月日.\-/:：]+$|^\d{4}\s*年/.test(text) || /(更新|生效)(时间|日期)/.test(text)) return false;
  if (/^[（(].*[)）]$/.test(text)) return false; // "（以下无正文）"
  // A heading introduces something: the signature block at the very end is not one.
  const after = lines.slice(index + 1).filter((l) => l.cls !== 'stub');
  return after.some((l) => l.marker !== null || displayWidth(l.text) > 44);
}

interface OpenClause {
  clause: Clause;
  style: MarkerStyle | 'heading' | 'definition' | 'preamble';
  bulletCount: number;
}

function buildClauses(lines: LogicalLine[], policyId: string): Clause[] {
  const clauses: Clause[] = [];
  const usedIds = new Map<string, number>();
  const stack: OpenClause[] = [];
  let current: Clause | null = null;
  let contents: Clause | null = null;
  const siblingsBullets = new Map<string | null, number>();

  const uniqueId = (base: string): string => {
    const seen = usedIds.get(base) ?? 0;
    usedIds.set(base, seen + 1);
    return seen === 0 ? base : `${base}~${seen + 1}`;
  };

  const open = (
    line: LogicalLine,
    style: OpenClause['style'],
    kind: ClauseKind,
    fields: { number: string; label: string; title: string; text: string; idPart: string },
  ): Clause => {
    const parent = stack.at(-1)?.clause ?? null;
    const own = fields.title !== '' ? [`${fields.number} ${fields.title}`.trim()] : [];
    const clause: Clause = {
      policyId,
      clauseId: uniqueId(`${policyId}#${fields.idPart}`),
      number: fields.number,
      label: fields.label,
      title: fields.title,
      headingPath: [...(parent?.headingPath ?? []), ...own],
      text: fields.text,
      lineStart: line.first,
      lineEnd: line.last,
      parentId: parent?.clauseId ?? null,
      depth: stack.length,
      kind,
    };
    clauses.push(clause);
    stack.push({ clause, style, bulletCount: 0 });
    return clause;
  };

  const numberedParent = (): Clause | null => {
    for (let k = stack.length - 1; k >= 0; k--) {
      const c = stack[k]!.clause;
      if (c.number !== '') return c;
    }
    return null;
  };

  for (const line of lines) {
    switch (line.cls) {
      case 'stub': {
        // Keep the line inside the current clause's range, but out of its text.
        if (current) current.lineEnd = line.last;
        else current = openPreamble(line);
        break;
      }
      case 'contents': {
        if (contents && clauses.at(-1) === contents) {
          contents.text += `\n${line.text}`;
          contents.lineEnd = line.last;
        } else {
          const parent = stack.at(-1)?.clause ?? null;
          contents = {
            policyId,
            clauseId: uniqueId(`${policyId}#contents`),
            number: '',
            label: '',
            title: '',
            headingPath: parent?.headingPath ?? [],
            text: line.text,
            lineStart: line.first,
            lineEnd: line.last,
            parentId: parent?.clauseId ?? null,
            depth: stack.length,
            kind: 'contents',
          };
          clauses.push(contents);
        }
        current = contents;
        break;
      }
      case 'marker': {
        const marker = line.marker!;
        placeInStack(stack, marker.style);
        const parentNumber = numberedParent()?.number ?? '';
        let key = marker.key;
        if (marker.style === 'bullet') {
          const top = stack.at(-1);
          const parentKey = top?.clause.clauseId ?? null;
          const n = (siblingsBullets.get(parentKey) ?? 0) + 1;
          siblingsBullets.set(parentKey, n);
          key = `•${n}`;
        }
        const number = marker.style.startsWith('dec') && decimalDepth(marker.style) > 1 ? key : joinNumber(parentNumber, key);
        current = open(line, marker.style, 'numbered', {
          number,
          label: marker.label,
          title: titleOf(marker.rest),
          text: marker.rest,
          idPart: number,
        });
        break;
      }
      case 'heading': {
        if (clauses.length === 0) {
          // The document's own title opens the preamble instead of becoming every section's parent.
          current = open(line, 'preamble', 'preamble', { number: '', label: '', title: line.text, text: line.text, idPart: 'preamble' });
          break;
        }
        placeHeading(stack);
        current = open(line, 'heading', 'heading', {
          number: '',
          label: '',
          title: line.text.replace(/^[【[]|[】\]]$/g, ''),
          text: line.text,
          idPart: `h:${line.text.slice(0, 24)}`,
        });
        break;
      }
      case 'definition': {
        const term = DEFINITION.exec(line.text)?.[1] ?? line.text.slice(0, 8);
        const idx = stack.findIndex((o) => o.style === 'definition');
        if (idx >= 0) stack.length = idx;
        current = open(line, 'definition', 'definition', {
          number: '',
          label: '',
          title: term,
          text: line.text,
          idPart: `def:${term}`,
        });
        break;
      }
      case 'body': {
        if (!current || current === contents) {
          if (!current) current = openPreamble(line);
          // Text after a table of contents continues the open section in a clause of its own,
          // so that every clause keeps one contiguous source range.
          else current = openPreamble(line);
        } else appendBody(current, line);
        break;
      }
    }
  }
  return clauses;

  function openPreamble(line: LogicalLine): Clause {
    return open(line, 'preamble', 'preamble', {
      number: '',
      label: '',
      title: '',
      text: line.cls === 'stub' ? '' : line.text,
      idPart: 'preamble',
    });
  }
}

function appendBody(clause: Clause, line: LogicalLine): void {
  clause.text = clause.text === '' ? line.text : `${clause.text}\n${line.text}`;
  clause.lineEnd = line.last;
}

/**
 * Puts a new marker's style into the stack: a style already open closes everything opened
 * after it (the new clause is its sibling); a decimal number closes every open decimal of
 * the same or greater depth; anything else nests inside the current clause.
 */
function placeInStack(stack: OpenClause[], style: MarkerStyle): void {
  while (stack.length > 0 && stack.at(-1)!.style === 'preamble') stack.pop();
  const depth = decimalDepth(style);
  if (depth > 0) {
    const idx = stack.findIndex((o) => typeof o.style === 'string' && decimalDepth(o.style as MarkerStyle) >= depth);
    if (idx >= 0) {
      stack.length = idx;
      return;
    }
  }
  const idx = stack.findIndex((o) => o.style === style);
  if (idx >= 0) stack.length = idx;
  else {
    // A chapter, section or 一、 closes every finer unit that is open.
    const rank = STYLE_RANK[style];
    if (rank !== undefined && rank <= 3) {
      while (stack.length > 0) {
        const topRank = rankOf(stack.at(-1)!.style);
        if (topRank === undefined || topRank <= rank) break;
        stack.pop();
      }
    }
  }
}

const STYLE_RANK: Partial<Record<string, number>> = {
  chapter: 0,
  'en-chapter': 0,
  section: 1,
  'en-section': 1,
  article: 2,
  cn: 3,
  roman: 3,
  cnparen: 4,
  'arabic-dunhao': 6,
  paren: 7,
  rparen: 8,
  circled: 8,
  lparen: 9,
  letter: 9,
  bullet: 10,
};

function rankOf(style: OpenClause['style']): number | undefined {
  const depth = decimalDepth(style as MarkerStyle);
  return depth > 0 ? 5 : STYLE_RANK[style];
}

function placeHeading(stack: OpenClause[]): void {
  const idx = stack.findIndex((o) => o.style === 'heading' || o.style === 'preamble');
  if (idx >= 0) {
    stack.length = idx;
    return;
  }
  // Inside numbered text an unnumbered heading belongs to the nearest section with a title.
  while (stack.length > 0 && stack.at(-1)!.clause.title === '') stack.pop();
}

function joinNumber(parent: string, key: string): string {
  if (parent === '') return key;
  return key.startsWith('(') ? parent + key : `${parent}.${key}`;
}

/** A short marker text without closing punctuation is a heading; "个人基本资料：姓名…" has one too. */
function titleOf(rest: string): string {
  const latin = !/[\u3400-\u9fff]/.test(rest);
  const short = latin ? rest.length <= 60 && rest.split(/\s+/).length <= 9 && !/[.;]$/.test(rest) : displayWidth(rest) <= 50;
  if (short && !/[。；;，,]$/.test(rest)) return rest.replace(/[:：]$/, '').trim();
  const lead = /^([^:：。，,；;]{2,16})[:：]/.exec(rest);
  if (lead) return lead[1]!.trim();
  return '';
}

/** Characters of the source that a clause stands for (used by the coverage check). */
export function clauseCharacters(clause: Clause): string {
  return stripWhitespace(clause.label + clause.text);
}
