// PostgreSQL for tests that need the real thing beside SQLite: one throwaway schema per call,
// dropped by dropPgSchemas(). Like the store contract suite, the tests are skipped with a
// notice when no server answers, except under CI=true.

import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres-store.ts';

export const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `privacy_bot_t_${process.pid}_${Date.now().toString(36)}`;
const schemas = new Set<string>();
let count = 0;

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** null when a server answers, else why not. */
export async function probePostgres(): Promise<string | null> {
  try {
    await withClient((c) => c.query('SELECT 1'));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  }
}

/** Whether PostgreSQL tests run; throws under CI=true when no server answers. */
export async function postgresAvailable(): Promise<boolean> {
  const problem = await probePostgres();
  if (problem && process.env.CI === 'true') throw new Error(`PostgreSQL tests need a server at ${PG_URL} in CI: ${problem}`);
  if (problem) console.warn(`PostgreSQL tests skipped: ${problem}`);
  return problem === null;
}

/** A fresh schema name; every store opened on it shares its tables (like instances share a database). */
export function newPgSchema(): string {
  const schema = `${RUN}_${++count}`;
  schemas.add(schema);
  return schema;
}

export function openPgStore(schema: string): Promise<PostgresStore> {
  return PostgresStore.open({ databaseUrl: PG_URL, schema });
}

/** Runs SQL in `schema` over a direct connection, bypassing the store. */
export function rawPg(schema: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return withClient(async (c) => {
    await c.query(`SET search_path TO "${schema}"`);
    return (await c.query(sql, params)).rows as Record<string, unknown>[];
  });
}

/** Drops one schema (CASCADE drops tables without firing row triggers, so append-only logs go too). */
export async function dropPgSchema(schema: string): Promise<void> {
  await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  schemas.delete(schema);
}

export async function dropPgSchemas(): Promise<void> {
  for (const schema of [...schemas]) await dropPgSchema(schema);
}
