// The key that seals contact details. Production sets BOT_ENCRYPTION_KEY; a fresh clone has
// none, so the first start creates a random key file readable only by its owner. Losing that
// file makes stored contacts unreadable, which is why `npm start` says where it is.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { decodeKey } from '../config.ts';
import { BotError } from '../errors.ts';

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
