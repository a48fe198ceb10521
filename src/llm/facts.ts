// The checkable facts of a sentence: numbers (with Chinese and English number words before
// a unit turned into digits, so "十五个工作日" and "15 working days" are the same fact),
// emails, web addresses, phone numbers, company names. A model's statement may only carry
// facts that its cited clauses carry.

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 10000 };
const UNIT_AFTER = '(?=个?(?:工作日|自然日|天|日|年|月|周|星期|小时|分钟|岁|周岁|项|次|条|名|人))';
const CN_NUMBER = new RegExp(`[零〇一二两三四五六七八九十百千万]+${UNIT_AFTER}`, 'g');
const EN_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90,
};
const EN_NUMBER = new RegExp(`\\b(${Object.keys(EN_WORDS).join('|')})(?=[\\s-]+(?:\\(\\d+\\)\\s+)?(?:working |business |calendar |natural )?(?:days?|months?|years?|weeks?|hours?|minutes?)\\b)`, 'gi');

export function chineseNumber(text: string): number {
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const ch of text) {
    if (ch in CN_DIGITS) digit = CN_DIGITS[ch]!;
    else if (ch === '万') {
      total += (section + digit) * 10000;
      section = 0;
      digit = 0;
    } else if (ch in CN_UNITS) {
      section += (digit || 1) * CN_UNITS[ch]!;
      digit = 0;
    }
  }
  return total + section + digit;
}

/** Number words before a unit become digits; separators inside a phone number go. */
export function normaliseNumbers(text: string): string {
  return text
    .replace(CN_NUMBER, (m) => String(chineseNumber(m)))
    .replace(EN_NUMBER, (m) => String(EN_WORDS[m.toLowerCase()]))
    .replace(/(\d)[\s\-–]+(?=\d)/g, '$1')
    .replace(/(\d),(?=\d{3}\b)/g, '$1');
}

export interface Facts {
  numbers: string[];
  emails: string[];
  urls: string[];
  companies: string[];
}

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s，。；、）)]+/gi;
// The name is the up to six characters before the legal form: enough to tell companies apart.
const CN_COMPANY = /[\u4e00-\u9fa5]{2,6}(?:有限责任公司|股份有限公司|有限公司|集团)/g;
const EN_COMPANY = /\b(?:[A-Z][\w&.'-]*\s+){1,5}(?:Inc|Ltd|LLC|Co|Corp|Corporation|Limited|GmbH|Pte)\b\.?/g;

export function extractFacts(text: string, knownCompanies: string[] = []): Facts {
  const t = normaliseNumbers(text);
  const emails = t.match(EMAIL) ?? [];
  const urls = (t.match(URL_PATTERN) ?? []).map((u) => u.replace(/[.,;:]+$/, ''));
  // Digits inside an email or address are checked as part of it.
  const rest = [...emails, ...urls].reduce((s, x) => s.split(x).join(' '), t);
  const numbers = rest.match(/\d+(?:\.\d+)*/g) ?? [];
  const lower = t.toLowerCase();
  const companies = [
    ...(t.match(CN_COMPANY) ?? []),
    ...(t.match(EN_COMPANY) ?? []),
    ...knownCompanies.filter((n) => n.length >= 2 && lower.includes(n.toLowerCase())),
  ];
  return { numbers: unique(numbers), emails: unique(emails), urls: unique(urls), companies: unique(companies) };
}

/** The facts of `statement` that `source` does not contain. */
export function unsupportedFacts(statement: string, source: string, knownCompanies: string[] = []): string[] {
  const facts = extractFacts(statement, knownCompanies);
  const src = normaliseNumbers(source).toLowerCase().replace(/\s+/g, '');
  const sourceNumbers = new Set(extractFacts(source).numbers);
  const missing = facts.numbers.filter((n) => !sourceNumbers.has(n));
  const found = (x: string) => src.includes(x.toLowerCase().replace(/\s+/g, ''));
  for (const x of [...facts.emails, ...facts.urls]) if (!found(x)) missing.push(x);
  // A Chinese name match may start with a word of the sentence ("由腾讯科技有限公司"): one or
  // two leading characters may go.
  for (const x of facts.companies) if (![x, x.slice(1), x.slice(2)].some((v) => v.length >= 4 && found(v))) missing.push(x);
  return missing;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
