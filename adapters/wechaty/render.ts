// Turns the core's structured replies into one WeChat text message, and a person's numeric
// answer back into the quick reply it picks. Pure: no wechaty, no I/O.
//
// A personal WeChat account has no buttons, so quick replies become a numbered hint
// ("回复 1 确认 / 2 取消") and the adapter remembers what each number meant. All replies of a
// turn go out as one message: WeChat shows them in order, and a redelivery check can count
// one message per turn.

import { formatCitation } from '../../src/answer/answerer.ts';
import { reply as replyText } from '../../src/answer/replies.ts';
import type { OutboundReply, QuickReply } from '../../src/conversation/types.ts';
import { detectLanguage, type Language } from '../../src/knowledge/text.ts';

export interface RenderedTurn {
  /** The message to say; empty when there is nothing to send. */
  text: string;
  /** The quick replies in the order they were numbered (1 = the first). */
  options: QuickReply[];
}

/** "依据：《标题》第8.3条 标题", or a header and one numbered line per citation. */
function citationLines(reply: OutboundReply, language: Language): string[] {
  const header = replyText(language, 'citationsHeader');
  const lines = reply.citations.map((c) => formatCitation(c, language));
  if (lines.length === 0) return [];
  // The answer marks its statements [1], [2], ...; a lone citation needs no number.
  if (lines.length === 1) return [`${header}${lines[0]}`];
  return [header, ...lines.map((line, i) => `[${i + 1}] ${line}`)];
}

function hint(options: QuickReply[], language: Language): string {
  if (language === 'en') return `Reply ${options.map((o, i) => `${i + 1} for ${o.label}`).join(', ')}`;
  return `回复 ${options.map((o, i) => `${i + 1} ${o.label}`).join(' / ')}`;
}

export function renderReplies(replies: OutboundReply[], turnLanguage?: Language): RenderedTurn {
  // The core says which language the turn is in; without it (replies sent by others), the
  // first line is the bot's own words, while what follows may quote a Chinese policy.
  const language = turnLanguage ?? detectLanguage(replies[0]?.text.trim().split('\n')[0] ?? '');
  const blocks = replies
    .map((r) => [r.text.trim(), ...citationLines(r, language)].filter((line) => line !== '').join('\n'))
    .filter((block) => block !== '');
  const options: QuickReply[] = [];
  for (const option of replies.flatMap((r) => r.quickReplies)) {
    if (!options.some((o) => o.value === option.value)) options.push(option);
  }
  if (options.length > 0) blocks.push(hint(options, language));
  return { text: blocks.join('\n\n'), options };
}

const FULL_WIDTH_DIGITS = /[０-９]/g;

/** A bare number ("1", "２", "1.") picks that quick reply; anything else is the person's own text. */
export function resolveQuickReply(text: string, options: readonly QuickReply[]): string {
  const normalized = text.replace(FULL_WIDTH_DIGITS, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).trim();
  const match = /^(\d{1,2})[.。、]?$/.exec(normalized);
  if (!match) return text;
  const picked = options[Number(match[1]) - 1];
  return picked ? picked.value : text;
}

/**
 * The quick replies last offered in each conversation, so a later "1" can be mapped. Kept in
 * memory only (a restart forgets them; the person then types the words) and bounded, the
 * least recently used conversation going first.
 */
export class QuickReplyMemory {
  private readonly offered = new Map<string, QuickReply[]>();

  constructor(private readonly limit = 10_000) {}

  remember(conversationRef: string, options: QuickReply[]): void {
    this.offered.delete(conversationRef);
    if (options.length === 0) return;
    this.offered.set(conversationRef, options);
    if (this.offered.size > this.limit) {
      const oldest = this.offered.keys().next().value;
      if (oldest !== undefined) this.offered.delete(oldest);
    }
  }

  resolve(conversationRef: string, text: string): string {
    const options = this.offered.get(conversationRef);
    return options ? resolveQuickReply(text, options) : text;
  }
}
