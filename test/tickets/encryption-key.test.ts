// Several instances share one database and must share one encryption key: the database
// keeps the key's fingerprint, and an instance with another key refuses to start.

import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBot } from '../../src/bot.ts';
import { loadConfig } from '../../src/config.ts';
import { isBotError } from '../../src/errors.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { checkKeyFingerprint, keyFingerprint } from '../../src/tickets/encryption-key.ts';
import { openAssistant, tempDir } from '../helpers/assistant.ts';
import { dropPgSchemas, newPgSchema, openPgStore, postgresAvailable } from '../helpers/postgres.ts';

const available = await postgresAvailable();
let assistant: PolicyAssistant;

beforeAll(async () => {
  assistant = await openAssistant();
});
afterAll(() => dropPgSchemas());

const silent = pino({ level: 'silent' });

describe('the encryption key fingerprint', () => {
  it('is stable per key, differs between keys and reveals nothing of the key', () => {
    const key = randomBytes(32);
    expect(keyFingerprint(key)).toBe(keyFingerprint(Buffer.from(key)));
    expect(keyFingerprint(key)).not.toBe(keyFingerprint(randomBytes(32)));
    expect(keyFingerprint(key)).not.toContain(key.toString('hex').slice(0, 8));
  });

  it('lets a bot with the same key start again, and refuses one with another key, saying what to set', async () => {
    const dataDir = tempDir();
    const first = randomBytes(32).toString('base64');
    const bot = await openBot(loadConfig({ DATA_DIR: dataDir, BOT_ENCRYPTION_KEY: first }), silent, { assistant });
    await bot.close();
    const again = await openBot(loadConfig({ DATA_DIR: dataDir, BOT_ENCRYPTION_KEY: first }), silent, { assistant });
    await again.close();

    const refused = await openBot(loadConfig({ DATA_DIR: dataDir, BOT_ENCRYPTION_KEY: randomBytes(32).toString('base64') }), silent, { assistant }).catch((e: unknown) => e);
    expect(isBotError(refused, 'invalid_config')).toBe(true);
    expect((refused as Error).message).toMatch(/same BOT_ENCRYPTION_KEY/);
    expect((refused as Error).message).not.toContain(first);
  });

  it.runIf(available)('refuses a second PostgreSQL instance that made up its own key', async () => {
    const schema = newPgSchema();
    const [a, b] = [await openPgStore(schema), await openPgStore(schema)];
    try {
      const key = randomBytes(32);
      await checkKeyFingerprint(a, key);
      await checkKeyFingerprint(b, key);
      const error = await checkKeyFingerprint(b, randomBytes(32)).catch((e: unknown) => e);
      expect(isBotError(error, 'invalid_config')).toBe(true);
      expect((error as Error).message).toMatch(/every instance/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
