// One canonical form for every message before the rules read it: full-width to ASCII, lower
// case, traditional to simplified characters, pinyin to Chinese, typing slips repaired.

import { fromPinyin } from './pinyin.ts';
import { respell } from './spelling.ts';
import { toSimplified } from './traditional.ts';

export interface Normalised {
  text: string;
  /** The message was typed in pinyin (the reply should be Chinese). */
  pinyin: boolean;
}

/** NFKC (full-width letters and punctuation to ASCII), lower case, straight quotes, one space. */
export function canonical(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u2032]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

export function normalise(raw: string): Normalised {
  const text = toSimplified(canonical(raw));
  const chinese = fromPinyin(text);
  if (chinese !== null) return { text: chinese, pinyin: true };
  return { text: respell(text), pinyin: false };
}

/**
 * Policy titles name data ("个人信息保护政策", "privacy policy") without being an object of an
 * action: "我想看看你们的个人信息保护政策" must not read as an access request.
 */
export function maskPolicyTitles(text: string): string {
  return text
    .replace(/(?:个人信息|隐私)(?:保护)?(?:权)?(?:政策|协议|条款|声明|指引|规则)/g, '政策')
    .replace(/\b(?:privacy|data protection|personal information|cookie) (?:policy|policies|notice|statement)\b/g, 'policy');
}
