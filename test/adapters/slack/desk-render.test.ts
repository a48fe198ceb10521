// The agent desk's Block Kit: the card follows the handoff's state, text is escaped, buttons
// carry the handoff id.

import { describe, expect, it } from 'vitest';
import { agentLabel, refusalText, renderCard, renderThreadNotice, renderUserMessage } from '../../../adapters/slack/desk-render.ts';
import type { Handoff, HandoffEvent, TranscriptLine } from '../../../src/handoff/types.ts';
import { buttonsOf, visibleText, type PostedMessage } from './fake-slack.ts';

const at = new Date('2026-11-24T03:00:00Z');
const handoff: Handoff = {
  id: 'hof-1',
  tenant: 'giantkone',
  channel: 'wechat',
  conversationRef: 'wechat:giantkone:oUSER',
  userRef: 'oUSER',
  language: 'zh',
  reason: 'complaint',
  state: 'waiting_agent',
  ownerId: null,
  ownerName: null,
  createdAt: at,
  updatedAt: at,
  takenAt: null,
  firstAgentReplyAt: null,
  endedAt: null,
  userUnreachable: false,
};
const lines: TranscriptLine[] = [
  { direction: 'in', text: '你们 <b>泄露</b> 了我的电话 138****5678 & 地址', at },
  { direction: 'out', text: '很抱歉……', at },
];
const asPost = (m: { text: string; blocks: unknown[] }): PostedMessage => ({ channel: 'C1', ts: '1.1', text: m.text, blocks: m.blocks as PostedMessage['blocks'], token: null });

describe('renderCard', () => {
  it('shows tenant, channel, reason and the last messages, escaped, with Take over and Close while waiting', () => {
    const card = asPost(renderCard(handoff, lines, '巨人通力'));
    const text = visibleText(card);
    expect(text).toContain('巨人通力');
    expect(text).toContain('`giantkone`');
    expect(text).toContain('wechat');
    expect(text).toContain('complaint');
    expect(text).toContain('user: 你们 <b>泄露</b> 了我的电话 138****5678 & 地址');
    expect(JSON.stringify(card.blocks)).toContain('&lt;b&gt;泄露&lt;/b&gt;');
    expect(buttonsOf(card)).toEqual([
      { actionId: 'handoff_take', label: 'Take over', value: 'hof-1' },
      { actionId: 'handoff_close', label: 'Close', value: 'hof-1' },
    ]);
    // The notification text: plain words, no markup or mentions.
    expect(card.text).toBe('Chat from wechat (巨人通力) needs a person: complaint: waiting for an agent');
    expect(renderCard({ ...handoff, state: 'agent', ownerId: 'slack:UALICE', ownerName: 'alice' }, lines, '巨人通力').text).toMatch(/: taken by alice$/);
  });

  it('names a Slack owner by mention and a console owner by name, and keeps only Close', () => {
    const bySlack = asPost(renderCard({ ...handoff, state: 'agent', ownerId: 'slack:UALICE', ownerName: 'alice' }, lines, 'x'));
    expect(visibleText(bySlack)).toContain('Taken by <@UALICE>');
    expect(buttonsOf(bySlack).map((b) => b.label)).toEqual(['Close']);
    const byConsole = asPost(renderCard({ ...handoff, state: 'agent', ownerId: 'console:bob', ownerName: 'Bob <admin>' }, lines, 'x'));
    expect(visibleText(byConsole)).toContain('Taken by Bob <admin>');
    expect(JSON.stringify(byConsole.blocks)).toContain('Bob &lt;admin&gt;');
  });

  it('has no buttons once the chat is back with the bot or closed', () => {
    expect(buttonsOf(asPost(renderCard({ ...handoff, state: 'bot', ownerId: 'slack:U1', ownerName: 'a' }, lines, 'x')))).toEqual([]);
    expect(buttonsOf(asPost(renderCard({ ...handoff, state: 'closed' }, lines, 'x')))).toEqual([]);
    expect(visibleText(asPost(renderCard({ ...handoff, state: 'bot' }, [], 'x')))).toContain('the user cancelled');
  });

  it('cuts a long line and keeps at most ten', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ direction: 'in' as const, text: `第${i}条 ${'很长'.repeat(400)}`, at }));
    const text = visibleText(asPost(renderCard(handoff, many, 'x')));
    expect(text).not.toContain('第3条');
    expect(text).toContain('第4条');
    expect(text).toContain('…');
  });
});

describe('thread messages', () => {
  const event = (type: HandoffEvent['type'], actor: string, note: string | null = null): HandoffEvent => ({ handoffId: 'hof-1', type, actor, at, note });
  const owned: Handoff = { ...handoff, state: 'agent', ownerId: 'slack:UALICE', ownerName: 'alice' };

  it('gives the owner Hand back and Close when they take over', () => {
    const notice = asPost(renderThreadNotice(owned, event('taken', 'agent:slack:UALICE'))!);
    expect(visibleText(notice)).toContain('<@UALICE> took over');
    expect(buttonsOf(notice).map((b) => [b.actionId, b.value])).toEqual([
      ['handoff_hand_back', 'hof-1'],
      ['handoff_close', 'hof-1'],
    ]);
  });

  it('says how it ended', () => {
    expect(visibleText(asPost(renderThreadNotice({ ...owned, state: 'bot' }, event('handed_back', 'agent:slack:UALICE', '已核实'))!))).toContain('handed the chat back to the bot: 已核实');
    expect(visibleText(asPost(renderThreadNotice({ ...owned, state: 'closed' }, event('closed', 'agent:slack:UALICE'))!))).toContain('Closed by <@UALICE>');
    expect(visibleText(asPost(renderThreadNotice({ ...handoff, state: 'bot' }, event('closed', 'user:oUSER', 'cancelled_by_user'))!))).toContain('The user left the handoff (cancelled_by_user)');
    expect(visibleText(asPost(renderThreadNotice({ ...handoff, state: 'closed' }, event('timed_out', 'system'))!))).toContain('Nobody took the chat in time');
    expect(visibleText(asPost(renderThreadNotice(owned, event('delivery_failed', 'system', 'recipient_unreachable'))!))).toContain('could not reach the user: recipient_unreachable');
    expect(renderThreadNotice(owned, event('relayed_to_user', 'agent:slack:UALICE'))).toBeNull();
  });

  it('shows a user message escaped, under a user label', () => {
    const post = asPost(renderUserMessage('a < b & <@U123>'));
    expect(visibleText(post)).toBe(':bust_in_silhouette: *user*\na < b & <@U123>');
    expect(JSON.stringify(post.blocks)).toContain('a &lt; b &amp; &lt;@U123&gt;');
  });

  it('refuses with the owner’s name', () => {
    expect(refusalText('taken', 'alice')).toBe('alice has already taken this chat.');
    expect(refusalText('not_owner', 'alice')).toContain('(alice)');
    expect(refusalText('not_agent')).toContain('Only members of the agent channel');
    expect(agentLabel('slack:U1', 'a')).toBe('<@U1>');
    expect(agentLabel(null, null)).toBe('someone');
  });
});
