// Outbox rows for a user go out through their channel adapter's `send(conversationRef,
// replies)`. The payload is read back from the store, so it is validated like any input.

import { z } from 'zod';
import type { ChannelAdapter } from '../channels/channel.ts';
import type { OutboundReply } from '../conversation/types.ts';
import { BotError } from '../errors.ts';
import type { Deliver } from './outbox-worker.ts';

const CitationSchema = z.object({
  policyId: z.string(),
  policyTitle: z.string(),
  clauseId: z.string(),
  number: z.string(),
  title: z.string(),
  text: z.string(),
});

export const OutboundRepliesSchema = z
  .array(
    z.object({
      kind: z.enum(['answer', 'refusal', 'form', 'ticket', 'status', 'greeting', 'handoff', 'agent', 'info', 'error']),
      text: z.string(),
      citations: z.array(CitationSchema).default([]),
      quickReplies: z.array(z.object({ label: z.string(), value: z.string() })).default([]),
    }),
  )
  .min(1);

/** The deliverer of a channel: its adapter's `send`, with the payload checked first. */
export function channelDeliverer(adapter: Required<Pick<ChannelAdapter, 'send'>>): Deliver {
  return async (item) => {
    const parsed = OutboundRepliesSchema.safeParse(item.payload);
    if (!parsed.success) throw new BotError('invalid_input', `Outbox row ${item.id} does not hold channel replies.`);
    const replies: OutboundReply[] = parsed.data;
    await adapter.send(item.conversationRef, replies, { key: item.dedupeKey, at: item.createdAt });
  };
}
