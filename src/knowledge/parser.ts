// Turns the plain text of a privacy policy into citable clauses.
//
// Real policies are messy: hard-wrapped lines, letter-spaced words, tables of contents that
// repeat the section titles, empty numbered stubs, duplicated numbers, tab-separated tables,
// lists that start again at 1, and half a dozen numbering schemes in one document. The
// parser joins physical lines into logical lines (a table's rows kept apart, see
// tables.ts), classifies each logical line (marker, heading, definition, contents, table,
// body), then builds the clause tree with a stack of numbering schemes, twice: the first
// build learns which scheme this document nests in which, the second uses it throughout.
// src/knowledge/structure-check.ts judges the result.

import { decimalDepth, detectMarker, isEmptyStub, type Marker, type MarkerStyle } from './markers.ts';
import { findTables } from './tables.ts';
import { cutCodePoints, displayWidth, joinWrapped, stripWhitespace, tidyText } from './text.ts';

/**
 * Bumped whenever the parser's output for the same text changes, so that indexes built from
 * an older parse are rebuilt (src/retrieval/index-store.ts hashes it).
 */
export const PARSER_VERSION = 2;

/**
 * `paragraph`: unnumbered text of its own between numbered clauses (the sentence that opens a
 * second list, a paragraph of a long preamble under a heading). `table`: a tab-separated
 * table: the header row's clause holds every row in `rows`, each further row is a child
 * clause whose `rows` are the header and that row.
 */
export type ClauseKind = 'preamble' | 'heading' | 'numbered' | 'definition' | 'contents' | 'table' | 'paragraph';

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

type LineClass = 'marker' | 'heading' | 'definition' | 'contents' | 'body' | 'stub' | 'table';

interface LogicalLine {
  text: string;
  first: number;
  last: number;
  /** Physical lines joined into this one. */
  parts: number;
  marker: Marker | null;
  cls: LineClass;
  /** For a table row: its cells, and for the header row every row of the table. */
  table?: { cells: string[]; allRows: string[][] | null };
}

