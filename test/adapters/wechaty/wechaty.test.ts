// The wechaty channel end to end: the real server, a real Wechaty bot, wechaty-puppet-mock
// standing in for WeChat. Reads like a chat: a person says something, the bot answers.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { types } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { createWechatyAdapter, TEXT_ONLY_REPLY, wechatyAdapter, type WechatyChannelAdapter } from '../../../adapters/wechaty/index.ts';
import type { AdapterContext } from '../../../src/channels/channel.ts';
import { loadConfig } from '../../../src/config.ts';
import { isBotError } from '../../../src/errors.ts';
import { Metrics } from '../../../src/server/metrics.ts';
import { tempDir } from '../../helpers/assistant.ts';
import { startTestServer } from '../../helpers/server.ts';
import { describeChannelContract } from '../contract.ts';
import { MockWorld } from './mock-world.ts';

const world = new MockWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

describeChannelContract({
  name: 'wechaty',
  setup: async () => undefined,
  teardown: async () => undefined,
  async deliver({ user, text, id }) {
    world.deliver(world.person(user), text, id);
  },
  replies: (user, count, timeoutMs) => world.repliesTo(world.person(user), count, timeoutMs),
});

const MESSAGES_IN = 'privacy_bot_messages_in_total{channel="wechaty"}';
const MESSAGES_OUT = 'privacy_bot_messages_out_total{channel="wechaty"}';

describe('wechaty: one-to-one chats', () => {
  it('answers a question with the policy’s words and a compact citation', async () => {
    const alice = world.person('alice-question');
    world.deliver(alice, '你们收集哪些个人信息？');
    const [answer] = await world.repliesTo(alice, 1);
    expect(answer).toContain('个人信息');
    expect(answer).toMatch(/\[1\]/);
    expect(answer).toMatch(/依据：(《[^》]+》|\n\[1\] 《[^》]+》)/);
  });

  it('ignores the account’s own messages: no reply, no loop', async () => {
    const bob = world.person('bob-own');
    const inBefore = await world.metric(MESSAGES_IN);
    // The account owner types on the phone; wechaty reports it as a message from the bot.
    world.me.say('你们收集哪些个人信息？').to(bob);
    const seen = await world.repliesTo(bob, 2, 1500);
    expect(seen).toEqual(['你们收集哪些个人信息？']);
    expect(await world.metric(MESSAGES_IN)).toBe(inBefore);

    // A real question: the bot's reply comes back as a message event too, and is not answered.
    const outBefore = await world.metric(MESSAGES_OUT);
    world.deliver(bob, '你好');
    expect(await world.repliesTo(bob, 3, 1500)).toHaveLength(2);
    expect(await world.metric(MESSAGES_IN)).toBe(inBefore + 1);
    expect(await world.metric(MESSAGES_OUT)).toBe(outBefore + 1);
  });

  it('answers a picture with a polite text-only notice, once per message', async () => {
    const carol = world.person('carol-picture');
    const id = world.deliver(carol, '', undefined, types.Message.Image);
    world.deliver(carol, '', id, types.Message.Image);
    const replies = await world.repliesTo(carol, 2, 1500);
    expect(replies).toEqual([TEXT_ONLY_REPLY]);
    // A system notice (a recalled message) is not answered at all.
    world.deliver(carol, '', undefined, types.Message.Recalled);
    expect(await world.repliesTo(carol, 2, 800)).toEqual([TEXT_ONLY_REPLY]);
  });

  it('files a rights request answered with the numbered quick replies', async () => {
    const dave = world.person('dave-request');
    world.deliver(dave, '我要删除我的个人信息');
    const [start] = await world.repliesTo(dave, 1);
    expect(start).toMatch(/删除哪些个人信息/);
    const scope = /回复 (.+)$/.exec(start!)?.[1] ?? '';
    const all = /(\d+) 全部个人信息/.exec(scope)?.[1];
    expect(all, `a numbered "全部个人信息" option in: ${scope}`).toBeDefined();

    world.deliver(dave, all!);
    const [, contact] = await world.repliesTo(dave, 2);
    expect(contact).toMatch(/联系方式|手机|邮箱/);

    world.deliver(dave, '13812345678');
    const [, , summary] = await world.repliesTo(dave, 3);
    const confirm = /(\d+) 确认/.exec(summary!)?.[1];
    expect(confirm, `a numbered 确认 option in: ${summary}`).toBeDefined();

    world.deliver(dave, confirm!);
    const [, , , filed] = await world.repliesTo(dave, 4);
    expect(filed).toMatch(/DEL-\d{8}-\d{4}/);
  });

  it('sends later replies to a contact through send()', async () => {
    const frank = world.person('frank-send');
    await world.adapter.send!(`wechaty:contact:${frank.id}`, [
      { kind: 'handoff', text: '客服已接手您的问题。', citations: [], quickReplies: [{ label: '我的申请进度', value: '我的申请进度' }] },
    ]);
    const [sent] = await world.repliesTo(frank, 1);
    expect(sent).toBe('客服已接手您的问题。\n\n回复 1 我的申请进度');
    await expect(world.adapter.send!('slack:C1:1.2', [])).rejects.toSatisfy((e) => isBotError(e, 'invalid_input'));
    await expect(world.adapter.send!('wechaty:contact:nobody-here', [{ kind: 'info', text: 'x', citations: [], quickReplies: [] }])).rejects.toThrow();
  });
});

