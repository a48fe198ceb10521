// Replies for the WeChat Official Account: passive reply XML, the 2048-byte text limit, and
// citations short enough for a phone screen.
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html

import { BotError } from '../../src/errors.ts';

/** WeChat's limit on a text reply's Content, in UTF-8 bytes. */
export const WECHAT_TEXT_LIMIT_BYTES = 2048;
export const DEFAULT_MORE_HINT = '回复"更多"查看剩余内容';

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

// Characters XML 1.0 forbids even inside CDATA (C0 controls, lone surrogates, U+FFFE/U+FFFF):
// one of them would make WeChat reject the whole reply.
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A CDATA section holding `text` exactly; "]]>" inside is split across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(NOT_XML_CHAR, '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * The passive text reply, returned as the POST's response body. `toUser` is the user's OpenID
 * (the message's FromUserName), `fromUser` the account (its ToUserName). Keep `content`
 * within 2048 UTF-8 bytes; splitForWechat() does that.
 */
export function renderTextReply(params: { toUser: string; fromUser: string; createTime: number | Date; content: string }): string {
  const { toUser, fromUser, content } = params;
  const createTime = params.createTime instanceof Date ? Math.floor(params.createTime.getTime() / 1000) : params.createTime;
  if (!Number.isSafeInteger(createTime) || createTime < 0) throw new BotError('invalid_input', 'renderTextReply: createTime must be Unix seconds.');
  if (!toUser || !fromUser) throw new BotError('invalid_input', 'renderTextReply: toUser and fromUser are required.');
  return (
    `<xml><ToUserName>${cdata(toUser)}</ToUserName><FromUserName>${cdata(fromUser)}</FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content></xml>`
  );
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const CLOSERS = `”’」』）》〉】〕)\\]"'`;
// A sentence ends after 。！？ (with any closing quotes or brackets), after .!? when
// whitespace or the end follows (so "8.3" and "1.5%" are not sentence ends), or after a newline.
const SENTENCE_END = new RegExp(`[。！？]+[${CLOSERS}]*|[.!?]+[${CLOSERS}]*(?=\\s|$)|\\n`, 'g');

// Characters that can join the code point before or after them into one grapheme cluster
// (combining marks, joiners, variation selectors, emoji modifiers, regional indicators, Hangul
// jamo, CR LF, prepended marks). Text without any has one grapheme per code point.
const CLUSTERING = /[\p{M}\u200c\u200d\r\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\p{Regional_Indicator}\p{Emoji_Modifier}]/u;

/** Where `text` may be cut: at any grapheme boundary. */
interface Boundaries {
  /** The longest prefix, in UTF-16 units, that fits `budget` bytes. */
  end: number;
  isBoundary(index: number): boolean;
}

/** The longest prefix of `text`, in UTF-16 units, that fits `budget` bytes and ends on a whole code point. */
export function codePointPrefix(text: string, budget: number): number {
  let bytes = 0;
  let end = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const size = pair ? 4 : unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    bytes += size;
    if (bytes > budget) break;
    if (pair) i++;
    end = i + 1;
  }
  return end;
}

/** The longest prefix of `text`, in UTF-16 units, that fits `budget` bytes and ends on a whole grapheme (else a whole code point). */
export function graphemePrefix(text: string, budget: number): Boundaries {
  // Fast path: one grapheme per code point, so the byte count alone decides (no segmenter).
  if (!CLUSTERING.test(text)) {
    const end = codePointPrefix(text, budget);
    const splitsPair = (index: number) => (text.charCodeAt(index) & 0xfc00) === 0xdc00 && (text.charCodeAt(index - 1) & 0xfc00) === 0xd800;
    return { end, isBoundary: (index) => index === text.length || !splitsPair(index) };
  }
  const segments = graphemes.segment(text);
  const isBoundary = (index: number) => index === text.length || segments.containing(index)?.index === index;
  let bytes = 0;
  let end = 0;
  for (const { segment, index } of segments) {
    bytes += utf8Length(segment);
    if (bytes > budget) break;
    end = index + segment.length;
  }
  // One grapheme bigger than the budget (say a letter with hundreds of combining marks):
  // cut between its code points, which still never splits a surrogate pair.
  if (end === 0) end = codePointPrefix(text, budget);
  return { end, isBoundary };
}

/**
 * Splits a reply for WeChat's 2048-byte text limit. `first` fits `limitBytes` (UTF-8)
 * including a line with `moreHint`, and ends at the last sentence end that fits, else at the
 * last whole character; `rest` is what remains (split it again when the user asks for more),
 * or null when the text fits as it is.
 */
export function splitForWechat(
  text: string,
  limitBytes: number = WECHAT_TEXT_LIMIT_BYTES,
  moreHint: string = DEFAULT_MORE_HINT,
): { first: string; rest: string | null } {
  if (typeof text !== 'string') throw new BotError('invalid_input', 'splitForWechat: text must be a string.');
  if (!Number.isSafeInteger(limitBytes) || limitBytes <= 0) throw new BotError('invalid_input', 'splitForWechat: limitBytes must be a positive integer.');
  // Byte-length fast path: no UTF-16 unit takes more than 3 bytes in UTF-8.
  if (text.length * 3 <= limitBytes || utf8Length(text) <= limitBytes) return { first: text, rest: null };
  const trimmed = text.trimEnd();
  if (utf8Length(trimmed) <= limitBytes) return { first: trimmed, rest: null };

  const suffix = `\n${moreHint}`;
  const budget = limitBytes - utf8Length(suffix);
  // Room for at least one character of any size, or the text could never be sent.
  if (budget < 4) {
    throw new BotError('invalid_config', `splitForWechat: the "more" hint (${utf8Length(moreHint)} bytes) leaves no room in ${limitBytes} bytes; shorten it.`);
  }

  const { end: maxEnd, isBoundary } = graphemePrefix(trimmed, budget);
  const firstVisible = trimmed.search(/\S/);
  // Without a sentence end that fits, cut after the last whole character that does.
  let cut = maxEnd;
  for (const match of trimmed.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    if (end > maxEnd) break;
    // A sentence end must also be a grapheme boundary and leave something besides whitespace.
    if (end > firstVisible && isBoundary(end)) cut = end;
  }
  const first = `${trimmed.slice(0, cut).trimEnd()}${suffix}`;
  const rest = trimmed.slice(cut).trimStart();
  return { first, rest };
}

function stripMarks(title: string, open: string, close: string): string {
  const t = title.trim();
  return t.startsWith(open) && t.endsWith(close) && t.length >= 2 ? t.slice(open.length, t.length - close.length).trim() : t;
}

export interface CitationRef {
  policyTitle: string;
  /** The clause number ("8.3", "7.4.(2)", "第五条"), or '' for an unnumbered heading. */
  number: string;
  /** The clause heading, or ''. */
  title: string;
}

/** `依据：《标题》第8.3条`; a number already written "第五条" is kept; no number → the heading in 「」. */
export function compactCitation({ policyTitle, number, title }: CitationRef): string {
  const policy = `《${stripMarks(policyTitle, '《', '》')}》`;
  const n = number.trim();
  if (n !== '') return `依据：${policy}${n.startsWith('第') ? n : `第${n}条`}`;
  const heading = title.trim();
  return heading === '' ? `依据：${policy}` : `依据：${policy}「${heading}」`;
}

/** `Source: "Title" §8.3`; no number → `Source: "Title", section "Heading"`. */
export function compactCitationEn({ policyTitle, number, title }: CitationRef): string {
  const policy = `"${stripMarks(policyTitle, '"', '"')}"`;
  const n = number.trim();
  if (n !== '') return `Source: ${policy} ${n.startsWith('第') ? n : `§${n}`}`;
  const heading = title.trim();
  return heading === '' ? `Source: ${policy}` : `Source: ${policy}, section "${heading}"`;
}
