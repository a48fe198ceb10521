// Several Official Accounts, one per tenant, from WECHAT_ACCOUNTS_FILE: validation of the file
// and each account answering from its own tenant's policy at /wechat/<tenant>.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAccountsFile, parseAccountsFile, resolveAccounts } from '../../../adapters/wechat/accounts.ts';
import { createWechatAdapter, wechatAdapter } from '../../../adapters/wechat/index.ts';
import type { AdapterContext } from '../../../src/channels/channel.ts';
import { loadConfig } from '../../../src/config.ts';
import { isBotError } from '../../../src/errors.ts';
import type { PolicyAssistant } from '../../../src/policy-assistant.ts';
import { openAssistant, tempDir } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { msgId, postEncrypted, postPlain, readEncryptedReply, readReply, textXml } from './client.ts';
import { OFFICIAL } from './vectors.ts';

const TENANTS = ['giantkone', 'smarthw', 'changlian', 'qiancheng'];
const AES_KEY = OFFICIAL.encodingAesKey;
const account = (over: Record<string, unknown> = {}) => ({ tenant: 'smarthw', token: 'smarthwtoken', appId: 'wxsmarthw', appSecret: 'secret-s', ...over });

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isBotError(error, 'invalid_config')) return error.message;
    throw error;
  }
  throw new Error('expected an invalid_config error');
}

describe('WECHAT_ACCOUNTS_FILE validation', () => {
  it('reads accounts, with /wechat/<tenant> as the default path and safe mode when aesKey is set', () => {
    const accounts = parseAccountsFile(
      { accounts: [account(), account({ tenant: 'changlian', token: 'cltoken', appId: 'wxchanglian', aesKey: AES_KEY, path: '/wechat/cl' })] },
      TENANTS,
    );
    expect(accounts.map((a) => [a.tenant, a.path, a.appId, a.crypto !== null])).toEqual([
      ['smarthw', '/wechat/smarthw', 'wxsmarthw', false],
      ['changlian', '/wechat/cl', 'wxchanglian', true],
    ]);
  });

  it('lists every problem at once, saying how to fix it', () => {
    const message = problemsOf(() =>
      parseAccountsFile(
        {
          accounts: [
            account({ tenant: 'nosuch' }),
            account({ token: 'x' }),
            account({ aesKey: 'short' }),
            { tenant: 'qiancheng', token: 'qctoken', appid: 'wx', appSecret: 's' },
          ],
        },
        TENANTS,
      ),
    );
    expect(message).toContain('WECHAT_ACCOUNTS_FILE is invalid');
    expect(message).toMatch(/accounts\.1\.token: the Token is 3 to 32 letters or digits/);
    expect(message).toMatch(/accounts\.2\.aesKey: the EncodingAESKey is exactly 43/);
    expect(message).toMatch(/accounts\.3\.appId/);
    expect(message).toMatch(/accounts\.3: .*appid/i);

    const semantic = problemsOf(() => parseAccountsFile({ accounts: [account({ tenant: 'nosuch' }), account(), account({ path: '/wechat' })] }, TENANTS, 'file', { paths: ['/wechat'], tenants: [] }));
    expect(semantic).toMatch(/accounts\.0\.tenant: unknown tenant "nosuch"; known tenants: giantkone, smarthw/);
    expect(semantic).toMatch(/accounts\.2\.tenant: "smarthw" has two accounts/);
    expect(semantic).toMatch(/accounts\.2\.path: \/wechat is already served/);

    expect(problemsOf(() => parseAccountsFile({ accounts: [] }, TENANTS))).toMatch(/accounts: list at least one account/);
    expect(problemsOf(() => parseAccountsFile([], TENANTS))).toMatch(/\(root\)/);
  });

  it('says so when the file is missing or not JSON', () => {
    const dir = tempDir();
    expect(problemsOf(() => loadAccountsFile(join(dir, 'missing.json'), TENANTS))).toMatch(/cannot be read: ENOENT/);
    writeFileSync(join(dir, 'bad.json'), '{ accounts: [');
    expect(problemsOf(() => loadAccountsFile(join(dir, 'bad.json'), TENANTS))).toMatch(/is not valid JSON/);
  });

  it('stays off without WECHAT_TOKEN or WECHAT_ACCOUNTS_FILE, saying what to set', async () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(resolveAccounts(config, TENANTS)).toBeNull();
    const created = await wechatAdapter.create({ config, tenants: TENANTS } as unknown as AdapterContext);
    expect(created).toEqual({
      disabled: 'set WECHAT_TOKEN (and WECHAT_APPID, WECHAT_APPSECRET for replies after 5 s, WECHAT_AES_KEY for safe mode) to enable the WeChat Official Account',
    });
  });

  it('takes the tenant from WECHAT_TENANT, else BOT_DEFAULT_TENANT, and refuses an unknown one', () => {
    const base = { DATA_DIR: tempDir(), WECHAT_TOKEN: 'sometoken' };
    expect(resolveAccounts(loadConfig({ ...base, WECHAT_TENANT: 'smarthw', BOT_DEFAULT_TENANT: 'giantkone' }), TENANTS)![0]!.tenant).toBe('smarthw');
    expect(resolveAccounts(loadConfig({ ...base, BOT_DEFAULT_TENANT: 'qiancheng' }), TENANTS)![0]).toMatchObject({ tenant: 'qiancheng', path: '/wechat', crypto: null });
    expect(problemsOf(() => resolveAccounts(loadConfig({ ...base, WECHAT_TENANT: 'nosuch' }), TENANTS))).toMatch(/WECHAT_TENANT: unknown tenant "nosuch"/);
    expect(problemsOf(() => resolveAccounts(loadConfig(base), TENANTS))).toMatch(/WECHAT_TENANT: name the tenant/);
  });

  it('refuses a file account for the tenant the environment’s account already serves', () => {
    const dir = tempDir();
    const file = join(dir, 'accounts.json');
    writeFileSync(file, JSON.stringify({ accounts: [account({ tenant: 'giantkone' })] }));
    const config = loadConfig({ DATA_DIR: dir, WECHAT_TOKEN: 'sometoken', WECHAT_TENANT: 'giantkone', WECHAT_ACCOUNTS_FILE: file });
    expect(problemsOf(() => resolveAccounts(config, TENANTS))).toMatch(/"giantkone" has two accounts/);
  });
});

