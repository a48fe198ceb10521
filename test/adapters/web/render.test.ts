import { describe, expect, it } from 'vitest';
import { citationLabel, renderReply, renderTurn, replyAsText } from '../../../adapters/web/render.ts';
import type { Citation } from '../../../src/answer/answerer.ts';
import { recordedTurn } from './fixtures.ts';

const citation = (number: string, policyTitle = '隐私政策'): Citation => ({
  policyId: 'p',
  policyTitle,
  clauseId: `p#${number}`,
  number,
  title: '删除用户的个人信息',
  text: '在以下情形中，用户可以向我们提出删除个人信息的请求：',
});

describe('citationLabel', () => {
  it.each([
    ['8.3', '根据巨人通力的隐私政策：', '《隐私政策》第8.3条'],
    ['7.3(2)', '根据巨人通力的隐私政策：', '《隐私政策》第7.3(2)条'],
    ['第三条', '根据巨人通力的隐私政策：', '《隐私政策》 第三条'],
    ['', '根据巨人通力的隐私政策：', '《隐私政策》'],
    ['1.2', "Here is what smarthw's privacy policy says:", '"隐私政策" clause 1.2'],
  ])('clause %s in a reply "%s" → %s', (number, replyText, label) => {
    expect(citationLabel(citation(number), replyText)).toBe(label);
  });
});

describe('renderTurn', () => {
  it('renders a recorded answer: chips with labels and the quoted clause, no internal ids', () => {
    const turn = recordedTurn('turn-answer.json');
    const rendered = renderTurn(turn);
    expect(rendered.intent).toBe('question');
    expect(rendered.duplicate).toBe(false);
    expect(rendered).not.toHaveProperty('ticketId');
    const [answer] = rendered.replies;
    expect(answer?.kind).toBe('answer');
    expect(answer?.text).toBe(turn.replies[0]?.text);
    expect(answer?.citations).toHaveLength(turn.replies[0]!.citations.length);
    expect(answer?.citations[1]).toEqual({
      policyTitle: '隐私政策',
      number: '1.2',
      title: '收集的用户信息类型',
      text: '收集的用户信息类型\n我们会收集、处理以下几类个人信息：',
      label: '《隐私政策》第1.2条',
    });
    expect(JSON.stringify(rendered)).not.toMatch(/policyId|clauseId|giantkone-privacy#/);
  });

  it('renders a recorded form step with its quick replies', () => {
    const rendered = renderTurn(recordedTurn('turn-form.json'));
    expect(rendered.intent).toBe('delete_data');
    expect(rendered.replies.map((r) => r.kind)).toEqual(['answer', 'form']);
    expect(rendered.replies[1]?.quickReplies).toEqual([
      { label: '全部个人信息', value: '全部个人信息' },
      { label: '取消', value: '取消' },
    ]);
  });

  it('labels an English answer in English', () => {
    const rendered = renderTurn(recordedTurn('turn-answer-en.json'));
    expect(rendered.replies[0]?.citations[0]?.label).toBe('"User Agreement & Privacy Policy" Chapter 1.I');
  });

  it('keeps the ticket id and the duplicate flag', () => {
    expect(renderTurn({ replies: [], intent: 'delete_data', ticketId: 'DEL-20260102-0001', duplicate: false })).toEqual({
      replies: [],
      intent: 'delete_data',
      ticketId: 'DEL-20260102-0001',
      duplicate: false,
    });
    expect(renderTurn({ replies: [], intent: 'other', duplicate: true })).toEqual({ replies: [], intent: 'other', duplicate: true });
  });
});

describe('replyAsText', () => {
  it('lists the chips under the text', () => {
    const reply = renderReply({ kind: 'answer', text: '根据巨人通力的隐私政策：\n…… [1]', citations: [citation('7.3')], quickReplies: [] });
    expect(replyAsText(reply)).toBe('根据巨人通力的隐私政策：\n…… [1]\n[1] 《隐私政策》第7.3条');
  });
});
