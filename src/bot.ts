// Composition root of the core: knowledge, storage, encryption and the conversation engine,
// opened once from the configuration and closed together.

import { hkdfSync } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { ConversationEngine } from './conversation/engine.ts';
import { PolicyAssistant } from './policy-assistant.ts';
import type { BuildProgress } from './retrieval/index-store.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import { ContactCipher } from './tickets/contact.ts';
import { codeSendersFrom, EmailCodeSender } from './tickets/code-senders.ts';
import { checkKeyFingerprint, loadEncryptionKey } from './tickets/encryption-key.ts';

export interface Bot {
  config: Config;
  /** The knowledge in use now (replaced by `reload`). */
  readonly assistant: PolicyAssistant;
  store: Store;
  engine: ConversationEngine;
  logger: Logger;
  /**
   * Loads the knowledge directory again (building the index when it changed) and swaps it in
   * atomically; true when something changed. A knowledge directory that fails to load is
   * logged and the current knowledge stays. Optional so stand-in bots need not implement it.
   */
  reload?(): Promise<boolean>;
  /** Called after each reload that changed the knowledge. */
  onReload?(listener: (assistant: PolicyAssistant) => void): void;
  /** A 32-byte key for `purpose` (e.g. signing web sessions), derived from the encryption key: the same on every instance. */
  deriveKey(purpose: string): Buffer;
  close(): Promise<void>;
}

export async function openBot(
  config: Config,
  logger: Logger,
  options: { progress?: BuildProgress; clock?: () => Date; assistant?: PolicyAssistant; serving?: boolean } = {},
): Promise<Bot> {
  // A server starts on the previous index when the knowledge changed, and rebuilds it in the background.
  const assistant =
    options.assistant ??
    (options.serving ? await PolicyAssistant.openServing(config, { logger }) : await PolicyAssistant.open(config, { progress: options.progress, logger }));
  const key = loadEncryptionKey(config);
  if (key.source === 'new-file') {
    logger.warn({ path: key.path }, 'created a new encryption key for contact details; back it up, or set BOT_ENCRYPTION_KEY');
  }
  if (config.databaseUrl && key.source !== 'config') {
    logger.warn('DATABASE_URL is set but BOT_ENCRYPTION_KEY is not: every instance sharing the database needs the same key, so set BOT_ENCRYPTION_KEY');
  }
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await checkKeyFingerprint(store, key.key);
  } catch (error) {
    await store.close();
    throw error;
  }
  const codeSenders = codeSendersFrom(config.verification);
  for (const kind of ['email', 'mobile'] as const) {
    if (!codeSenders[kind]) logger.info({ contact: kind }, `no ${kind === 'email' ? 'SMTP_URL/MAIL_FROM' : 'SMS_WEBHOOK_URL'}: requesters with this kind of contact are verified by an agent`);
  }
  const engine = new ConversationEngine({
    assistant,
    store,
    cipher: new ContactCipher(key.key),
    logger,
    transcriptRetentionDays: config.transcriptRetentionDays,
    ticketRetentionDays: config.ticketRetentionDays,
    codeSenders,
    maxOpenTicketsPerRequester: config.maxOpenTicketsPerRequester,
    clock: options.clock,
    handoffTakeTimeoutMinutes: config.handoff.takeTimeoutMinutes,
  });
  const indexed = await engine.tickets.indexContacts();
  if (indexed > 0) logger.info({ tickets: indexed }, 'gave older tickets a contact blind index');
  const listeners: ((assistant: PolicyAssistant) => void)[] = [];
  let reloading: Promise<boolean> = Promise.resolve(false);
  const reloadNow = async (): Promise<boolean> => {
    try {
      const next = await PolicyAssistant.open(config, { logger, modelOutcomes: engine.assistant.modelOutcomes });
      if (next.index.hash === engine.assistant.index.hash && next.kb.contentHash === engine.assistant.kb.contentHash) return false;
      engine.useAssistant(next);
      logger.info({ index: next.index.hash, tenants: next.kb.tenants.length, policies: next.kb.policies.length }, 'knowledge reloaded');
      for (const listener of listeners) listener(next);
      return true;
    } catch (err) {
      logger.error({ err }, 'knowledge reload failed; keeping the current knowledge');
      return false;
    }
  };
  return {
    config,
    get assistant() {
      return engine.assistant;
    },
    store,
    engine,
    logger,
    // One reload at a time: a burst of changes never builds two indexes at once.
    reload: () => (reloading = reloading.then(reloadNow, reloadNow)),
    onReload: (listener) => void listeners.push(listener),
    deriveKey: (purpose) => Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), `privacy-bot ${purpose}`, 32)),
    close: async () => {
      for (const sender of Object.values(codeSenders)) if (sender instanceof EmailCodeSender) sender.close();
      await store.close();
    },
  };
}
