// Recognises the numbering that starts a clause in real policies: 1. 1.1. 1.1 3.1.2 （1） (1)
// 1) 1、 a) 一、 （一） 第一章 第X条 Chapter 1: I - • and friends.

export type MarkerStyle =
  | `dec${number}`
  | 'arabic-dunhao'
  | 'paren'
  | 'rparen'
  | 'lparen'
  | 'letter'
  | 'cn'
  | 'cn-dot'
  | 'cnparen'
  | 'circled'
  | 'chapter'
  | 'section'
  | 'article'
  | 'roman'
  | 'en-chapter'
  | 'en-section'
  | 'bullet';

export interface Marker {
  /** The marker as written, e.g. "（2） " without the trailing text. */
  label: string;
  style: MarkerStyle;
  /** A normalised number used in citations: "8.3", "(2)", "a)", "二", "第三章". */
  key: string;
  /** The text after the marker. */
  rest: string;
  /**
   * How the marker is written when one style has two spellings a policy may use as two
   * levels: "(1)" is `ascii` next to "（1）" (交管12123 nests "(1)" items in "（1）共享").
   */
  variant?: 'ascii';
}

const CN_DIGITS = '一二三四五六七八九十百零〇两';
const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';
// A number directly followed by one of these is a quantity ("1.5亿", "3.2%"), not a clause
// number; "2.3.5. 日历信息" and "1.4.2 日志信息" are clauses, so only a bare "N" or "N.N"
// written right against the unit counts, and not before 志/历/常 (日志, 日历, 日常).
const QUANTITY = /^\d+(?:[.．]\d+)?$/;
const QUANTITY_UNIT = /^(?:[年月号时分秒%％亿万千元岁倍]|日(?![志历常]))/;

interface Rule {
  pattern: RegExp;
  style: (m: RegExpExecArray) => MarkerStyle | null;
  key: (m: RegExpExecArray) => string;
}

const rules: Rule[] = [
  {
    pattern: new RegExp(`^第\\s*([${CN_DIGITS}\\d]{1,4})\\s*([章节部分篇编条])\\s*[:：、.．]?\\s*`),
    style: (m) => (m[2] === '条' ? 'article' : m[2] === '章' || m[2] === '编' || m[2] === '篇' ? 'chapter' : 'section'),
    key: (m) => `第${m[1]}${m[2]}`,
  },
  {
    pattern: /^(chapter|section|part|article)\s+(\d{1,3}|[IVXLC]{1,6})\s*(?:[:：.\-–—]\s*|\s+|$)/i,
    style: (m) => (/^(chapter|part)$/i.test(m[1] ?? '') ? 'en-chapter' : 'en-section'),
    key: (m) => `${(m[1] ?? '').replace(/^./, (c) => c.toUpperCase())} ${m[2]}`,
  },
  {
    pattern: /^([IVX]{1,5})\s*[-–—.、]\s+/,
    style: () => 'roman',
    key: (m) => m[1] ?? '',
  },
  {
    // "一、" and "一." are two schemes: Keep (capp-004) nests "一. 基本业务功能" inside "一、".
    pattern: new RegExp(`^([${CN_DIGITS}]{1,3})\\s*([、.．])\\s*`),
    style: (m) => (m[2] === '、' ? 'cn' : 'cn-dot'),
    key: (m) => m[1] ?? '',
  },
  {
    // "三 个人信息的存储": a chapter number set off by a space (腾讯视频 capp-114), only before a
    // short title, never letter-spaced text ("一 旦 您").
    pattern: new RegExp(`^([${CN_DIGITS}]{1,3})[ \\u3000]+(?=[\\u3400-\\u9fff][\\u3400-\\u9fffA-Za-z])(?=.{2,30}$)`),
    style: () => 'cn',
    key: (m) => m[1] ?? '',
  },
  {
    pattern: new RegExp(`^[（(]\\s*([${CN_DIGITS}]{1,3})\\s*[)）]\\s*[、.．]?\\s*`),
    style: () => 'cnparen',
    key: (m) => `(${m[1]})`,
  },
  {
    pattern: new RegExp(`^([${CIRCLED}])\\s*`),
    style: () => 'circled',
    key: (m) => m[1] ?? '',
  },
  {
    // 1.1 / 3.1.2 / 1.1. (depth two and more: the trailing dot is optional)
    pattern: /^(\d{1,2}(?:\s?[.．]\s?\d{1,2}){1,4})\s*[.．、]?(?!\d)\s*/,
    style: (m) => `dec${(m[1] ?? '').split(/[.．]/).length}` as MarkerStyle,
    key: (m) => (m[1] ?? '').replace(/\s/g, '').replace(/．/g, '.'),
  },
  {
    pattern: /^(\d{1,3})\s*[.．](?![\d.．])\s*/,
    style: () => 'dec1',
    key: (m) => m[1] ?? '',
  },
  {
    // "1     text": a number set off by a run of spaces or a tab (微博, capp-062), read as "1.".
    // One space is enough before a short title ("1 我们如何收集和使用个人信息"), never before
    // a count ("3 个工作日").
    pattern: /^(\d{1,2})(?:[ \u3000]{2,}|\t|[ \u3000](?=[\u3400-\u9fff])(?![个天日年月周次项名位条件种元岁小分]|工作日)(?=[^。；;，,]{2,24}$))(?=\S)/,
    style: () => 'dec1',
    key: (m) => m[1] ?? '',
  },
  {
    pattern: /^(\d{1,3})\s*、\s*/,
    style: () => 'arabic-dunhao',
    key: (m) => m[1] ?? '',
  },
  {
    pattern: /^[（(]\s*(\d{1,3})\s*[)）]\s*[、.．]?\s*/,
    style: () => 'paren',
    key: (m) => `(${m[1]})`,
  },
  {
    pattern: /^(\d{1,3})\s*[)）]\s*/,
    style: () => 'rparen',
    key: (m) => `${m[1]})`,
  },
  {
    pattern: /^[（(]\s*([a-zA-Z])\s*[)）]\s*/,
    style: () => 'lparen',
    key: (m) => `(${(m[1] ?? '').toLowerCase()})`,
  },
  {
    pattern: /^([a-z])\s*(?:[)）]\s*|[.．]\s+)/,
    style: () => 'letter',
    key: (m) => `${m[1]})`,
  },
  {
    pattern: /^([•●○■□◆◇▪►▶❖✓√]\s*|[-*·]\s+)/,
    style: () => 'bullet',
    key: () => '•',
  },
];

export function detectMarker(line: string): Marker | null {
  const text = line.trim();
  for (const rule of rules) {
    const m = rule.pattern.exec(text);
    if (!m) continue;
    const style = rule.style(m);
    if (!style) continue;
    const rest = text.slice(m[0].length);
    if (style.startsWith('dec') && QUANTITY.test(m[0]) && QUANTITY_UNIT.test(rest)) continue;
    // "1.Cookie" and "1.我们" are clauses; "1.5 hours" is not, but that case is caught above.
    const variant = style === 'paren' && m[0].startsWith('(') ? { variant: 'ascii' as const } : {};
    return { label: m[0], style, key: rule.key(m), rest: rest.trim(), ...variant };
  }
  return null;
}

/** A numbered line with nothing after the number, such as the "1. 2. 3." stubs in 000_... §5. */
export function isEmptyStub(line: string): boolean {
  const marker = detectMarker(line);
  return marker !== null && marker.style !== 'bullet' && marker.rest.replace(/[\s\p{P}]/gu, '') === '';
}

export function decimalDepth(style: MarkerStyle): number {
  return style.startsWith('dec') ? Number(style.slice(3)) : 0;
}
