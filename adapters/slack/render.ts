// A core reply -> a Slack message with Block Kit. Pure: no SDK calls, only its types.
// The answer is a mrkdwn section, each citation a context line under it, quick replies buttons.
//   Blocks and their limits: https://docs.slack.dev/reference/block-kit/blocks
//   Escaping:                https://docs.slack.dev/messaging/formatting-message-text#escaping
//   Fallback `text`:         https://docs.slack.dev/reference/methods/chat.postMessage#text-usage

import type { types } from '@slack/bolt';
import { formatCitation } from '../../src/answer/answerer.ts';
import type { OutboundReply } from '../../src/conversation/types.ts';
import { detectLanguage } from '../../src/knowledge/text.ts';
import { quickReplyActionId } from './parse.ts';

export const SECTION_TEXT_LIMIT = 3000;
export const MAX_BUTTONS = 5;
export const BUTTON_TEXT_LIMIT = 75;
export const BUTTON_VALUE_LIMIT = 2000;
export const MAX_BLOCKS = 50;
/**
 * The fallback `text` is cut here before escaping: Slack asks to keep it under 4,000 characters
 * and refuses 40,000 (msg_too_long); escaping at most quintuples it.
 */
export const FALLBACK_TEXT_LIMIT = 4000;
/** A citation line; real ones are far shorter. Cut before escaping, so no entity is split. */
export const CITATION_TEXT_LIMIT = 500;

export interface SlackMessage {
  /** Shown in notifications and by screen readers; Slack requires it alongside blocks. */
  text: string;
  blocks: types.KnownBlock[];
}

/** Slack reads `&`, `<` and `>` as markup (links, mentions, entities): these three, and only these, are escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts after whole code points, marking the cut with an ellipsis. */
function clip(text: string, limit: number): string {
  const points = [...text];
  return points.length <= limit ? text : `${points.slice(0, limit - 1).join('')}…`;
}

/**
 * Escaped text in pieces of at most `limit` characters, cut between lines where possible and
 * never inside an entity (the raw text is cut, then each piece escaped).
 */
export function escapedChunks(text: string, limit: number = SECTION_TEXT_LIMIT): string[] {
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim() !== '') chunks.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const escaped = escapeMrkdwn(line);
    const joined = current === '' ? escaped : `${current}\n${escaped}`;
    if (joined.length <= limit) {
      current = joined;
      continue;
    }
    flush();
    if (escaped.length <= limit) {
      current = escaped;
      continue;
    }
    // One line longer than a section: cut it by code points, keeping each escaped piece in bounds.
    let piece = '';
    for (const ch of line) {
      const next = escapeMrkdwn(ch);
      if (piece.length + next.length > limit) {
        chunks.push(piece);
        piece = '';
      }
      piece += next;
    }
    current = piece;
  }
  flush();
  return chunks;
}

/**
 * One reply as a Slack message, or null when there is nothing to show. Quick replies whose
 * value Slack cannot carry (empty, over 2000 characters) are left out rather than cut: a cut
 * value would come back as different text. At most five buttons, labels cut to 75 characters.
 */
export function renderReply(reply: OutboundReply): SlackMessage | null {
  const language = detectLanguage(reply.text);
  const citationLines = reply.citations.map((c, i) => `[${i + 1}] ${formatCitation(c, language)}`);

  const sections: types.SectionBlock[] = escapedChunks(reply.text).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  const contexts: types.ContextBlock[] = citationLines.map((line) => ({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: escapeMrkdwn(clip(line, CITATION_TEXT_LIMIT)) }],
  }));
  const buttons: types.Button[] = reply.quickReplies
    .filter((q) => q.value.length > 0 && q.value.length <= BUTTON_VALUE_LIMIT && q.label.trim() !== '')
    .slice(0, MAX_BUTTONS)
    .map((q, i) => ({
      type: 'button',
      action_id: quickReplyActionId(i),
      text: { type: 'plain_text', text: clip(q.label.trim(), BUTTON_TEXT_LIMIT), emoji: true },
      value: q.value,
    }));
  const actions: types.ActionsBlock[] = buttons.length > 0 ? [{ type: 'actions', elements: buttons }] : [];

  // Keep within Slack's 50 blocks: buttons first, then the answer, then as many citations as fit.
  const room = MAX_BLOCKS - actions.length;
  const body = [...sections, ...contexts].slice(0, room);
  const blocks: types.KnownBlock[] = [...body, ...actions];
  if (sections.length === 0 && contexts.length === 0) return null;

  const fallback = [reply.text.trim(), ...citationLines].filter((l) => l !== '').join('\n');
  return { text: escapeMrkdwn(clip(fallback, FALLBACK_TEXT_LIMIT)), blocks };
}
