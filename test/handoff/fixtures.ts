// A handoff world for tests: the real engine over a real SQLite store, a knowledge copy with
// business hours and always-escalate topics, the real outbox worker, a recording agent desk
// and a recording user channel. Only the clock is the test's.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { OutboundReply } from '../../src/conversation/types.ts';
import { deskDeliverer, deskTarget, type AgentDesk } from '../../src/handoff/agent-desk.ts';
import type { Handoff, HandoffEvent, TranscriptLine } from '../../src/handoff/types.ts';
import { channelDeliverer } from '../../src/outbox/channel-delivery.ts';
import { OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { copyKnowledge, openAssistant } from '../helpers/assistant.ts';
import { openEngine, type EngineFixture } from '../helpers/chat.ts';

/** qiancheng keeps office hours (Mon–Fri 09:00–18:00 China time, Chinese calendar); giantkone is always open. */
export async function openHandoffAssistant(): Promise<PolicyAssistant> {
  const dir = copyKnowledge();
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { tenants: Record<string, unknown>[] };
  for (const tenant of manifest.tenants) {
    tenant.handoffTopics = ['律师', 'lawsuit'];
    if (tenant.id === 'qiancheng') tenant.businessHours = { timeZone: 'Asia/Shanghai', days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00' };
  }
  writeFileSync(path, JSON.stringify(manifest));
  return openAssistant({ KNOWLEDGE_DIR: dir });
}

export class RecordingDesk implements AgentDesk {
  readonly escalations: { handoff: Handoff; lastMessages: TranscriptLine[] }[] = [];
  readonly userMessages: { handoffId: string; text: string; messageId: string }[] = [];
  readonly changes: { handoff: Handoff; event: HandoffEvent }[] = [];
  failNext = 0;

  constructor(readonly name = 'test-desk') {}

  async escalated(handoff: Handoff, lastMessages: TranscriptLine[]): Promise<void> {
    this.#maybeFail();
    this.escalations.push({ handoff, lastMessages });
  }

  async userMessage(handoff: Handoff, message: { messageId: string; text: string; at: Date }): Promise<void> {
    this.#maybeFail();
    this.userMessages.push({ handoffId: handoff.id, text: message.text, messageId: message.messageId });
  }

  async changed(handoff: Handoff, event: HandoffEvent): Promise<void> {
    this.#maybeFail();
    this.changes.push({ handoff, event });
  }

  #maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('desk unavailable');
    }
  }
}

/** The user's side of the channel: what `send` delivered, per conversation. */
export class RecordingChannel {
  readonly sent: { conversationRef: string; replies: OutboundReply[] }[] = [];
  /** Thrown by the next sends (then cleared), e.g. a permanent "unreachable". */
  failWith: Error | null = null;

  async send(conversationRef: string, replies: OutboundReply[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ conversationRef, replies });
  }

  textsFor(conversationRef: string): string[] {
    return this.sent.filter((s) => s.conversationRef === conversationRef).flatMap((s) => s.replies.map((r) => r.text));
  }
}

export interface HandoffWorld extends EngineFixture {
  desk: RecordingDesk;
  channel: RecordingChannel;
  outbox: OutboxWorker;
  observed: { escalated: string[]; taken: number[]; firstReply: number[] };
}

/** Everything wired the way src/server/server.ts wires it, over the channel name "test". */
export async function openHandoffWorld(assistant: PolicyAssistant, options: { dataDir?: string; key?: Buffer; now?: Date } = {}): Promise<HandoffWorld> {
  const fx = await openEngine(assistant, options);
  const desk = new RecordingDesk();
  const channel = new RecordingChannel();
  const outbox = new OutboxWorker({ store: fx.store, logger: pino({ level: 'silent' }), clock: () => fx.clock.now, retry: { baseMs: 1000, maxMs: 8000, maxAttempts: 4 } });
  const observed = { escalated: [] as string[], taken: [] as number[], firstReply: [] as number[] };
  const handoffs = fx.engine.handoffs;
  handoffs.registerDesk(desk);
  outbox.register(deskTarget(desk.name), deskDeliverer(desk, fx.store));
  outbox.register('test', channelDeliverer(channel));
  outbox.onFailure((item, reason) => handoffs.deliveryFailed(item, reason));
  handoffs.observe({
    escalated: (tenant, reason, outcome) => observed.escalated.push(`${tenant}:${reason}:${outcome}`),
    taken: (_tenant, seconds) => observed.taken.push(seconds),
    firstAgentReply: (_tenant, seconds) => observed.firstReply.push(seconds),
  });
  return { ...fx, desk, channel, outbox, observed };
}