describe('wechaty: groups', () => {
  it('stays quiet unless @-mentioned, then answers in the group mentioning the asker', async () => {
    const grace = world.person('Grace');
    const room = world.room('privacy-room-1', [grace]);
    world.sayInRoom(grace, room, '你们收集哪些个人信息？');
    expect(await world.repliesIn(room, 1, 1000)).toEqual([]);

    world.sayInRoom(grace, room, '你们收集哪些个人信息？', { mention: true });
    const [answer] = await world.repliesIn(room, 1);
    expect(answer).toMatch(/^@Grace /);
    expect(answer).toContain('依据：');
    expect(await world.repliesTo(grace, 1, 300)).toEqual([]);
  });

  it('keeps each member’s form apart in one group', async () => {
    const heidi = world.person('Heidi');
    const ivan = world.person('Ivan');
    const room = world.room('privacy-room-2', [heidi, ivan]);
    world.sayInRoom(heidi, room, '我要删除我的个人信息', { mention: true });
    const [form] = await world.repliesIn(room, 1);
    expect(form).toMatch(/^@Heidi [\s\S]*删除哪些个人信息/);

    // Ivan's question in between is his own turn: a plain answer, no resumed form.
    world.sayInRoom(ivan, room, '你们会把我的信息提供给第三方吗？', { mention: true });
    const [, answer] = await world.repliesIn(room, 2);
    expect(answer).toMatch(/^@Ivan /);
    expect(answer).not.toMatch(/删除哪些个人信息|继续/);

    // Heidi's numbered answer still picks from the options she was offered.
    const all = /(\d+) 全部个人信息/.exec(form!)?.[1];
    expect(all).toBeDefined();
    world.sayInRoom(heidi, room, all!, { mention: true });
    const [, , next] = await world.repliesIn(room, 3);
    expect(next).toMatch(/^@Heidi [\s\S]*(联系方式|手机|邮箱)/);
  });
});

describe('wechaty: switched off and misconfigured', () => {
  it('is off without WECHATY_PUPPET, saying what to set', async () => {
    const server = await startTestServer({ env: { WECHATY_TENANT: 'giantkone' }, adapters: [wechatyAdapter] });
    try {
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { channels: string[] };
      expect(health.channels).not.toContain('wechaty');
    } finally {
      await server.close();
    }
    const created = await wechatyAdapter.create(context({}));
    expect(created).toEqual({ disabled: 'set WECHATY_PUPPET (e.g. wechaty-puppet-service with WECHATY_PUPPET_TOKEN) to enable wechaty' });
  });

  it('builds the puppet named in WECHATY_PUPPET, passing the token', async () => {
    const server = await startTestServer({ env: { WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_PUPPET_TOKEN: 'test-token', WECHATY_TENANT: 'giantkone' }, adapters: [wechatyAdapter] });
    try {
      const adapter = server.adapters.find((a) => a.name === 'wechaty') as WechatyChannelAdapter;
      await adapter.started;
      expect(adapter.bot.puppet).toBeInstanceOf(PuppetMock);
      expect((adapter.bot.puppet as PuppetMock).options.token).toBe('test-token');
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { channels: string[] };
      expect(health.channels).toContain('wechaty');
    } finally {
      await server.close();
    }
  });

  it('refuses an unknown tenant, naming the setting and the choices', async () => {
    const factory = createWechatyAdapter({ puppet: new PuppetMock({ mocker: new mock.Mocker() }) });
    await expect(async () => factory.create(context({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_TENANT: 'nope' }))).rejects.toSatisfy(
      (e) => isBotError(e, 'invalid_config') && /WECHATY_TENANT="nope".*giantkone/.test(e.message),
    );
    await expect(async () => factory.create(context({ WECHATY_PUPPET: 'wechaty-puppet-mock', BOT_DEFAULT_TENANT: 'nope' }))).rejects.toSatisfy(
      (e) => isBotError(e, 'invalid_config') && e.message.startsWith('BOT_DEFAULT_TENANT="nope"'),
    );
  });

  it('falls back to BOT_DEFAULT_TENANT', async () => {
    const factory = createWechatyAdapter({ puppet: new PuppetMock({ mocker: new mock.Mocker() }) });
    const created = await factory.create(context({ WECHATY_PUPPET: 'wechaty-puppet-mock', BOT_DEFAULT_TENANT: 'giantkone' }));
    expect(created).toMatchObject({ name: 'wechaty' });
  });
});

/** Just enough context for create(): config and tenants (nothing is started). */
function context(env: Record<string, string>): AdapterContext {
  return {
    config: loadConfig({ DATA_DIR: tempDir(), ...env }),
    tenants: ['giantkone', 'changlian'],
    logger: pino({ level: 'silent' }),
    metrics: new Metrics(),
    dispatch: () => Promise.reject(new Error('not used')),
    track: <T>(work: Promise<T>) => work,
  } as unknown as AdapterContext;
}