describe('several Official Accounts over HTTP', () => {
  let assistant: PolicyAssistant;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const changlian = { token: 'cltoken', encodingAesKey: AES_KEY, appId: 'wxchanglian' };

  beforeAll(async () => {
    assistant = await openAssistant();
    const dir = tempDir();
    const file = join(dir, 'wechat-accounts.json');
    writeFileSync(
      file,
      JSON.stringify({
        accounts: [account(), { tenant: 'changlian', token: changlian.token, appId: changlian.appId, appSecret: 'secret-c', aesKey: AES_KEY, path: '/wechat/cl' }],
      }),
    );
    server = await startTestServer({
      env: { WECHAT_TOKEN: 'gktoken', WECHAT_TENANT: 'giantkone', WECHAT_ACCOUNTS_FILE: file, WECHAT_API_BASE: 'http://127.0.0.1:9' },
      assistant,
      adapters: [createWechatAdapter()],
    });
  });
  afterAll(() => server?.close());

  const ask = async (path: string, token: string, text: string) => {
    const response = await postPlain(`${server.url}${path}`, token, textXml({ user: `o-${path.replaceAll('/', '')}-${msgId()}`, text, id: msgId() }));
    return { status: response.status, content: response.status === 200 ? (readReply(response.body)?.Content ?? '') : '' };
  };

  it('answers each account from its own tenant’s policy', async () => {
    const giantkone = await ask('/wechat', 'gktoken', '你们会把我的信息提供给第三方吗？');
    expect(giantkone.content).toMatch(/依据：《(隐私政策|巨人通力个人信息处理规则)》/);

    const smarthw = await ask('/wechat/smarthw', 'smarthwtoken', '你们会把我的信息提供给第三方吗？');
    expect(smarthw.status).toBe(200);
    // Answers start with the quotes; the citation names the tenant's policy.
    expect(smarthw.content).toMatch(/依据：《用户协议&隐私政策》/);
    expect(smarthw.content).not.toContain('巨人通力');

    const english = await ask('/wechat/smarthw', 'smarthwtoken', 'Do you share my personal data with third parties?');
    expect(english.content).toMatch(/^Source: "User Agreement & Privacy Policy"/m);
  });

  it('serves a safe-mode account at its own path', async () => {
    const user = `o-cl-${msgId()}`;
    const response = await postEncrypted(`${server.url}/wechat/cl`, changlian, textXml({ user, text: '你们如何使用cookie？', id: msgId() }));
    const { reply, signatureValid } = readEncryptedReply(response.body, changlian);
    expect(signatureValid).toBe(true);
    expect(reply.ToUserName).toBe(user);
    expect(reply.Content).toMatch(/依据：《昶联隐私政策》/);
  });

  it('checks each request against its own account’s token', async () => {
    expect((await ask('/wechat/smarthw', 'gktoken', '你好')).status).toBe(401);
    expect((await ask('/wechat', 'smarthwtoken', '你好')).status).toBe(401);
    expect((await ask('/wechat/changlian', 'cltoken', '你好')).status).toBe(404);
  });
});

