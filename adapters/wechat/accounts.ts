// Which Official Accounts this server answers for, and where.
//
// One account comes from the environment (WECHAT_TOKEN, WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_AES_KEY, WECHAT_TENANT) and is served at /wechat. More accounts, one per tenant, come
// from the JSON file named by WECHAT_ACCOUNTS_FILE:
//
//   {
//     "accounts": [
//       {
//         "tenant": "giantkone",          // a tenant id from knowledge/manifest.json
//         "token": "...",                 // Token (令牌) of the account's server configuration (服务器配置), 3-32 letters/digits
//         "appId": "wx...",               // AppID (开发者ID) of the account's basic configuration (基本配置)
//         "appSecret": "...",             // AppSecret, for the customer-service API (answers slower than 4.5 s)
//         "aesKey": "...",                // optional: the 43-character EncodingAESKey, for safe (安全) and compatible (兼容) mode
//         "encryptMode": "safe",          // optional: plain, compatible or safe; default safe with aesKey, else plain
//         "path": "/wechat/giantkone"     // optional: the URL path; defaults to /wechat/<tenant>
//       }
//     ]
//   }
//
// The file is validated once at start-up; every problem is listed at once. See README.md.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../../src/config.ts';
import { BotError } from '../../src/errors.ts';
import { WechatCrypto } from './crypto.ts';

export const DEFAULT_PATH = '/wechat';

/**
 * The message encryption mode (消息加解密方式) of an account. In compatible and safe mode every
 * POST must carry msg_signature over its <Encrypt>: the URL `signature` alone covers no body.
 */
export const ENCRYPT_MODES = ['plain', 'compatible', 'safe'] as const;
export type EncryptMode = (typeof ENCRYPT_MODES)[number];

export interface WechatAccount {
  tenant: string;
  /** The URL path WeChat posts to; unique per account. */
  path: string;
  token: string;
  appId: string | null;
  appSecret: string | null;
  /** Set when the account has an EncodingAESKey (safe or compatible mode). */
  crypto: WechatCrypto | null;
  mode: EncryptMode;
}

/** The configured mode, else safe when there is a key and plain when there is none. */
function modeOf(configured: EncryptMode | null | undefined, aesKey: string | null | undefined): EncryptMode {
  return configured ?? (aesKey ? 'safe' : 'plain');
}

const Token = z
  .string()
  .regex(/^[A-Za-z0-9]{3,32}$/, 'the Token is 3 to 32 letters or digits, as set in the server configuration (服务器配置)');

const AccountSchema = z.strictObject({
  tenant: z.string().min(1, 'name the tenant (an id from knowledge/manifest.json)'),
  token: Token,
  appId: z.string().regex(/^\S{1,64}$/, 'copy the AppID (wx...) from the basic configuration (基本配置)'),
  appSecret: z.string().regex(/^\S{1,128}$/, 'copy the AppSecret from the basic configuration (基本配置)'),
  aesKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'the EncodingAESKey is exactly 43 letters or digits; copy it from the server configuration, or leave it out for plain mode')
    .optional(),
  encryptMode: z.enum(ENCRYPT_MODES, 'encryptMode is plain, compatible or safe, as chosen in the server configuration (消息加解密方式)').optional(),
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._~\-/]{1,200}$/, 'a URL path such as /wechat/giantkone (letters, digits, - _ . ~ /)')
    .optional(),
});

export const AccountsFileSchema = z.strictObject({
  accounts: z.array(AccountSchema).min(1, 'list at least one account'),
});
export type AccountsFile = z.infer<typeof AccountsFileSchema>;

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

