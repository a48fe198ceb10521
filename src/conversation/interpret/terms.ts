// The small pattern language the interpretation tables are written in: a term is a Chinese
// string (matched as a substring), an English word or phrase (word boundaries; "*" is any
// word ending, a space any white space) or a RegExp for the few that need a look-around.

export type Term = string | RegExp;

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

function termSource(term: Term): string {
  if (term instanceof RegExp) return term.source;
  if (CJK.test(term)) return term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = term
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, "[a-z'-]*")
    .replace(/ /g, '\\s+');
  const start = /^\w/.test(term) ? '\\b' : '';
  const end = /\w$/.test(term) ? '\\b' : '';
  return `${start}${body}${end}`;
}

export class Terms {
  /** Global, for replacing; `one` (not global, so stateless) for testing. */
  readonly re: RegExp;
  private readonly one: RegExp;
  constructor(readonly source: string) {
    this.re = new RegExp(source, 'g');
    this.one = new RegExp(source);
  }
  test(text: string): boolean {
    return this.one.test(text);
  }
  /** Every match: where it starts and what it covers. */
  matches(text: string): { index: number; span: string }[] {
    return [...text.matchAll(new RegExp(this.re))].map((m) => ({ index: m.index, span: m[0] }));
  }
}

export const terms = (...list: Term[]): Terms => new Terms(list.map((t) => `(?:${termSource(t)})`).join('|'));

/** Any of the groups. */
export const anyOf = (...groups: Terms[]): Terms => new Terms(groups.map((g) => `(?:${g.source})`).join('|'));

const clauseGap = (n: number) => `[^,.;!?，。；！？、\\n]{0,${n}}`;

/** `a` followed by `b` within `gap` characters of the same clause. */
export const near = (a: Terms, b: Terms, gap = 8): Terms => new Terms(`(?:${a.source})${clauseGap(gap)}(?:${b.source})`);

/** `a` and `b` in either order within `gap` characters of the same clause. */
export const together = (a: Terms, b: Terms, gap = 8): Terms => anyOf(near(a, b, gap), near(b, a, gap));
