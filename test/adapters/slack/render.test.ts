import { describe, expect, it } from 'vitest';
import type { Citation } from '../../../src/answer/answerer.ts';
import type { OutboundReply } from '../../../src/conversation/types.ts';
import { parseBlockAction, QUICK_REPLY_ACTION } from '../../../adapters/slack/parse.ts';
import { escapedChunks, escapeMrkdwn, renderReply, SECTION_TEXT_LIMIT } from '../../../adapters/slack/render.ts';
import { fixture } from './fake-slack.ts';

const citation = (number: string, title: string, policyTitle = '隐私政策'): Citation => ({
  policyId: 'giantkone-privacy',
  policyTitle,
  clauseId: `c-${number}`,
  number,
  title,
  text: '……',
});
const reply = (changes: Partial<OutboundReply>): OutboundReply => ({ kind: 'answer', text: '', citations: [], quickReplies: [], ...changes });

describe('escapeMrkdwn', () => {
  it.each([
    ['A & B', 'A &amp; B'],
    ['<@U123> <!here> <https://evil.example|点我>', '&lt;@U123&gt; &lt;!here&gt; &lt;https://evil.example|点我&gt;'],
    ['&amp; already', '&amp;amp; already'],
    ['*bold* _it_ 《隐私政策》', '*bold* _it_ 《隐私政策》'],
  ])('%s', (text, expected) => {
    expect(escapeMrkdwn(text)).toBe(expected);
  });
});

describe('renderReply', () => {
  it('renders an answer as a section and one context line per citation', () => {
    const message = renderReply(
      reply({
        text: '根据巨人通力的隐私政策：\n我们会收集您的姓名、手机号 [1]\n以下情形除外 [2]',
        citations: [citation('8.3', '个人信息的收集'), citation('第五条', '')],
      }),
    );
    expect(message).toEqual({
      text: '根据巨人通力的隐私政策：\n我们会收集您的姓名、手机号 [1]\n以下情形除外 [2]\n[1] 《隐私政策》第8.3条 个人信息的收集\n[2] 《隐私政策》 第五条',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '根据巨人通力的隐私政策：\n我们会收集您的姓名、手机号 [1]\n以下情形除外 [2]' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '[1] 《隐私政策》第8.3条 个人信息的收集' }] },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '[2] 《隐私政策》 第五条' }] },
      ],
    });
  });

  it('cites in English when the reply is English', () => {
    const message = renderReply(reply({ text: "Here is what smarthw's privacy policy says: we keep logs [1]", citations: [citation('4.2', 'Retention', 'Privacy Policy')] }));
    expect(message?.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '[1] "Privacy Policy" clause 4.2 Retention' }] });
  });

  it('escapes & < > in the answer, the citations and the fallback text', () => {
    const message = renderReply(reply({ text: '<!channel> 数据 & <https://x.example>', citations: [citation('1', 'A & <B>')] }));
    const json = JSON.stringify(message);
    expect(json).not.toMatch(/<|>/);
    expect(message?.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '&lt;!channel&gt; 数据 &amp; &lt;https://x.example&gt;' } });
    expect(message?.text).toContain('&lt;!channel&gt;');
  });

  it('renders quick replies as buttons whose value is what comes back', () => {
    const message = renderReply(
      reply({
        kind: 'form',
        text: '请说明要删除哪些个人信息。',
        quickReplies: [
          { label: '全部个人信息', value: '全部个人信息' },
          { label: '取消', value: '取消' },
        ],
      }),
    );
    expect(message?.blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'quick_reply_0', text: { type: 'plain_text', text: '全部个人信息', emoji: true }, value: '全部个人信息' },
        { type: 'button', action_id: 'quick_reply_1', text: { type: 'plain_text', text: '取消', emoji: true }, value: '取消' },
      ],
    });
  });

  it('keeps at most five buttons, cuts long labels, and leaves out values Slack cannot carry', () => {
    const quickReplies = [
      { label: 'x'.repeat(100), value: 'long label' },
      { label: 'too long a value', value: 'v'.repeat(2001) },
      { label: 'empty value', value: '' },
      { label: '   ', value: 'blank label' },
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((v) => ({ label: v, value: v })),
    ];
    const message = renderReply(reply({ text: '选一个', quickReplies }));
    const actions = message?.blocks.find((b) => b.type === 'actions');
    const buttons = actions && 'elements' in actions ? (actions.elements as { action_id: string; value: string; text: { text: string } }[]) : [];
    expect(buttons.map((b) => b.value)).toEqual(['long label', 'a', 'b', 'c', 'd']);
    expect(buttons.map((b) => b.action_id)).toEqual(['quick_reply_0', 'quick_reply_1', 'quick_reply_2', 'quick_reply_3', 'quick_reply_4']);
    expect([...buttons[0]!.text.text]).toHaveLength(75);
    for (const b of buttons) expect(b.action_id).toMatch(QUICK_REPLY_ACTION);
  });

  it('keeps a value of exactly 2000 characters', () => {
    const message = renderReply(reply({ text: '选', quickReplies: [{ label: 'ok', value: '值'.repeat(2000) }] }));
    expect(JSON.stringify(message)).toContain('值'.repeat(2000));
  });

  it('splits a long answer over several sections, none over 3000 characters', () => {
    const text = Array.from({ length: 120 }, (_, i) => `第${i + 1}项：我们会在实现处理目的所必需的最短期限内保留您的个人信息 & 数据。`).join('\n');
    const message = renderReply(reply({ text }));
    const sections = message!.blocks.filter((b) => b.type === 'section') as { text: { text: string } }[];
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) expect(s.text.text.length).toBeLessThanOrEqual(SECTION_TEXT_LIMIT);
    expect(sections.map((s) => s.text.text).join('\n')).toBe(escapeMrkdwn(text));
    expect(message!.text.length).toBeLessThan(40_000);
  });

  it('renders nothing for an empty reply', () => {
    expect(renderReply(reply({ text: '  \n ' }))).toBeNull();
  });

  it('renders buttons a block_actions payload reads back', () => {
    const message = renderReply(reply({ kind: 'form', text: '确认提交吗？', quickReplies: [{ label: '确认', value: '确认' }] }));
    const action = message?.blocks.find((b) => b.type === 'actions');
    const button = action && 'elements' in action ? (action.elements[0] as { action_id: string; value: string }) : null;
    const payload = fixture<{ actions: Record<string, unknown>[] }>('block_actions.json');
    payload.actions[0] = { ...payload.actions[0], action_id: button!.action_id, value: button!.value };
    const parsed = parseBlockAction(payload, { tenant: 'giantkone' });
    expect(parsed.ok && parsed.turn.message.text).toBe('确认');
  });
});

describe('escapedChunks', () => {
  it('never cuts inside an entity, even in one very long line', () => {
    const chunks = escapedChunks('&'.repeat(10), 12);
    expect(chunks).toEqual(['&amp;&amp;', '&amp;&amp;', '&amp;&amp;', '&amp;&amp;', '&amp;&amp;']);
  });

  it('never cuts a surrogate pair', () => {
    const chunks = escapedChunks('😀'.repeat(5), 4);
    expect(chunks).toEqual(['😀😀', '😀😀', '😀']);
  });
});
