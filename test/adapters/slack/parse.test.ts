import { describe, expect, it } from 'vitest';
import {
  decodeSlackText,
  parseBlockAction,
  parseConversationRef,
  parseEventCallback,
  parseRequestBody,
  toConversationRef,
} from '../../../adapters/slack/parse.ts';
import { fixture, WORKSPACE } from './fake-slack.ts';

// Fixtures are edited field by field in place; `any` keeps that readable in tests.
type Json = Record<string, any>;
const TENANT = 'giantkone';
const BOT = WORKSPACE.botUserId;

/** A fixture with its `event` changed. */
function withEvent(name: string, changes: Json): Json {
  const body = fixture<Json>(name);
  body.event = { ...body.event, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete body.event[key];
  return body;
}

describe('parseEventCallback', () => {
  it('turns a direct message into an inbound message answered in its own thread', () => {
    expect(parseEventCallback(fixture('message.im.json'), { tenant: TENANT, botUserId: BOT })).toEqual({
      ok: true,
      turn: {
        thread: { channel: 'D024BE91L', threadTs: '1355517523.000005' },
        message: {
          channel: 'slack',
          tenant: TENANT,
          userRef: 'T061EG9R6:U061F7AUR',
          conversationRef: 'slack:D024BE91L',
          messageId: '5b4d5d38-8b04-4f7b-a0b0-1c3c0a6e6b1a',
          text: '你们收集哪些个人信息？',
          time: new Date(1355517523000),
        },
      },
    });
  });

  it('turns a mention into a message without the mention', () => {
    const parsed = parseEventCallback(fixture('app_mention.json'), { tenant: TENANT, botUserId: BOT });
    expect(parsed).toMatchObject({
      ok: true,
      turn: {
        thread: { channel: 'C0LAN2Q65', threadTs: '1515449522.000016' },
        message: { userRef: 'T061EG9R6:U061F7AUR', conversationRef: 'slack:C0LAN2Q65:1515449522.000016', text: '你们收集哪些个人信息？' },
      },
    });
  });

  it.each([
    ['a reply in a thread stays in that thread', 'message.im.json', { thread_ts: '1355517500.000001', ts: '1355517600.000002' }, { conversationRef: 'slack:D024BE91L' }],
    ['no client_msg_id: the id is channel + ts', 'message.im.json', { client_msg_id: undefined }, { messageId: 'D024BE91L:1355517523.000005' }],
    ['the bot id comes from authorizations before auth.test answers', 'app_mention.json', {}, { text: '你们收集哪些个人信息？' }, null],
    ['a mention inside the text', 'app_mention.json', { text: '请问 <@U0LAN0Z89> 你们收集哪些个人信息？' }, { text: '请问 你们收集哪些个人信息？' }],
    ['another user mentioned keeps a readable name', 'app_mention.json', { text: '<@U0LAN0Z89> 和 <@U0G9QF9C6|alice> 说' }, { text: '和 @alice 说' }],
    ['an email arrives as a mailto link', 'message.im.json', { text: '<mailto:alice@example.com|alice@example.com>' }, { text: 'alice@example.com' }],
    ['escaped characters are unescaped', 'message.im.json', { text: 'A &amp; B &lt;3 &gt; C' }, { text: 'A & B <3 > C' }],
    ['a user in another team keeps the event team', 'message.im.json', { team: 'T0EXTERN1' }, { userRef: 'T0EXTERN1:U061F7AUR' }],
    ['no team on the event: the envelope team', 'message.im.json', { team: undefined }, { userRef: 'T061EG9R6:U061F7AUR' }],
  ] as [string, string, Json, Json, null?][])('%s', (_name, file, changes, expected, botUserId) => {
    const parsed = parseEventCallback(withEvent(file, changes), { tenant: TENANT, botUserId: botUserId === null ? undefined : BOT });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.turn.message).toMatchObject(expected);
  });

  it('strips a leading mention when the bot id is not known at all', () => {
    const body = withEvent('app_mention.json', {});
    delete body.authorizations;
    const parsed = parseEventCallback(body, { tenant: TENANT });
    expect(parsed.ok && parsed.turn.message.text).toBe('你们收集哪些个人信息？');
  });

  it.each([
    ['our own reply (bot_id)', fixture('message-bot.json'), 'from_bot'],
    ['an edit', fixture('message-changed.json'), 'subtype'],
    ['a message in a channel (only mentions count there)', withEvent('message.im.json', { channel: 'C0LAN2Q65', channel_type: 'channel' }), 'not_direct'],
    ['a mention inside a DM (the message.im copy is taken)', withEvent('app_mention.json', { channel: 'D024BE91L' }), 'dm_mention'],
    ['a message from the bot user without bot_id', withEvent('message.im.json', { user: BOT }), 'from_bot'],
    ['a message with no user', withEvent('message.im.json', { user: undefined }), 'from_bot'],
    ['another bot mentioning us', withEvent('app_mention.json', { bot_id: 'B0OTHER01' }), 'from_bot'],
    ['a file share', withEvent('message.im.json', { subtype: 'file_share' }), 'subtype'],
    ['an event we do not handle', withEvent('message.im.json', { type: 'reaction_added' }), 'unsupported_event'],
    ['a channel id with a colon', withEvent('message.im.json', { channel: 'D02:4BE91L' }), 'malformed'],
    ['a ts that is not a ts', withEvent('message.im.json', { ts: 'yesterday' }), 'malformed'],
    ['text that is not a string', withEvent('message.im.json', { text: 42 }), 'malformed'],
    ['an envelope without event', { type: 'event_callback', team_id: 'T061EG9R6', event_id: 'Ev1' }, 'malformed'],
    ['not an envelope', 'hello', 'malformed'],
  ])('skips %s', (_name, body, reason) => {
    expect(parseEventCallback(body, { tenant: TENANT, botUserId: BOT })).toEqual({ ok: false, reason });
  });

  it('gives a DM and its mention copy the same message id', () => {
    const dm = parseEventCallback(withEvent('message.im.json', { text: '<@U0LAN0Z89> 你好' }), { tenant: TENANT, botUserId: BOT });
    const mention = withEvent('app_mention.json', { channel: 'C0LAN2Q65', ts: '1355517523.000005', client_msg_id: '5b4d5d38-8b04-4f7b-a0b0-1c3c0a6e6b1a' });
    const asMention = parseEventCallback(mention, { tenant: TENANT, botUserId: BOT });
    expect(dm.ok && asMention.ok && dm.turn.message.messageId === asMention.turn.message.messageId).toBe(true);
    expect(dm.ok && dm.turn.message.text).toBe('你好');
  });
});