describe('encryption modes of the accounts', () => {
  it('defaults to safe with an aesKey and plain without, takes encryptMode as given, and refuses a mode without a key', () => {
    const accounts = parseAccountsFile(
      {
        accounts: [
          account(),
          account({ tenant: 'changlian', token: 'cltoken', appId: 'wxcl', aesKey: AES_KEY }),
          account({ tenant: 'qiancheng', token: 'qctoken', appId: 'wxqc', aesKey: AES_KEY, encryptMode: 'compatible' }),
          account({ tenant: 'giantkone', token: 'gktoken', appId: 'wxgk', aesKey: AES_KEY, encryptMode: 'plain' }),
        ],
      },
      TENANTS,
    );
    expect(accounts.map((a) => [a.tenant, a.mode])).toEqual([
      ['smarthw', 'plain'],
      ['changlian', 'safe'],
      ['qiancheng', 'compatible'],
      ['giantkone', 'plain'],
    ]);
    expect(problemsOf(() => parseAccountsFile({ accounts: [account({ encryptMode: 'safe' })] }, TENANTS))).toMatch(/accounts\.0\.aesKey: safe mode needs/);
    expect(problemsOf(() => parseAccountsFile({ accounts: [account({ encryptMode: 'aes' })] }, TENANTS))).toMatch(/accounts\.0\.encryptMode/);
  });

  it('reads WECHAT_ENCRYPT_MODE for the environment’s account', () => {
    const base = { WECHAT_TOKEN: 'tok123', WECHAT_APPID: 'wxenv', WECHAT_TENANT: 'giantkone' };
    const mode = (env: Record<string, string>) => resolveAccounts(loadConfig({ ...base, ...env }), TENANTS)![0]!.mode;
    expect(mode({})).toBe('plain');
    expect(mode({ WECHAT_AES_KEY: AES_KEY })).toBe('safe');
    expect(mode({ WECHAT_AES_KEY: AES_KEY, WECHAT_ENCRYPT_MODE: 'compatible' })).toBe('compatible');
    expect(mode({ WECHAT_AES_KEY: AES_KEY, WECHAT_ENCRYPT_MODE: 'plain' })).toBe('plain');
  });
});
