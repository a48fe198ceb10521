// The agent desk's payload parsing, table-driven over real payload shapes
// (test/fixtures/slack/block_actions.json, message.channels-thread.json).

import { describe, expect, it } from 'vitest';
import { isAgentChannelEvent, parseAgentMessage, parseDeskAction, parseHandbackCommand } from '../../../adapters/slack/desk-parse.ts';
import { fixture, WORKSPACE } from './fake-slack.ts';

// Payloads are edited field by field; `any` keeps that readable in tests.
type Json = Record<string, any>;
const AGENTS = 'C024BE91L';
const CARD_TS = '1355517524.000100';

function deskPress(actionId: string, changes: Json = {}): Json {
  const body = fixture<Json>('block_actions.json');
  body.container = { type: 'message', message_ts: CARD_TS, channel_id: AGENTS, is_ephemeral: false };
  body.channel = { id: AGENTS, name: 'privacy-agents' };
  body.message = { ...body.message, ts: CARD_TS, thread_ts: undefined };
  body.actions = [{ action_id: actionId, block_id: 'desk', text: { type: 'plain_text', text: 'Take over' }, value: 'hof-123', type: 'button', action_ts: '1355517530.123456' }];
  return { ...body, ...changes };
}

describe('parseDeskAction', () => {
  it('reads a Take over press on the card', () => {
    expect(parseDeskAction(deskPress('handoff_take'))).toEqual({
      action: 'take',
      handoffId: 'hof-123',
      actor: { userId: WORKSPACE.userId, name: 'spengler' },
      channel: AGENTS,
      messageTs: CARD_TS,
      threadTs: CARD_TS,
      actionTs: '1355517530.123456',
    });
  });

  it('reads Close and Hand back, and a press in the thread belongs to the card', () => {
    expect(parseDeskAction(deskPress('handoff_close'))?.action).toBe('close');
    const inThread = deskPress('handoff_hand_back');
    inThread.message = { ...inThread.message, ts: '1355517540.000300', thread_ts: CARD_TS };
    inThread.container = { ...inThread.container, message_ts: '1355517540.000300', thread_ts: CARD_TS };
    expect(parseDeskAction(inThread)).toMatchObject({ action: 'handBack', messageTs: '1355517540.000300', threadTs: CARD_TS });
  });

  it.each([
    ['a quick-reply button of a user chat', (b: Json) => (b.actions[0].action_id = 'quick_reply_0')],
    ['an unknown desk action', (b: Json) => (b.actions[0].action_id = 'handoff_delete')],
    ['a press without a handoff id', (b: Json) => delete b.actions[0].value],
    ['a select menu instead of a button', (b: Json) => (b.actions[0].type = 'static_select')],
    ['a user id that is no Slack id', (b: Json) => (b.user.id = 'u-1; drop')],
    ['no channel at all', (b: Json) => (delete b.container.channel_id, delete b.channel)],
  ])('skips %s', (_name, change) => {
    const body = deskPress('handoff_take');
    change(body);
    expect(parseDeskAction(body)).toBeNull();
  });
});

function reply(changes: Json = {}): Json {
  const body = fixture<Json>('message.channels-thread.json');
  body.event = { ...body.event, ...changes };
  return body;
}

describe('parseAgentMessage', () => {
  const options = { agentChannel: AGENTS, botUserId: WORKSPACE.botUserId };

  it('reads a person’s reply in a card’s thread, keyed by channel and ts', () => {
    expect(parseAgentMessage(reply(), options)).toEqual({
      ok: true,
      message: {
        actor: { userId: WORKSPACE.userId, name: null },
        channel: AGENTS,
        threadTs: CARD_TS,
        ts: '1355517600.000200',
        messageId: `${AGENTS}:1355517600.000200`,
        text: '您好，我是客服，请问有什么可以帮您？',
      },
    });
  });

  it('decodes Slack’s markup (an email as a mailto link, the bot’s mention)', () => {
    const parsed = parseAgentMessage(reply({ text: `<@${WORKSPACE.botUserId}> 请发到 <mailto:help@example.com|help@example.com> &amp; 稍等` }), options);
    expect(parsed.ok && parsed.message.text).toBe('请发到 help@example.com & 稍等');
  });

  it('takes a reply also sent to the channel (thread_broadcast)', () => {
    expect(parseAgentMessage(reply({ subtype: 'thread_broadcast' }), options).ok).toBe(true);
  });

  it.each([
    ['a top-level message in the agent channel', { thread_ts: undefined }, 'not_a_reply'],
    ['the card itself (thread_ts = ts)', { thread_ts: '1355517600.000200' }, 'not_a_reply'],
    ['the bot’s own post in the thread', { bot_id: WORKSPACE.botId, user: WORKSPACE.botUserId }, 'from_bot'],
    ['a post by the bot user without bot_id', { user: WORKSPACE.botUserId }, 'from_bot'],
    ['an edit', { subtype: 'message_changed' }, 'subtype'],
    ['a message in another channel', { channel: 'C0OTHER001' }, 'other_channel'],
    ['an empty message', { text: '   ' }, 'empty'],
    ['a bad ts', { ts: 'now' }, 'malformed'],
  ])('skips %s', (_name, changes, reason) => {
    expect(parseAgentMessage(reply(changes), options)).toEqual({ ok: false, reason });
  });

  it('tells agent-channel events from user DMs', () => {
    expect(isAgentChannelEvent(reply(), AGENTS)).toBe(true);
    expect(isAgentChannelEvent(fixture('message.im.json'), AGENTS)).toBe(false);
    expect(isAgentChannelEvent(fixture('app_mention.json'), AGENTS)).toBe(false);
    expect(isAgentChannelEvent(fixture('block_actions.json'), AGENTS)).toBe(false);
    expect(isAgentChannelEvent(null, AGENTS)).toBe(false);
  });
});

describe('parseHandbackCommand', () => {
  it.each([
    ['handback', { note: null, resumeForm: true }],
    ['Handback: 已经核实完毕', { note: '已经核实完毕', resumeForm: true }],
    ['hand back：请继续填写表单', { note: '请继续填写表单', resumeForm: true }],
    ['handback cancel', { note: null, resumeForm: false }],
    ['handback cancel: 申请已由我们代为提交', { note: '申请已由我们代为提交', resumeForm: false }],
    ['交还', { note: null, resumeForm: true }],
    ['交还：稍后会有邮件', { note: '稍后会有邮件', resumeForm: true }],
    ['交还 取消', { note: null, resumeForm: false }],
    ['  handback:  \n note on two\nlines ', { note: 'note on two\nlines', resumeForm: true }],
  ])('%j is a hand-back', (text, expected) => {
    expect(parseHandbackCommand(text)).toEqual(expected);
  });

  it.each(['我稍后 handback', 'handbacks', 'handback please', '交还给你了吗？', '', 'hand'])('%j is a message for the user', (text) => {
    expect(parseHandbackCommand(text)).toBeNull();
  });
});