function invalid(source: string, problems: string[]): BotError {
  return new BotError('invalid_config', `${source} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/**
 * Validates the parsed accounts file: shape, known tenants, one account per tenant, one
 * account per path. `taken` are the paths and tenants of the environment's account.
 */
export function parseAccountsFile(
  data: unknown,
  tenants: readonly string[],
  source = 'WECHAT_ACCOUNTS_FILE',
  taken: { paths: readonly string[]; tenants: readonly string[] } = { paths: [], tenants: [] },
): WechatAccount[] {
  const parsed = AccountsFileSchema.safeParse(data);
  if (!parsed.success) throw invalid(source, problemsOf(parsed.error));
  const problems: string[] = [];
  const seenTenants = new Set<string>(taken.tenants);
  const seenPaths = new Set<string>(taken.paths);
  parsed.data.accounts.forEach((account, i) => {
    if (!tenants.includes(account.tenant)) {
      problems.push(`accounts.${i}.tenant: unknown tenant "${account.tenant}"; known tenants: ${tenants.join(', ')}`);
    }
    if (seenTenants.has(account.tenant)) problems.push(`accounts.${i}.tenant: "${account.tenant}" has two accounts (here or in WECHAT_TENANT); list one account per tenant, so a conversation reference names one account`);
    seenTenants.add(account.tenant);
    if (account.encryptMode && account.encryptMode !== 'plain' && !account.aesKey) {
      problems.push(`accounts.${i}.aesKey: ${account.encryptMode} mode needs the account's EncodingAESKey`);
    }
    const path = account.path ?? `${DEFAULT_PATH}/${account.tenant}`;
    if (seenPaths.has(path)) problems.push(`accounts.${i}.path: ${path} is already served by another account; give this one its own "path"`);
    seenPaths.add(path);
  });
  if (problems.length > 0) throw invalid(source, problems);
  return parsed.data.accounts.map((account) => ({
    tenant: account.tenant,
    path: account.path ?? `${DEFAULT_PATH}/${account.tenant}`,
    token: account.token,
    appId: account.appId,
    appSecret: account.appSecret,
    crypto: account.aesKey ? new WechatCrypto({ token: account.token, encodingAesKey: account.aesKey, appId: account.appId }) : null,
    mode: modeOf(account.encryptMode, account.aesKey),
  }));
}

/** Reads and validates WECHAT_ACCOUNTS_FILE; throws a BotError('invalid_config') listing every problem. */
export function loadAccountsFile(
  file: string,
  tenants: readonly string[],
  taken: { paths: readonly string[]; tenants: readonly string[] } = { paths: [], tenants: [] },
): WechatAccount[] {
  const source = `WECHAT_ACCOUNTS_FILE (${file})`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new BotError('invalid_config', `${source} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? 'error'}. Check the path, or unset WECHAT_ACCOUNTS_FILE.`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new BotError('invalid_config', `${source} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseAccountsFile(data, tenants, source, taken);
}

export const DISABLED_HINT =
  'set WECHAT_TOKEN (and WECHAT_APPID, WECHAT_APPSECRET for replies after 5 s, WECHAT_AES_KEY for safe mode) to enable the WeChat Official Account';

/**
 * Every account to serve: the environment's (at /wechat) and the file's. Returns null when
 * neither is configured (the channel stays off); throws a BotError('invalid_config') listing
 * what is wrong otherwise.
 */
export function resolveAccounts(config: Config, tenants: readonly string[]): WechatAccount[] | null {
  const { wechat } = config;
  if (!wechat.token && !wechat.accountsFile) return null;
  const accounts: WechatAccount[] = [];
  if (wechat.token) {
    const tenant = wechat.tenant ?? config.server.defaultTenant ?? (tenants.length === 1 ? tenants[0]! : null);
    const problems: string[] = [];
    if (tenant === null) problems.push(`WECHAT_TENANT: name the tenant this account answers for (one of ${tenants.join(', ')}), or set BOT_DEFAULT_TENANT`);
    else if (!tenants.includes(tenant)) problems.push(`${wechat.tenant ? 'WECHAT_TENANT' : 'BOT_DEFAULT_TENANT'}: unknown tenant "${tenant}"; known tenants: ${tenants.join(', ')}`);
    if (wechat.aesKey && !wechat.appId) problems.push('WECHAT_APPID: safe mode (WECHAT_AES_KEY) needs the AppID');
    if (problems.length > 0 || tenant === null) throw invalid('The WeChat configuration', problems);
    accounts.push({
      tenant,
      path: DEFAULT_PATH,
      token: wechat.token,
      appId: wechat.appId,
      appSecret: wechat.appSecret,
      crypto: wechat.aesKey && wechat.appId ? new WechatCrypto({ token: wechat.token, encodingAesKey: wechat.aesKey, appId: wechat.appId }) : null,
      mode: modeOf(wechat.encryptMode, wechat.aesKey),
    });
  }
  if (wechat.accountsFile) {
    accounts.push(...loadAccountsFile(wechat.accountsFile, tenants, { paths: accounts.map((a) => a.path), tenants: accounts.map((a) => a.tenant) }));
  }
  return accounts;
}
