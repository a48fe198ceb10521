// Composition root of the core: knowledge, storage, encryption and the conversation engine,
// opened once from the configuration and closed together.

import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { ConversationEngine } from './conversation/engine.ts';
import { PolicyAssistant } from './policy-assistant.ts';
import type { BuildProgress } from './retrieval/index-store.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import { ContactCipher } from './tickets/contact.ts';
import { codeSendersFrom, EmailCodeSender } from './tickets/code-senders.ts';
import { loadEncryptionKey } from './tickets/encryption-key.ts';

export interface Bot {
  config: Config;
  assistant: PolicyAssistant;
  store: Store;
  engine: ConversationEngine;
  logger: Logger;
  close(): Promise<void>;
}

export async function openBot(
  config: Config,
  logger: Logger,
  options: { progress?: BuildProgress; clock?: () => Date; assistant?: PolicyAssistant } = {},
): Promise<Bot> {
  const assistant = options.assistant ?? (await PolicyAssistant.open(config, { progress: options.progress }));
  const key = loadEncryptionKey(config);
  if (key.source === 'new-file') {
    logger.warn({ path: key.path }, 'created a new encryption key for contact details; back it up, or set BOT_ENCRYPTION_KEY');
  }
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
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
    clock: options.clock,
  });
  const indexed = await engine.tickets.indexContacts();
  if (indexed > 0) logger.info({ tickets: indexed }, 'gave older tickets a contact blind index');
  return {
    config,
    assistant,
    store,
    engine,
    logger,
    close: async () => {
      for (const sender of Object.values(codeSenders)) if (sender instanceof EmailCodeSender) sender.close();
      await store.close();
    },
  };
}
