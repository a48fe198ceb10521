// Support agents' accounts for the web console: a JSON file (AGENTS_FILE) of names and scrypt
// password hashes, written by `privacy-bot agents add NAME`. Passwords are never stored or
// logged; a hash is `scrypt$N$r$p$<salt b64>$<key b64>`.

import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { BotError } from '../errors.ts';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export const AGENT_NAME = /^[\p{L}\p{N}_.-]{1,40}$/u;

export const AgentsFileSchema = z.object({
  agents: z.array(
    z.object({
      name: z.string().regex(AGENT_NAME, 'agent names are 1–40 letters, digits, "_", "." or "-"'),
      passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'passwordHash must be made by `privacy-bot agents add`'),
    }),
  ),
});
export type AgentsFile = z.infer<typeof AgentsFileSchema>;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * Number(n) * Number(r) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function readAgentsFile(path: string): AgentsFile {
  if (!existsSync(path)) return { agents: [] };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new BotError('invalid_config', `AGENTS_FILE ${path} is not valid JSON.`, { cause });
  }
  const parsed = AgentsFileSchema.safeParse(json);
  if (!parsed.success) throw new BotError('invalid_config', `AGENTS_FILE ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Adds or replaces an agent's password; the file is replaced atomically (mode 0600). */
export async function addAgent(path: string, name: string, password: string): Promise<'added' | 'updated'> {
  if (!AGENT_NAME.test(name)) throw new BotError('invalid_input', 'Agent names are 1–40 letters, digits, "_", "." or "-".');
  if (password.length < 10) throw new BotError('invalid_input', 'The password must have at least 10 characters.');
  const file = readAgentsFile(path);
  const passwordHash = await hashPassword(password);
  const existing = file.agents.find((a) => a.name === name);
  if (existing) existing.passwordHash = passwordHash;
  else file.agents.push({ name, passwordHash });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  return existing ? 'updated' : 'added';
}
