// The key that seals contact details. Production sets BOT_ENCRYPTION_KEY; a fresh clone has
// none, so the first start creates a random key file readable only by its owner. Losing that
// file makes stored contacts unreadable, which is why `npm start` says where it is.

import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { decodeKey } from '../config.ts';
import { BotError } from '../errors.ts';
import type { Store } from '../store/store.ts';

export const KEY_FILE = 'secret.key';

export function loadEncryptionKey(config: Pick<Config, 'dataDir' | 'encryptionKey'>): { key: Buffer; source: 'config' | 'file' | 'new-file'; path?: string } {
  if (config.encryptionKey) return { key: config.encryptionKey, source: 'config' };
  const path = join(config.dataDir, KEY_FILE);
  if (existsSync(path)) {
    const key = decodeKey(readFileSync(path, 'utf8'));
    if (!key) throw new BotError('invalid_config', `${path} does not hold a 32-byte key; restore it from a backup or set BOT_ENCRYPTION_KEY.`);
    return { key, source: 'file', path };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process started at the same moment and wrote its key first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadEncryptionKey(config);
    throw error;
  }
  chmodSync(path, 0o600);
  return { key, source: 'new-file', path };
}

const FINGERPRINT_SETTING = 'encryption_key_fingerprint';

/** Names a key without revealing it: an HMAC of a constant under the key. */
export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('privacy-bot encryption key fingerprint v1').digest('hex').slice(0, 32);
}

/**
 * Records the key's fingerprint in the database on first use, and refuses another key later:
 * contacts sealed by one instance must open on every other one.
 */
export async function checkKeyFingerprint(store: Store, key: Buffer): Promise<void> {
  const mine = keyFingerprint(key);
  const stored = await store.adoptSetting(FINGERPRINT_SETTING, mine);
  if (stored === mine) return;
  throw new BotError(
    'invalid_config',
    `This instance's encryption key (fingerprint ${mine.slice(0, 8)}) is not the one the database was first used with (fingerprint ${stored.slice(0, 8)}), ` +
      'so it could not read the contacts other instances stored. Set the same BOT_ENCRYPTION_KEY on every instance that shares the database ' +
      '(copy the value, or the first instance\'s DATA_DIR/secret.key, into BOT_ENCRYPTION_KEY), then start again.',
  );
}
