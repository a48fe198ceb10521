// Small text helpers shared by the parser, the tokenizer and the answerer.

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const CJK_OR_FULLWIDTH = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u2018-\u201d]/;

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/** Display width: CJK and full-width characters count twice, like a terminal shows them. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += CJK_OR_FULLWIDTH.test(ch) ? 2 : 1;
  return width;
}

/** The share of letters that are CJK, ignoring digits, punctuation and spaces. */
export function cjkRatio(text: string): number {
  let cjk = 0;
  let letters = 0;
  for (const ch of text) {
    if (CJK.test(ch)) {
      cjk++;
      letters++;
    } else if (/[A-Za-z]/.test(ch)) letters++;
  }
  return letters === 0 ? 0 : cjk / letters;
}

export type Language = 'zh' | 'en';

export function detectLanguage(text: string): Language {
  let cjk = 0;
  let latinWords = 0;
  for (const ch of text) if (CJK.test(ch)) cjk++;
  latinWords = (text.match(/[A-Za-z]{2,}/g) ?? []).length;
  // A question with a few Chinese characters among English words ("what is 个人信息?") is
  // still English-led; a Chinese question with "Cookie" or "App" in it is Chinese.
  return cjk >= 2 && cjk >= latinWords ? 'zh' : latinWords > 0 ? 'en' : cjk > 0 ? 'zh' : 'zh';
}

/**
 * Joins the pieces of a line or of hard-wrapped lines into readable text: spaces between
 * two CJK characters (letter-spaced words such as "公 众 号") are dropped, runs of other
 * white space become one space.
 */
export function tidyText(text: string): string {
  let out = text.replace(/[\s\u00a0\u3000]+/g, ' ').trim();
  // Twice, because a single pass cannot drop the space in "公 众 号" where matches overlap.
  for (let i = 0; i < 2; i++) {
    out = out.replace(new RegExp(`(${CJK_OR_FULLWIDTH.source}) (?=${CJK_OR_FULLWIDTH.source})`, 'g'), '$1');
  }
  return out;
}

/** Joins two wrapped line fragments: no space inside Chinese text, one space between Latin words. */
export function joinWrapped(left: string, right: string): string {
  if (left === '') return right;
  if (right === '') return left;
  const a = left.at(-1) ?? '';
  const b = right[0] ?? '';
  const needsSpace = !CJK_OR_FULLWIDTH.test(a) && !CJK_OR_FULLWIDTH.test(b);
  return needsSpace ? `${left} ${right}` : left + right;
}

export function stripWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u3000]+/g, '');
}

/** Splits text into sentences, keeping the closing punctuation with each. */
export function splitSentences(text: string): string[] {
  const parts = text.match(/[^。！？!?；;\n]+[。！？!?；;]*|[。！？!?；;]+/g) ?? [];
  const sentences: string[] = [];
  for (const raw of parts) {
    // English full stops end a sentence only before a space and a capital letter.
    for (const piece of raw.split(/(?<=[a-z0-9)"”]\.)\s+(?=[A-Z])/)) {
      const s = piece.trim();
      if (s !== '') sentences.push(s);
    }
  }
  return sentences;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * At most `max` code points of `text`. Cutting with .slice() counts UTF-16 units and can
 * split an emoji into a lone surrogate, which UTF-8 cannot hold (PostgreSQL's jsonb refuses it).
 */
export function cutCodePoints(text: string, max: number): string {
  // Fast path: no more units than allowed means no more code points either.
  if (text.length <= max) return text;
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points === max) break;
    units += ch.length;
    points++;
  }
  return text.slice(0, units);
}

/** `text` with every lone surrogate replaced by U+FFFD (String.prototype.toWellFormed for Node 20 types). */
export function wellFormed(text: string): string {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\ufffd') : text;
}