const TERMINAL = /[。！？!?；;：:]$|[.]["”']?$/;
const DEFINITION = /^([^\s:：，。,；;（(]{1,16})\s*[:：]\s*(?:是指|系指|指|means\b|refers to\b)/i;

export function parsePolicy(source: string, options: ParseOptions): Clause[] {
  const raw = toRawLines(source, options.lines);
  const wrapWidth = detectWrapWidth(raw);
  const logical = joinLines(raw, wrapWidth);
  classify(logical);
  // Two passes: the first learns which scheme this document nests in which ("1．" inside
  // "（1）"), the second uses that from the first line on.
  const first = buildClauses(logical, options.policyId, new Set());
  return buildClauses(logical, options.policyId, consistentNesting(first.nested)).clauses;
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
  const tables = new Map(findTables(lines).map((t) => [t.start, t]));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const table = tables.get(i);
    if (table) {
      const allRows = table.rows.map((r) => r.cells.map(tidyText));
      table.rows.forEach((row, k) => {
        const cells = allRows[k]!;
        out.push({ text: cells.join('\t'), first: row.first, last: row.last, parts: 1, marker: null, cls: 'table', table: { cells, allRows: k === 0 ? allRows : null } });
      });
      i = table.end;
      prevRaw = null;
      continue;
    }
    const marker = detectMarker(line.text);
    const prev = out.at(-1);
    if (prev && prevRaw && prev.cls !== 'table' && !marker && continues(prevRaw.text, line.text, wrapWidth)) {
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
    if (line.cls === 'table') continue;
    if (line.marker) {
      line.cls = isEmptyStub(line.text) ? 'stub' : 'marker';
      if (line.cls === 'marker') {
        const tidy = tidyText(line.text);
        const marker = line.marker;
        // "1     text" needs its run of spaces to be a marker at all: keep the marker found
        // before tidying when the tidy text has none.
        line.marker = detectMarker(tidy) ?? { ...marker, label: marker.label.replace(/\s+/g, ' '), rest: tidyText(marker.rest) };
        line.text = tidy;
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
    // A contents entry is a title: no sentence inside it; a short one may end in "；" (capp-044),
    // a step of instructions ("进入腾讯视频后，点击“个人中心”；") may not.
    const entryLike = run.every((l) => {
      const rest = l.marker?.rest ?? '';
      return !/[：:。；;]./.test(rest) && (!/[。；;，,]$/.test(rest) || (displayWidth(rest) <= 24 && !/[，,]/.test(rest)));
    });
    if (run.length >= 3 && entryLike && (ordinal(start.marker.key) ?? 1) <= 1) {
      const later = lines.slice(j + 1).map((l) => normaliseTitle(l.marker ? l.marker.rest : l.text.replace(/^[\d.\s]+/, '')));
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
  /** `intro`: a paragraph that opens a list; `table`, `row`: a table and its rows. */
  /** A marker scheme (see schemeOf), or `heading`, `definition`, `preamble`, `intro`, `table`, `row`. */
  style: string;
  /** The marker key of a numbered clause ("4", "4.1", "(2)"), '' otherwise. */
  key: string;
}

/** Before the first numbered clause, a body paragraph joins a clause holding less than this. */
const PREAMBLE_PARAGRAPH_CHARS = 100;
/** A preamble (or an opening section) longer than this is split into its paragraphs. */
const LONG_PREAMBLE_CHARS = 800;

/** Nesting pairs "outer>inner" seen only one way round in the document. */
function consistentNesting(pairs: Set<string>): Set<string> {
  return new Set(
    [...pairs].filter((p) => {
      const [outer, inner] = p.split('>');
      return outer !== inner && !pairs.has(`${inner}>${outer}`);
    }),
  );
}

function buildClauses(lines: LogicalLine[], policyId: string, learned: Set<string>): { clauses: Clause[]; nested: Set<string> } {
  const nested = new Set<string>();
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
    fields: { number: string; label: string; title: string; text: string; idPart: string; key?: string },
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
    const parentStyle = stack.at(-1)?.style;
    if (kind === 'numbered' && parentStyle && stack.at(-1)!.clause.kind === 'numbered') nested.add(`${parentStyle}>${style}`);
    stack.push({ clause, style, key: fields.key ?? '' });
    return clause;
  };
  /** The body line last appended to a clause, so that it can open a new list instead. */
  let lastAppend: { clause: Clause; line: LogicalLine; text: string; lineEnd: number } | null = null;
  let numberedSeen = false;
  /** Inside a long preamble that is being split into its paragraphs. */
  let splitting = false;
  const literalDecimals = new Set(lines.filter((l) => l.marker && decimalDepth(l.marker.style) > 1).map((l) => l.marker!.key));
  /** The last clause opened in each scheme: "（2）" goes next to "（1）" even after that closed. */
  const lastOfScheme = new Map<string, { clause: Clause; key: string }>();

  const closeTable = (): void => {
    const idx = stack.findIndex((o) => o.style === 'table');
    if (idx >= 0) {
      stack.length = idx;
      current = null;
    }
  };

  const numberedParent = (): Clause | null => {
    for (let k = stack.length - 1; k >= 0; k--) {
      const c = stack[k]!.clause;
      if (c.number !== '') return c;
    }
    return null;
  };

  for (const [index, line] of lines.entries()) {
    if (line.cls !== 'table' && line.cls !== 'stub') closeTable();
    if (line.cls !== 'body') splitting = false;
    const appended = lastAppend;
    lastAppend = null;
    switch (line.cls) {
      case 'table': {
        const { cells, allRows } = line.table!;
        if (allRows) {
          closeTable();
          while (stack.length > 0 && (stack.at(-1)!.style === 'preamble' || stack.at(-1)!.style === 'intro')) stack.pop();
          current = open(line, 'table', 'table', { number: '', label: '', title: '', text: line.text, idPart: `table:${(cells[0] ?? '').slice(0, 16)}` });
          current.rows = allRows;
        } else {
          const idx = stack.findIndex((o) => o.style === 'table');
          const table = stack[idx]!.clause;
          stack.length = idx + 1;
          const first = cells[0] ?? '';
          current = open(line, 'row', 'table', {
            number: '',
            label: '',
            title: displayWidth(first) <= 50 ? first : '',
            text: line.text,
            idPart: `${table.clauseId.slice(policyId.length + 1)}/${first.slice(0, 16)}`,
          });
          current.rows = [table.rows?.[0] ?? [], cells];
        }
        break;
      }
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
        numberedSeen = true;
        const style = sameLevelStyle(stack, marker);
        const afterContents = current !== null && current === contents && detectMarker(contents.text.split('\n')[0] ?? '')?.style === marker.style;
        const outermost = stack.findIndex((o) => o.style === style || (decimalDepth(style as MarkerStyle) > 0 && decimalDepth(o.style as MarkerStyle) > 0));
        if (afterContents && outermost >= 0) {
          // The text after a table of contents starts again at the top: outside whatever the
          // contents happened to sit in.
          stack.length = outermost;
        } else if (!restartList(marker, style, appended)) placeInStack(stack, style, marker.key, clauses.at(-1), learned, lastOfScheme.get(style));
        const parentNumber = numberedParent()?.number ?? '';
        let key = marker.key;
        if (marker.style === 'bullet') {
          const top = stack.at(-1);
          const parentKey = top?.clause.clauseId ?? null;
          const n = (siblingsBullets.get(parentKey) ?? 0) + 1;
          siblingsBullets.set(parentKey, n);
          key = `•${n}`;
        }
        let number = decimalDepth(marker.style) > 1 ? decimalNumber(stack, key) : joinNumber(parentNumber, key);
        // "1、" inside "1." would be cited as 1.1, the number of the "1.1" that follows it.
        if (decimalDepth(marker.style) <= 1 && /^\d+$/.test(key) && literalDecimals.has(number)) number += marker.label.trim().slice(-1);
        current = open(line, style, 'numbered', {
          number,
          label: marker.label,
          title: titleOf(marker.rest),
          text: marker.rest,
          idPart: number,
          key,
        });
        lastOfScheme.set(style, { clause: current, key: marker.key });
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
          idPart: `h:${cutCodePoints(line.text, 24)}`,
        });
        break;
      }
      case 'definition': {
        const term = DEFINITION.exec(line.text)?.[1] ?? cutCodePoints(line.text, 8);
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
          // Text after a table of contents (or a table) continues the open section in a clause
          // of its own, so that every clause keeps one contiguous source range.
          current = clauses.length === 0 || (contents !== null && current === contents) ? openPreamble(line) : openParagraph(line);
        } else if (!numberedSeen && startsPreambleParagraph(current, line) && (splitting || blockLength(current, index) > LONG_PREAMBLE_CHARS)) {
          splitting = true;
          // A long preamble is split into its paragraphs: each can be cited on its own (the
          // contact email in JJ斗地主's 1,023-character preamble).
          while (stack.length > 0 && stack.at(-1)!.style === 'preamble' && stack.at(-1)!.clause.kind !== 'preamble') stack.pop();
          if (current.kind === 'preamble') stack.length = 0;
          current = current.kind === 'preamble' ? openPreamble(line) : openParagraph(line);
        } else {
          lastAppend = { clause: current, line, text: current.text, lineEnd: current.lineEnd };
          appendBody(current, line);
        }
        break;
      }
    }
  }
  return { clauses, nested };

  /** The clause's text with the run of body lines from `index` on that would join it. */
  function blockLength(clause: Clause, index: number): number {
    let length = clause.text.length;
    for (let k = index; k < lines.length && lines[k]!.cls === 'body'; k++) length += lines[k]!.text.length;
    return length;
  }

  function openParagraph(line: LogicalLine): Clause {
    return open(line, 'preamble', 'paragraph', { number: '', label: '', title: '', text: line.text, idPart: 'p' });
  }

  /**
   * A list that starts again at 1 in a scheme that is already open ("1) 2) 3)", a sentence,
   * "1) 2)") is a new list. The sentence just before it, when it was appended to the old
   * list's last item, becomes a paragraph of its own that the new list nests in; without
   * one, a list restarting inside a clause of another scheme nests in that clause. Returns
   * true when it placed the stack itself.
   */
  function restartList(marker: Marker, style: string, appended: typeof lastAppend): boolean {
    if (decimalDepth(marker.style) > 1 || marker.style === 'bullet' || ordinal(marker.key) !== 1) return false;
    // The innermost open list in this scheme is the one starting again.
    let idx = -1;
    stack.forEach((o, k) => {
      if (o.style === style) idx = k;
    });
    if (idx < 0 || (ordinal(stack[idx]!.key) ?? 0) < 1) return false;
    // A restart inside a numbered clause of another scheme, or below a chapter level inside a
    // heading ("联系我们" → "1. 2."), nests there; a restarted chapter numbering does not.
    const top = stack.at(-1)!;
    const inHeading = top.clause.kind === 'heading' && (rankOf(style) ?? 99) > 3;
    const container = (top.clause.kind === 'numbered' && top.style !== 'bullet') || inHeading;
    if (stack.length - 1 > idx && top.style !== style && container) return true;
    const owner = appended ? stack.findIndex((o) => o.clause === appended.clause) : -1;
    const item = stack[idx]!.clause;
    const introduces = appended !== null && /[:：]$/.test(appended.line.text);
    if (!introduces && item.title !== '' && item.text.split('\n')[0] === item.title && item.text.includes('\n')) {
      // "1、个性化推荐服务", its text, then "1、… 2、…": a list inside that titled item.
      stack.length = idx + 1;
      return true;
    }
    if (appended && owner >= idx && appended.text !== '') {
      appended.clause.text = appended.text;
      appended.clause.lineEnd = appended.lineEnd;
      stack.length = idx;
      // The list that ends had a sentence of its own too: the new sentence is its sibling, so
      // "统计类：1. 2. 获取权限原因：1. 2. 推送：1." stays flat instead of nesting ever deeper.
      while (stack.at(-1)?.style === 'intro') stack.pop();
      current = open(appended.line, 'intro', 'paragraph', { number: '', label: '', title: '', text: appended.line.text, idPart: 'p' });
      return true;
    }
    return false;
  }

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

/** Delimiters policies mix within one list: "1、 2、 3. 4、" and "一、 二. 三、". */
const SAME_LEVEL: Partial<Record<string, string>> = {
  dec1: 'arabic-dunhao',
  'arabic-dunhao': 'dec1',
  cn: 'cn-dot',
  'cn-dot': 'cn',
  paren: 'paren:ascii',
  'paren:ascii': 'paren',
};

/** A marker's numbering scheme: its style, and its spelling where a style has two. */
function schemeOf(marker: Marker): string {
  return marker.variant ? `${marker.style}:${marker.variant}` : marker.style;
}

/**
 * The scheme a marker continues: "3." right after an open "2、" is the next item of that list
 * (written with another delimiter), not a new list inside it.
 */
function sameLevelStyle(stack: OpenClause[], marker: Marker): string {
  const scheme = schemeOf(marker);
  const other = SAME_LEVEL[scheme];
  if (!other || stack.some((o) => o.style === scheme)) return scheme;
  const open = [...stack].reverse().find((o) => o.style === other);
  const n = ordinal(marker.key);
  return open && n !== null && ordinal(open.key) === n - 1 ? other : scheme;
}

/** Before the first numbered clause, a long paragraph after some text starts a clause of its own. */
function startsPreambleParagraph(clause: Clause, line: LogicalLine): boolean {
  if (clause.kind !== 'preamble' && clause.kind !== 'heading' && clause.kind !== 'paragraph') return false;
  return clause.text.length - clause.title.length >= PREAMBLE_PARAGRAPH_CHARS && line.text.length >= 40;
}

/**
 * A number like "4.1" is written relative to the section it sits in: under "三、…" → "4. …"
 * it is cited as 三.4.1 (哔哩哔哩, capp-042), so that two chapters' "4.1" stay apart. Under a
 * "4." that is not inside anything numbered, or with no matching decimal open, the number
 * stands as written.
 */
function decimalNumber(stack: OpenClause[], key: string): string {
  for (let k = stack.length - 1; k >= 0; k--) {
    const open = stack[k]!;
    if (decimalDepth(open.style as MarkerStyle) === 0 || open.key === '') continue;
    if (key.startsWith(`${open.key}.`) && open.clause.number.endsWith(open.key)) {
      return open.clause.number.slice(0, open.clause.number.length - open.key.length) + key;
    }
  }
  return key;
}

function appendBody(clause: Clause, line: LogicalLine): void {
  clause.text = clause.text === '' ? line.text : `${clause.text}\n${line.text}`;
  clause.lineEnd = line.last;
}

/**
 * Puts a new marker's style into the stack: a style already open closes everything opened
 * after it (the new clause is its sibling); a decimal number closes every open decimal of
 * the same or greater depth; a scheme not open yet closes the open clauses of finer schemes
 * in the usual order 第一章 > 一、 > （一） > 1. > （1） > ① ("（二）" after "2、" is not inside
 * it), unless the open clause is one line ending in a colon that introduces it; otherwise
 * it nests inside the current clause.
 */
function placeInStack(
  stack: OpenClause[],
  style: string,
  key: string,
  last: Clause | undefined,
  learned: Set<string>,
  previous: { clause: Clause; key: string } | undefined,
): void {
  while (stack.length > 0 && stack.at(-1)!.style === 'preamble') stack.pop();
  const depth = decimalDepth(style as MarkerStyle);
  if (depth > 1) {
    const idx = stack.findIndex((o) => decimalDepth(o.style as MarkerStyle) >= depth);
    if (idx >= 0) {
      stack.length = idx;
      return;
    }
    // "1.1" belongs directly to the open "1.", whatever was opened inside that since.
    for (let k = stack.length - 1; k >= 0; k--) {
      const o = stack[k]!;
      if (decimalDepth(o.style as MarkerStyle) > 0 && o.key !== '' && key.startsWith(`${o.key}.`)) {
        stack.length = k + 1;
        return;
      }
    }
  } else {
    // Two open lists in one scheme ("（1）共享" holding "(1) … (2) …"): the item that the new
    // number follows is its sibling. ("2." also closes an open "1.1": any decimal counts as "1.".)
    const n = ordinal(key);
    let idx: number = -1;
    for (let k = 0; k < stack.length; k++) {
      if (stack[k]!.style !== style && !(depth === 1 && decimalDepth(stack[k]!.style as MarkerStyle) >= 1)) continue;
      if (idx < 0 || (stack[k]!.style === style && n !== null && ordinal(stack[k]!.key) === n - 1)) idx = k;
    }
    if (idx >= 0) {
      stack.length = idx;
      return;
    }
  }
  // The item this one follows has been closed, but its parent is still open: a sibling again.
  const n = ordinal(key);
  if (previous && n !== null && n > 1 && ordinal(previous.key) === n - 1) {
    const parent = stack.findIndex((o) => o.clause.clauseId === previous.clause.parentId);
    if (parent >= 0 || previous.clause.parentId === null) {
      stack.length = parent + 1;
      return;
    }
  }
  const rank = rankOf(style);
  if (rank === undefined) return;
  while (stack.length > 0) {
    const top = stack.at(-1)!;
    const topRank = rankOf(top.style);
    if (topRank === undefined || topRank <= rank || learned.has(`${top.style}>${style}`)) break;
    // A clause just opened that is one line ending in a colon, or a bare title, introduces what
    // follows; a chapter-level number ("二、") closes it all the same.
    const oneLine = rank > 3 && top.clause === last && !top.clause.text.includes('\n');
    if (oneLine && (/[:：]$/.test(top.clause.text) || (top.clause.title !== '' && top.clause.text === top.clause.title))) break;
    stack.pop();
  }
}

const STYLE_RANK: Partial<Record<string, number>> = {
  chapter: 0,
  'en-chapter': 0,
  section: 1,
  'en-section': 1,
  article: 2,
  cn: 3,
  'cn-dot': 3,
  roman: 3,
  cnparen: 4,
  // "1、" and "1." are peers: neither closes the other.
  'arabic-dunhao': 5,
  paren: 7,
  rparen: 8,
  circled: 8,
  lparen: 9,
  letter: 9,
};

/** Bullets have no rank: policies use them at every level. */
function rankOf(style: OpenClause['style']): number | undefined {
  const depth = decimalDepth(style as MarkerStyle);
  return depth > 0 ? 5 : STYLE_RANK[style.split(':')[0] ?? ''];
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
