// `privacy-bot chat`: the conversation core in the terminal, interactively or as a JSON-lines
// batch. Channel "cli"; the conversation reference is per tenant and user, so a restarted
// chat with the same --user continues where it stopped.

import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { formatCitation } from '../answer/answerer.ts';
import type { Bot } from '../bot.ts';
import { BotError, isBotError } from '../errors.ts';
import { findTenant } from '../knowledge/knowledge-base.ts';
import type { InboundMessage, OutboundReply, TurnResult } from '../conversation/types.ts';

const ChatLineSchema = z.object({
  user: z.string().min(1).max(256),
  text: z.string(),
  messageId: z.union([z.string().min(1), z.number()]).optional(),
});

function inbound(tenant: string, user: string, text: string, messageId?: string): InboundMessage {
  return {
    channel: 'cli',
    tenant,
    userRef: user,
    conversationRef: `cli:${tenant}:${user}`,
    messageId: messageId ?? randomUUID(),
    text,
    time: new Date(),
  };
}

/** A citation as the JSON contracts print it (ask --json, chat --jsonl). */
export function citationJson(c: { policyId: string; clauseId: string; number: string; title: string; text: string; effectiveDate?: string }) {
  return { policyId: c.policyId, clauseId: c.clauseId, number: c.number, title: c.title, text: c.text, effectiveDate: c.effectiveDate ?? null };
}

export function turnJson(result: TurnResult) {
  return {
    replies: result.replies.map((r) => ({
      kind: r.kind,
      text: r.text,
      citations: r.citations.map(citationJson),
      quickReplies: r.quickReplies,
    })),
    intent: result.intent,
    ...(result.ticketId && { ticketId: result.ticketId }),
    ...(result.duplicate && { duplicate: true }),
  };
}

/** Reads {"user","text","messageId"?} lines and writes one result line each; a bad line gets an error line. */
export async function chatBatch(bot: Bot, tenant: string): Promise<void> {
  findTenant(bot.assistant.kb, tenant);
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    try {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new BotError('invalid_input', 'line is not valid JSON');
      }
      const parsed = ChatLineSchema.safeParse(json);
      if (!parsed.success) throw new BotError('invalid_input', `each line needs {"user","text","messageId"?}: ${parsed.error.issues[0]?.message ?? ''}`);
      const { user, text, messageId } = parsed.data;
      const result = await bot.engine.handle(inbound(tenant, user, text, messageId === undefined ? undefined : String(messageId)));
      process.stdout.write(`${JSON.stringify(turnJson(result))}\n`);
    } catch (error) {
      if (isBotError(error, 'unknown_tenant')) throw error;
      const e = isBotError(error) ? { code: error.code, message: error.message } : { code: 'internal', message: String(error) };
      process.stdout.write(`${JSON.stringify({ error: e })}\n`);
    }
  }
}

function render(reply: OutboundReply, language: 'zh' | 'en'): string {
  const lines = [reply.text];
  if (reply.citations.length > 0) {
    lines.push(...reply.citations.map((c, i) => `  [${i + 1}] ${formatCitation(c, language)}`));
  }
  if (reply.quickReplies.length > 0) lines.push(`  ${reply.quickReplies.map((q, i) => `(${i + 1}) ${q.label}`).join('   ')}`);
  return lines.join('\n');
}

/** The interactive chat; a number answers with the matching quick reply of the last message. */
export async function chatInteractive(bot: Bot, tenantOption: string | undefined, user: string): Promise<void> {
  const tenants = bot.assistant.tenantIds();
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  // Reading through the async iterator keeps lines that arrive before the prompt (piped input).
  const lines = rl[Symbol.asyncIterator]();
  const question = async (prompt: string): Promise<string | null> => {
    process.stdout.write(prompt);
    const next = await lines.next();
    return next.done ? null : next.value;
  };
  let tenant = tenantOption && tenants.includes(tenantOption) ? tenantOption : null;
  if (tenantOption && !tenant) console.log(`Unknown tenant "${tenantOption}".`);
  while (tenant === null) {
    console.log(`Tenants: ${tenants.map((t, i) => `${i + 1}) ${t}`).join('  ')}`);
    const choice = await question('Pick a tenant (number or name): ');
    if (choice === null) return;
    tenant = tenants[Number(choice) - 1] ?? (tenants.includes(choice.trim()) ? choice.trim() : null);
  }
  console.log(`Chatting with ${tenant}'s privacy assistant as "${user}". "/tenant NAME" switches, "/quit" leaves.\n`);
  let options: OutboundReply['quickReplies'] = [];
  for (;;) {
    const line = await question('> ');
    if (line === null || line.trim() === '/quit') break;
    if (line.startsWith('/tenant')) {
      const next = line.slice(7).trim();
      if (tenants.includes(next)) tenant = next;
      else console.log(`Unknown tenant "${next}". Known: ${tenants.join(', ')}`);
      continue;
    }
    const picked = /^\d$/.test(line.trim()) ? options[Number(line.trim()) - 1] : undefined;
    const result = await bot.engine.handle(inbound(tenant, user, picked?.value ?? line));
    const language = /[\u3400-\u9fff]/.test(result.replies.map((r) => r.text).join('')) ? 'zh' : 'en';
    for (const reply of result.replies) console.log(`${render(reply, language)}\n`);
    options = result.replies.at(-1)?.quickReplies ?? [];
  }
  rl.close();
}
