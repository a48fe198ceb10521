import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { ConversationEngine, type EngineOptions } from '../../src/conversation/engine.ts';
import type { TurnResult } from '../../src/conversation/types.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { ContactCipher } from '../../src/tickets/contact.ts';
import { tempDir } from './assistant.ts';

export interface EngineFixture {
  engine: ConversationEngine;
  store: Store;
  dataDir: string;
  key: Buffer;
  clock: { now: Date };
}

/** An engine over a fresh SQLite store, with a clock the test moves. */
export async function openEngine(
  assistant: PolicyAssistant,
  options: {
    dataDir?: string;
    key?: Buffer;
    now?: Date;
    retentionDays?: number;
    ticketRetentionDays?: number;
    logger?: Logger;
    codeSenders?: EngineOptions['codeSenders'];
  } = {},
): Promise<EngineFixture> {
  const dataDir = options.dataDir ?? tempDir();
  const key = options.key ?? randomBytes(32);
  const clock = { now: options.now ?? new Date('2026-11-22T02:00:00Z') };
  const store = await SqliteStore.open({ dataDir });
  const engine = new ConversationEngine({
    assistant,
    store,
    cipher: new ContactCipher(key),
    logger: options.logger ?? pino({ level: 'silent' }),
    transcriptRetentionDays: options.retentionDays ?? 30,
    ticketRetentionDays: options.ticketRetentionDays,
    codeSenders: options.codeSenders,
    clock: () => clock.now,
  });
  return { engine, store, dataDir, key, clock };
}

let counter = 0;

/** One person chatting: `await chat.send('你好')` returns the turn, and keeps the last one. */
export class Chat {
  last: TurnResult | null = null;

  constructor(
    private readonly engine: ConversationEngine,
    readonly tenant: string,
    readonly user: string,
    readonly channel = 'test',
    /** The channel's clock; defaults to a fixed instant so no test depends on today's date. */
    private readonly channelClock: () => Date = () => new Date('2026-11-22T02:00:00Z'),
  ) {}

  async send(text: string, messageId = `m-${process.pid}-${++counter}`): Promise<TurnResult> {
    this.last = await this.engine.handle({
      channel: this.channel,
      tenant: this.tenant,
      userRef: this.user,
      conversationRef: `${this.channel}:${this.tenant}:${this.user}`,
      messageId,
      text,
      time: this.channelClock(),
    });
    return this.last;
  }

  /** All reply texts of the last turn, joined. */
  get text(): string {
    return (this.last?.replies ?? []).map((r) => r.text).join('\n');
  }
}
