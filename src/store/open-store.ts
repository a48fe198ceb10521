// Picks the backend: PostgreSQL when a DATABASE_URL is configured (several instances can then
// share one database), otherwise the embedded SQLite file in the data directory.
//
// The backends are imported lazily so that a PostgreSQL deployment never loads the native
// SQLite module, and an SQLite one never loads pg.

import { BotError } from '../errors.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  dataDir: string;
  /** postgres:// or postgresql:// URL; empty or absent means SQLite. */
  databaseUrl?: string | null;
  /** PostgreSQL schema for the tables (default "public"). */
  pgSchema?: string;
}

/** Opens the configured store; failures are BotErrors ('storage_failed', 'invalid_config') saying what to check. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const databaseUrl = options.databaseUrl?.trim();
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
      // Never echo the value: it may hold a password.
      throw new BotError('invalid_config', 'DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset to use SQLite).');
    }
    const { PostgresStore } = await import('./postgres-store.ts');
    return PostgresStore.open({ databaseUrl, ...(options.pgSchema !== undefined && { schema: options.pgSchema }) });
  }
  const { SqliteStore } = await import('./sqlite-store.ts');
  return SqliteStore.open({ dataDir: options.dataDir });
}