describe('parseBlockAction', () => {
  it('turns a quick-reply press into the button value sent in the thread', () => {
    expect(parseBlockAction(fixture('block_actions.json'), { tenant: TENANT })).toEqual({
      ok: true,
      turn: {
        thread: { channel: 'D024BE91L', threadTs: '1355517523.000005' },
        message: {
          channel: 'slack',
          tenant: TENANT,
          userRef: 'T061EG9R6:U061F7AUR',
          conversationRef: 'slack:D024BE91L',
          messageId: 'D024BE91L:1355517530.123456:quick_reply_0',
          text: '确认',
          time: new Date(1355517530123),
        },
      },
    });
  });

  it('uses the message itself as the thread when it is not in one', () => {
    const body = fixture<Json>('block_actions.json');
    delete body.container.thread_ts;
    delete body.message.thread_ts;
    const parsed = parseBlockAction(body, { tenant: TENANT });
    expect(parsed.ok && parsed.turn.message.conversationRef).toBe('slack:D024BE91L');
  });

  it.each([
    ['a button that is not ours', (b: Json) => (b.actions[0].action_id = 'approve_request'), 'unsupported_action'],
    ['a select menu', (b: Json) => (b.actions[0].type = 'static_select'), 'unsupported_action'],
    ['a button without value', (b: Json) => delete b.actions[0].value, 'unsupported_action'],
    ['no actions', (b: Json) => (b.actions = []), 'malformed'],
    ['no channel anywhere', (b: Json) => { delete b.container.channel_id; delete b.channel; }, 'malformed'],
    ['no user', (b: Json) => delete b.user, 'malformed'],
  ])('skips %s', (_name, change, reason) => {
    const body = fixture<Json>('block_actions.json');
    change(body);
    expect(parseBlockAction(body, { tenant: TENANT })).toEqual({ ok: false, reason });
  });
});

