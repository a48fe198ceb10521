// The small pieces the conversation engine needs to hand a chat to a person: which messages
// always go to a person, which one asks for a follow-up ticket, and what the desks get to
// read. The engine decides when; these decide what.

import type { Store } from '../store/store.ts';
import type { TranscriptLine } from './types.ts';

/** How many of the last transcript lines the desks get with an escalation. */
export const ESCALATION_CONTEXT_LINES = 10;
/** How much of the transcript a follow-up ticket carries. */
const FOLLOW_UP_LINES = 30;
const FOLLOW_UP_CHARS = 4000;

/** The tenant's always-escalate topics (manifest `handoffTopics`) that `text` mentions, case-insensitively. */
export function mentionsHandoffTopic(text: string, topics: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return topics.some((topic) => lower.includes(topic.toLowerCase()));
}

/** The quick reply that accepts a follow-up ticket ("登记工单" / "leave a request"), and close phrasings. */
const FOLLOW_UP = /^(登记工单|登记|留言|留个言|提交工单|我要登记工单|leave a request|leave a message|file a request|callback)[\s。.!！]*$/i;

export function isFollowUpRequest(text: string): boolean {
  return FOLLOW_UP.test(text.trim());
}

/** The conversation's last lines (already masked in the store), oldest first, then the current message. */
export async function recentLines(
  store: Store,
  conversation: { tenant: string; channel: string; conversationRef: string },
  current: TranscriptLine | null,
  limit = ESCALATION_CONTEXT_LINES,
): Promise<TranscriptLine[]> {
  const entries = await store.transcript(conversation.tenant, conversation.channel, conversation.conversationRef);
  const lines = entries.map((e) => ({ direction: e.direction, text: e.text, at: e.at }));
  if (current) lines.push(current);
  return lines.slice(-limit);
}

/** The masked transcript a follow-up ticket carries, as plain lines ("user: …" / "support: …"), newest kept when too long. */
export function followUpTranscript(lines: readonly TranscriptLine[]): string {
  const text = lines
    .slice(-FOLLOW_UP_LINES)
    .map((l) => `${l.at.toISOString().slice(0, 16).replace('T', ' ')} ${l.direction === 'in' ? 'user' : 'support'}: ${l.text.replace(/\s+/g, ' ')}`)
    .join('\n');
  return text.length > FOLLOW_UP_CHARS ? text.slice(-FOLLOW_UP_CHARS) : text;
}
