// A turn's replies as WeChat text messages: one message per page of at most 2048 bytes, the
// rest kept for the user to ask for with "更多" / "more".
//
// A reply becomes a section: its text, one compact citation line per source
// (依据：《标题》第8.3条), and its quick replies as a hint line ("回复：确认 / 取消"), since an
// Official Account has no buttons in a passive reply. Sections are joined with a blank line.
// When a turn does not fit, each page still carries the sources of the statements it shows,
// so a cut answer never loses its citations.

import type { OutboundReply } from '../../src/conversation/types.ts';
import { compactCitation, compactCitationEn, splitForWechat, WECHAT_TEXT_LIMIT_BYTES } from './render.ts';

export const MORE_HINT_ZH = '回复"更多"查看剩余内容';
export const MORE_HINT_EN = 'Reply "more" for the rest';

/** One reply, ready to be laid out on pages; plain data, so it can wait for "更多". */
export interface Section {
  body: string;
  /** The compact citation of each [n] marker of the body. */
  sources: { marker: number; line: string }[];
  /** False when the body has no [n] markers: every source then goes with every piece of it. */
  markers: boolean;
  hint: string | null;
  /** Written in English: cite with compactCitationEn and offer "more" rather than "更多". */
  en: boolean;
}

export interface Page {
  content: string;
  /** What the user gets on "更多", or null when the turn is complete. */
  rest: Section[] | null;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/g;
const LATIN = /[A-Za-z]/g;
const MARKER = /\[(\d{1,3})\]/g;
/** Below this many free bytes, a reply that does not fit starts the next page instead of being cut. */
const MIN_PIECE_BYTES = 512;

/**
 * Whether a reply is written in English. Its first line is the bot's own words ("Here is what
 * …'s privacy policy says:" / "根据…的隐私政策："); the quotes below it may be in the other
 * language, and a Chinese company name may appear in an English sentence.
 */
export function isEnglish(text: string): boolean {
  const first = text.trim().split('\n', 1)[0] ?? '';
  const cjk = first.match(CJK)?.length ?? 0;
  const latin = first.match(LATIN)?.length ?? 0;
  return latin > 2 * cjk;
}

/** The core's replies as sections, in the language each reply is written in. */
export function sectionsOf(replies: readonly OutboundReply[]): Section[] {
  return replies
    .filter((r) => r.text.trim() !== '' || r.citations.length > 0 || r.quickReplies.length > 0)
    .map((reply) => {
      const en = isEnglish(reply.text);
      const cite = en ? compactCitationEn : compactCitation;
      const body = reply.text.trim();
      const markers = [...body.matchAll(MARKER)].some((m) => Number(m[1]) >= 1 && Number(m[1]) <= reply.citations.length);
      const several = reply.citations.length > 1;
      const sources = reply.citations.map((c, i) => ({ marker: i + 1, line: several && markers ? `${cite(c)} [${i + 1}]` : cite(c) }));
      const values = [...new Set(reply.quickReplies.map((q) => q.value.trim()).filter((v) => v !== ''))];
      const hint = values.length === 0 ? null : en ? `Reply: ${values.join(' / ')}` : `回复：${values.join(' / ')}`;
      return { body, sources, markers, hint, en };
    });
}

function markersIn(text: string): Set<number> {
  return new Set([...text.matchAll(MARKER)].map((m) => Number(m[1])));
}

/** The citation lines of the statements `text` shows. */
function sourcesFor(section: Section, text: string): string[] {
  if (!section.markers) return section.sources.map((s) => s.line);
  const shown = markersIn(text);
  return [...new Set(section.sources.filter((s) => shown.has(s.marker)).map((s) => s.line))];
}

const CLAUSE_END = new Set([...'，；、：,;:）)】」』”']);

/** The longest prefix of `text` within `budget` bytes that ends after a comma-like mark (in its last half). */
function cutAtClause(text: string, budget: number): { piece: string; rest: string } | null {
  let used = 0;
  let end = 0;
  let cut = 0;
  for (const char of text) {
    used += bytes(char);
    if (used > budget) break;
    end += char.length;
    if (CLAUSE_END.has(char)) cut = end;
  }
  if (cut === 0 || cut < end / 2) return null;
  return { piece: text.slice(0, cut).trimEnd(), rest: text.slice(cut).trimStart() };
}

/** As many of `lines` as fit in `room` bytes, each on its own line. */
function fitting(lines: string[], room: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    used += 1 + bytes(line);
    if (used > room) break;
    kept.push(line);
  }
  return kept;
}

function render(body: string, sources: string[], hint: string | null): string {
  return [body, ...sources, ...(hint ? [hint] : [])].filter((l) => l !== '').join('\n');
}