describe('parseRequestBody', () => {
  it('reads JSON events and form-encoded interactivity payloads', () => {
    const event = fixture('message.im.json');
    expect(parseRequestBody(JSON.stringify(event), 'application/json')).toEqual({ ok: true, body: event });
    const action = fixture('block_actions.json');
    const form = `payload=${encodeURIComponent(JSON.stringify(action))}`;
    expect(parseRequestBody(form, 'application/x-www-form-urlencoded')).toEqual({ ok: true, body: action });
    expect(parseRequestBody(form, 'application/x-www-form-urlencoded; charset=utf-8')).toEqual({ ok: true, body: action });
  });

  it('reads url_verification', () => {
    expect(parseRequestBody(JSON.stringify(fixture('url_verification.json')), 'application/json')).toEqual({
      ok: true,
      body: { type: 'url_verification', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
    });
  });

  it('lets other typed payloads through for Bolt to ignore', () => {
    const body = { token: 'XXYYZZ', team_id: 'T061EG9R6', minute_rate_limited: 1518467820, api_app_id: 'A0MDYCDME', type: 'app_rate_limited' };
    expect(parseRequestBody(JSON.stringify(body), 'application/json')).toEqual({ ok: true, body });
  });

  it.each([
    ['broken JSON', '{"type": "event_callback", ', 'application/json'],
    ['JSON that is not an object', '"hello"', 'application/json'],
    ['an object without type', '{"event": {}}', 'application/json'],
    ['url_verification without challenge', '{"type": "url_verification"}', 'application/json'],
    ['event_callback with a string event', '{"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": "message"}', 'application/json'],
    ['block_actions with actions not a list', '{"type": "block_actions", "actions": "approve"}', 'application/json'],
    ['a form without payload', 'token=abc&text=hi', 'application/x-www-form-urlencoded'],
    ['block_actions with no actions', '{"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "actions": []}', 'application/json'],
    ['block_actions without a user', '{"type": "block_actions", "team": {"id": "T1"}, "actions": [{"type": "button", "action_id": "a"}]}', 'application/json'],
    ['a shortcut without a team', '{"type": "shortcut", "user": {"id": "U1"}, "callback_id": "c", "trigger_id": "t"}', 'application/json'],
    ['a message shortcut with a null team and no user.team_id', '{"type": "message_action", "team": null, "user": {"id": "U1"}, "callback_id": "c", "trigger_id": "t"}', 'application/json'],
    ['a view submission without a view', '{"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}}', 'application/json'],
    ['a form with broken JSON', 'payload=%7B%22type', 'application/x-www-form-urlencoded'],
    ['an empty body', '', 'application/json'],
  ])('refuses %s', (_name, raw, contentType) => {
    expect(parseRequestBody(raw, contentType)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('decodeSlackText', () => {
  it.each([
    ['<https://example.com/privacy>', 'https://example.com/privacy'],
    ['<https://example.com/privacy|隐私政策>', '隐私政策'],
    ['<tel:13800138000|138 0013 8000>', '138 0013 8000'],
    ['<#C0LAN2Q65|general> 里问', '#general 里问'],
    ['<!here> 请看', '@here 请看'],
    ['<!subteam^S0614TZR7|@privacy-team> 在吗', '@privacy-team 在吗'],
    ['  多余   的 空格 \n 换行  ', '多余 的 空格\n换行'],
    ['&amp;lt; stays as typed', '&lt; stays as typed'],
  ])('%s', (text, expected) => {
    expect(decodeSlackText(text, BOT)).toBe(expected);
  });
});

describe('conversation references', () => {
  it('round-trips and refuses what is not one', () => {
    // A channel thread is its own conversation; a direct message channel is one conversation.
    const thread = { channel: 'C024BE91L', threadTs: '1355517523.000005' };
    expect(parseConversationRef(toConversationRef(thread))).toEqual(thread);
    expect(toConversationRef({ channel: 'D024BE91L', threadTs: '1355517523.000005' })).toBe('slack:D024BE91L');
    expect(parseConversationRef('slack:D024BE91L')).toEqual({ channel: 'D024BE91L' });
    for (const bad of ['slack:', 'wechat:D024BE91L:1355517523.000005', 'slack:d024:1355517523.000005', 'slack:D1:1:2', '']) {
      expect(parseConversationRef(bad)).toBeNull();
    }
  });
});
