// What the wechaty channel logs: the QR-code login at info, failures without the person's
// words or the puppet token, and a failing message never ends the process.

import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ScanStatus } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { createWechatyAdapter, type WechatyChannelAdapter } from '../../../adapters/wechaty/index.ts';
import type { AdapterContext } from '../../../src/channels/channel.ts';
import { loadConfig } from '../../../src/config.ts';
import type { InboundMessage, TurnResult } from '../../../src/conversation/types.ts';
import { Metrics } from '../../../src/server/metrics.ts';
import { tempDir } from '../../helpers/assistant.ts';
import { until } from './mock-world.ts';

const SECRET_TEXT = '我的手机号是13812345678';
const TOKEN = 'puppet_service_token_that_must_not_leak';

describe('wechaty: logging', () => {
  it('logs the scan at info, and failures without message text or token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const inbound: InboundMessage[] = [];
    const mocker = new mock.Mocker();
    const puppet = new PuppetMock({ mocker });
    const context = {
      config: loadConfig({ DATA_DIR: tempDir(), WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_PUPPET_TOKEN: TOKEN, WECHATY_TENANT: 'giantkone' }),
      tenants: ['giantkone'],
      logger,
      metrics: new Metrics(),
      async dispatch(message: InboundMessage): Promise<TurnResult> {
        inbound.push(message);
        if (message.text === SECRET_TEXT) throw new Error('the core broke');
        return { replies: [{ kind: 'info', text: '收到', citations: [], quickReplies: [] }], intent: 'other', duplicate: false };
      },
      track: <T>(work: Promise<T>) => work,
    } as unknown as AdapterContext;

    const adapter = (await createWechatyAdapter({ puppet }).create(context)) as WechatyChannelAdapter;
    await adapter.start!();
    await adapter.started;
    mocker.scan('https://login.weixin.qq.com/l/abc123', ScanStatus.Waiting);
    const me = mocker.createContact({ name: 'PrivacyBot' });
    mocker.login(me);
    const user = mocker.createContact({ name: 'Judy' });
    user.say(SECRET_TEXT).to(me);
    user.say('你好').to(me);
    await until(() => (inbound.length >= 2 && lines.some((l) => l.includes('wechaty message failed')) ? true : undefined), 5000);
    await adapter.stop!();

    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; status?: string; qrcodeImageUrl?: string });
    const scan = records.find((r) => r.msg.includes('scan the QR code'));
    expect(scan).toMatchObject({ level: 30, status: 'Waiting' });
    expect(scan!.qrcodeImageUrl).toContain('abc123');
    expect(records.find((r) => r.msg === 'wechaty message failed')).toMatchObject({ level: 50 });
    expect(inbound.map((m) => m.text)).toEqual([SECRET_TEXT, '你好']);
    expect(inbound[0]).toMatchObject({ channel: 'wechaty', tenant: 'giantkone', userRef: user.id, conversationRef: `wechaty:contact:${user.id}` });
    const all = lines.join('\n');
    expect(all).not.toContain('13812345678');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('你好');
  });
});
