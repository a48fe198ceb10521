// What the WeChat channel writes to the logs: never a message's text, the AppSecret or an
// access_token; OpenIDs (pseudonymous, but personal data) only at debug level.

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatAdapter } from '../../../adapters/wechat/index.ts';
import { openBot } from '../../../src/bot.ts';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/logger.ts';
import { startServer, type RunningServer } from '../../../src/server/server.ts';
import { openAssistant, tempDir } from '../../helpers/assistant.ts';
import { msgId, postPlain, readReply, sleep, slowWechat, textXml } from './client.ts';
import { FakeWechatApi } from './fake-wechat-api.ts';

const TOKEN = 'logtoken123';
const SECRET = 'app-secret-never-logged';
const OPENID = 'oPRIVATE-openid-7q3z';
const QUESTION = '你们会把我的信息提供给第三方吗？我的手机号是13812345678';

describe('WeChat logging', () => {
  const api = new FakeWechatApi();
  const lines: { level: number; text: string }[] = [];
  /** Two servers: one replies passively, one (a slow core) always through the customer-service API. */
  let server: RunningServer;
  let slowServer: RunningServer;

  beforeAll(async () => {
    await api.start();
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push({ level: (JSON.parse(line) as { level: number }).level, text: line });
        done();
      },
    });
    const config = loadConfig({
      DATA_DIR: tempDir(),
      WECHAT_TOKEN: TOKEN,
      WECHAT_APPID: 'wxlogapp',
      WECHAT_APPSECRET: SECRET,
      WECHAT_API_BASE: api.url,
      WECHAT_TENANT: 'giantkone',
      LOG_LEVEL: 'debug',
    });
    const bot = await openBot(config, createLogger('debug', stream), { assistant: await openAssistant() });
    server = await startServer(bot, [createWechatAdapter()], { port: 0, host: '127.0.0.1' });
    const slowBot = await openBot({ ...config, dataDir: tempDir() }, createLogger('debug', stream), { assistant: bot.assistant });
    slowServer = await startServer(slowBot, [slowWechat(200)], { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close();
    await slowServer?.close();
    await api.stop();
  });

  it('keeps message text, secrets and tokens out of the logs, and OpenIDs below info', async () => {
    const answered = await postPlain(`${server.url}/wechat`, TOKEN, textXml({ user: OPENID, text: QUESTION, id: msgId() }));
    expect(readReply(answered.body)).not.toBeNull();
    expect((await postPlain(`${server.url}/wechat`, TOKEN, textXml({ user: OPENID, text: QUESTION, id: msgId() }), { forged: true })).status).toBe(401);
    api.sendErrors.push(45015);
    await postPlain(`${slowServer.url}/wechat`, TOKEN, textXml({ user: OPENID, text: QUESTION, id: msgId() }));
    await postPlain(`${slowServer.url}/wechat`, TOKEN, textXml({ user: OPENID, text: QUESTION, id: msgId() }));
    const deadline = Date.now() + 10_000;
    while (api.attempts.length < 2 && Date.now() < deadline) await sleep(20);
    await sleep(100);

    expect(api.delivered.length + api.attempts.filter((a) => a.errcode === 45015).length).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.text.includes('WeChat request refused'))).toBe(true);
    expect(lines.some((l) => l.level === 20 && l.text.includes(OPENID))).toBe(true);
    for (const { level, text } of lines) {
      expect(text).not.toContain('第三方吗');
      expect(text).not.toContain('13812345678');
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('TOKEN-1');
      expect(text).not.toContain(TOKEN);
      if (level >= 30) expect(text).not.toContain(OPENID);
    }
  });
});