/**
 * The next page of `sections`: at most `limitBytes` (UTF-8), ending with `moreHint` when
 * something is left over. The caller keeps `rest` and asks again on "更多".
 */
export function nextPage(sections: readonly Section[], limitBytes: number = WECHAT_TEXT_LIMIT_BYTES, moreHint?: string): Page {
  const whole = sections.map((s) => render(s.body, sourcesFor(s, s.body), s.hint)).filter((t) => t !== '').join('\n\n');
  // Byte-length fast path: no UTF-16 unit takes more than 3 bytes in UTF-8.
  if (whole.length * 3 <= limitBytes || bytes(whole) <= limitBytes) return { content: whole, rest: null };

  const more = moreHint ?? (sections.every((s) => s.en) ? MORE_HINT_EN : MORE_HINT_ZH);
  let budget = limitBytes - bytes(`\n${more}`);
  const parts: string[] = [];
  for (let i = 0; i < sections.length; i++) {
    const section = sections[i]!;
    const separator = parts.length > 0 ? 2 : 0;
    const full = render(section.body, sourcesFor(section, section.body), section.hint);
    if (full === '') continue;
    if (bytes(full) + separator <= budget) {
      parts.push(full);
      budget -= bytes(full) + separator;
      continue;
    }
    const room = budget - separator;
    // Cut the body so that it fits with every source of the section and its hint; the piece
    // then shows only the sources of the statements it touches, which take no more room.
    let reserved = section.sources.reduce((n, s) => n + 1 + bytes(s.line), 0) + (section.hint ? 1 + bytes(section.hint) : 0);
    if (room - reserved < MIN_PIECE_BYTES && parts.length === 0) reserved = Math.min(reserved, Math.max(0, room - MIN_PIECE_BYTES));
    const bodyBudget = room - reserved;
    if (bodyBudget < MIN_PIECE_BYTES && parts.length > 0) return { content: `${parts.join('\n\n')}\n${more}`, rest: sections.slice(i) };
    // splitForWechat appends "\n" + hint; with an empty hint that is one newline, dropped below.
    const split = splitForWechat(section.body, Math.max(bodyBudget, 5), '');
    let piece = split.first.endsWith('\n') ? split.first.slice(0, -1) : split.first;
    let rest = split.rest;
    // No sentence end far enough in (one very long quoted clause): cut at a comma instead of
    // sending a page that is nearly empty.
    if (rest !== null && bytes(piece) < bodyBudget / 4) {
      const clause = cutAtClause(section.body, bodyBudget);
      if (clause && bytes(clause.piece) > bytes(piece)) ({ piece, rest } = clause);
    }
    const head = parts.length > 0 ? `${parts.join('\n\n')}\n\n` : '';
    if (rest === null || rest === '') {
      // Only the hint did not fit: leave the whole reply for the next page.
      if (parts.length > 0) return { content: `${parts.join('\n\n')}\n${more}`, rest: sections.slice(i) };
      const sources = fitting(sourcesFor(section, piece), room - bytes(piece));
      return { content: `${head}${render(piece, sources, null)}\n${more}`, rest: [{ ...section, body: '', sources: [] }, ...sections.slice(i + 1)] };
    }
    // A statement cut in the middle has its [n] marker on the next page: cite it here too.
    const between = section.body.slice(piece.length, section.body.length - rest.length);
    const touched = between.includes('\n') ? piece : `${piece}\n${rest.split('\n', 1)[0]}`;
    const sources = fitting(sourcesFor(section, touched), room - bytes(piece));
    return { content: `${head}${render(piece, sources, null)}\n${more}`, rest: [{ ...section, body: rest }, ...sections.slice(i + 1)] };
  }
  // Unreachable: the whole turn would have fitted.
  return { content: parts.join('\n\n'), rest: null };
}

/** Whether the user asked for the rest of a long answer. */
export function isMoreRequest(text: string): boolean {
  const t = text.trim().toLowerCase();
  return t === '更多' || t === 'more';
}

/**
 * What is left of each user's long answer, waiting for "更多". Kept in this process's memory
 * for `ttlMs` (30 minutes by default): a restart, or a "更多" that reaches another instance,
 * finds nothing and goes to the core as an ordinary message. That is acceptable for the rest
 * of an answer the user can ask for again; nothing else depends on it.
 */
export class PendingPages {
  private readonly entries = new Map<string, { rest: Section[]; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 30 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `rest` for `key`, or forgets what was kept when `rest` is null (a newer answer). */
  set(key: string, rest: Section[] | null): void {
    this.entries.delete(key);
    if (rest === null || rest.length === 0) return;
    this.prune();
    // Oldest first (insertion order): drop the oldest when full so memory stays bounded.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { rest, expiresAt: this.now() + this.ttlMs });
  }

  get(key: string): Section[] | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.rest;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
