// Small constructors for structured replies, shared by the engine and its dialog modules.

import type { OutboundReply, QuickReply, ReplyKind } from './types.ts';

export function plain(kind: ReplyKind, text: string, quickReplies: QuickReply[] = []): OutboundReply {
  return { kind, text, citations: [], quickReplies };
}

/** A quick reply whose label is what it sends. */
export function option(text: string): QuickReply {
  return { label: text, value: text };
}
