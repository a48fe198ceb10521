// The JSON the web chat page renders: the core's replies with each citation reduced to what
// a reader needs (the chip's label and the quoted clause). Ids internal to the knowledge base
// stay on the server.

import { formatCitation, type Citation } from '../../src/answer/answerer.ts';
import type { Intent, OutboundReply, QuickReply, ReplyKind, TurnResult } from '../../src/conversation/types.ts';
import { detectLanguage } from '../../src/knowledge/text.ts';

export interface WebCitation {
  policyTitle: string;
  number: string;
  /** The clause heading, if it has one. */
  title: string;
  /** The clause text, quoted when the chip is expanded. */
  text: string;
  /** What the chip shows: 《隐私政策》第8.3条 */
  label: string;
}

export interface WebReply {
  kind: ReplyKind;
  text: string;
  citations: WebCitation[];
  quickReplies: QuickReply[];
}

export interface WebTurnResponse {
  replies: WebReply[];
  intent: Intent;
  ticketId?: string;
  duplicate: boolean;
}

/** The chip label, worded in the reply's language like the citation list of a text channel. */
export function citationLabel(citation: Citation, replyText: string): string {
  // No heading: the chip is short, and the heading shows when it is expanded.
  return formatCitation({ ...citation, title: '' }, detectLanguage(replyText));
}

export function renderReply(reply: OutboundReply): WebReply {
  return {
    kind: reply.kind,
    text: reply.text,
    citations: reply.citations.map((c) => ({ policyTitle: c.policyTitle, number: c.number, title: c.title, text: c.text, label: citationLabel(c, reply.text) })),
    quickReplies: reply.quickReplies.map((q) => ({ label: q.label, value: q.value })),
  };
}

export function renderTurn(result: TurnResult): WebTurnResponse {
  return {
    replies: result.replies.map(renderReply),
    intent: result.intent,
    ...(result.ticketId ? { ticketId: result.ticketId } : {}),
    duplicate: result.duplicate,
  };
}

/** A reply as the page shows it, in plain text: the text, then one line per citation chip. */
export function replyAsText(reply: WebReply): string {
  return [reply.text, ...reply.citations.map((c, i) => `[${i + 1}] ${c.label}`)].join('\n');
}
