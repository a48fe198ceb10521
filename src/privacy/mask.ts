// Personal data in free text: what a person types into a chat may carry an email, a mobile
// number, an ID-card, bank-card or passport number. Everything the bot keeps or shows in
// clear (transcripts, form answers, ticket details, CLI output) passes through
// maskPersonalData first; the originals exist only sealed (src/tickets/contact.ts).
//
// Number kinds are recognised by their own check rules (ID-card checksum, Luhn for bank
// cards) so that order numbers and the like stay readable.

// Digits, the ID check letter Ｘ/ｘ and ＠．＋－: what numbers and addresses are written with.
const FULL_WIDTH = /[\uFF10-\uFF19\uFF38\uFF58\uFF20\uFF0E\uFF0B\uFF0D]/g;

/**
 * Full-width digits, Ｘ and ＠．＋－ to their ASCII forms ("１３８" -> "138"). Each
 * character maps to exactly one, so positions in the text are kept.
 */
export function normaliseWidth(text: string): string {
  return text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** An email as people write it, also glued to Chinese text ("我的邮箱是a.b@example.com"). */
export const EMAIL_IN_TEXT = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
/** A mainland mobile number, with an optional +86/86 and spaces or dashes in the usual places. */
export const MOBILE_IN_TEXT = /(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g;
const ID_18 = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const ID_15 = /(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])/g;
/** 13–19 digits starting 3–6 (the card networks' ranges), optionally in groups of four. */
const CARD = /(?<![0-9A-Za-z])[3-6]\d{3}(?:[ -]?\d{4}){2}(?:[ -]?\d{1,7})(?![0-9A-Za-z])/g;
/** Chinese passports: E12345678, EA1234567, G12345678 (and D/S/P for diplomatic, service, official). */
const CN_PASSPORT = /(?<![0-9A-Za-z])[EGDSP][A-Z]?\d{7,8}(?![0-9A-Za-z])/g;
/** Any passport number named as one: "护照号码：X1234567", "passport no. 123456789". */
const NAMED_PASSPORT = /(护照(?:号码|号)?|passport(?:\s*(?:no\.?|number|#))?)([\s:：#]*)((?=[A-Za-z]*\d)[A-Za-z0-9]{6,12})(?![A-Za-z0-9])/gi;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The GB 11643 check character of an 18-digit resident ID number. */
export function isValidId18(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase() && plausibleDate(id.slice(6, 14));
}

/** A first-generation 15-digit ID: region, YYMMDD birth date, sequence. */
export function isValidId15(id: string): boolean {
  return /^\d{15}$/.test(id) && plausibleDate(`19${id.slice(6, 12)}`);
}

function plausibleDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/** The Luhn check every bank card number carries. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** a***@example.com */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at).toLowerCase()}`;
}

/** 138****5678 */
export function maskMobile(digits: string): string {
  return `${digits.slice(0, 3)}****${digits.slice(7)}`;
}

const stars = (n: number) => '*'.repeat(Math.max(n, 0));

/**
 * The text with every email, mainland mobile, ID-card (18 digits with a valid checksum, or 15
 * digits with a plausible birth date), bank-card (Luhn) and passport number masked. Full-width
 * digits count as digits.
 */
export function maskPersonalData(text: string): string {
  let out = normaliseWidthWhereNeeded(text);
  out = out.replace(EMAIL_IN_TEXT, maskEmail);
  out = out.replace(ID_18, (m) => (isValidId18(m) ? `${m.slice(0, 3)}${stars(11)}${m.slice(14)}` : m));
  out = out.replace(CARD, (m) => {
    const digits = m.replace(/\D/g, '');
    return passesLuhn(digits) ? `${digits.slice(0, 4)}${stars(digits.length - 8)}${digits.slice(-4)}` : m;
  });
  out = out.replace(ID_15, (m) => (isValidId15(m) ? `${m.slice(0, 3)}${stars(9)}${m.slice(12)}` : m));
  out = out.replace(MOBILE_IN_TEXT, (m) => {
    const digits = m.replace(/\D/g, '').replace(/^86(?=\d{11}$)/, '');
    return maskMobile(digits);
  });
  out = out.replace(NAMED_PASSPORT, (m, label: string, gap: string, number: string) =>
    number.includes('*') ? m : `${label}${gap}${number.slice(0, 1)}${stars(number.length - 3)}${number.slice(-2)}`,
  );
  out = out.replace(CN_PASSPORT, (m) => `${m.slice(0, 1)}${stars(m.length - 3)}${m.slice(-2)}`);
  return out;
}

/** True when the text carries anything maskPersonalData would hide. */
export function hasPersonalData(text: string): boolean {
  return maskPersonalData(text) !== text;
}

/** Only touches the text when it holds full-width characters, so plain text stays identical. */
function normaliseWidthWhereNeeded(text: string): string {
  FULL_WIDTH.lastIndex = 0;
  return FULL_WIDTH.test(text) ? normaliseWidth(text) : text;
}
