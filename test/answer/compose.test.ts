import { describe, expect, it } from 'vitest';
import { composeAnswer, formatCitation, type AnswerContext, type Citation } from '../../src/answer/answerer.ts';
import { Background } from '../../src/answer/background.ts';
import { composeQuotes, quoteUnits, similarity } from '../../src/answer/compose.ts';
import { FEATURES, type DecisionModel } from '../../src/answer/decide.ts';
import type { PolicyMeta, Tenant } from '../../src/knowledge/knowledge-base.ts';
import { Bm25Index } from '../../src/retrieval/bm25.ts';
import { analyseQuery, type ScoredClause, type TenantIndex } from '../../src/retrieval/hybrid-retriever.ts';
import { indexedText } from '../../src/retrieval/index-store.ts';
import { tokens } from '../../src/retrieval/tokenizer.ts';
import { lexicon, syntheticIndex } from '../retrieval/synthetic.ts';

const lex = lexicon([]);
const scored = (index: TenantIndex, n: number, score: number): ScoredClause => ({ clause: index.clauses[n]!, score, lexical: score * 10, dense: 0 });

const LONG_CLAUSE =
  '我们会根据法律法规的要求保存您的个人信息。一般而言，我们仅在实现处理目的所必需的最短期限内保留您的个人信息。超出保存期限后，我们会删除或匿名化处理您的个人信息。' +
  '我们的服务器位于中华人民共和国境内，您的个人信息存储在境内。如需跨境传输，我们会单独征得您的同意，并按照法律法规的要求进行安全评估。我们采用加密等安全措施保护您的个人信息。';

const index = syntheticIndex([
  ['1', null, '收集的信息', '我们会收集以下几类个人信息：'],
  ['1.1', '1', '', '基本资料：姓名、性别。'],
  ['1.2', '1', '', '联系方式：手机号码、电子邮箱。'],
  ['1.3', '1', '', '设备信息：设备型号、操作系统版本。'],
  ['2', null, '共享', '我们不会与其他公司共享您的个人信息，但以下情况除外：'],
  ...Array.from({ length: 9 }, (_, i): [string, string, string, string] => [
    `2.${i + 1}`,
    '2',
    '',
    `第${i + 1}种情形：在获得您单独同意并且符合法律法规规定的情况下，我们可能会与相应的合作伙伴共享为完成第${i + 1}项服务所必需的个人信息。`,
  ]),
  ['3', null, '保存', LONG_CLAUSE],
  ['4', null, '删除', '您可以要求我们删除您的个人信息： 1、我们违反法律法规处理您的个人信息； 2、您注销了账号。'],
]);

describe('quote units', () => {
  it('splits at sentence ends, paragraph breaks and inline numbered items', () => {
    expect(quoteUnits('我们会删除：\n1、超过期限的信息； 2、您要求删除的信息。 （3）其他情形')).toEqual([
      '我们会删除：',
      '1、超过期限的信息；',
      '2、您要求删除的信息。',
      '（3）其他情形',
    ]);
  });

  it('keeps a sentence broken across lines or around an inline item together', () => {
    expect(quoteUnits('可以发送邮件至 a@example.com 或\n致电客服。')).toEqual(['可以发送邮件至 a@example.com 或 致电客服。']);
    expect(quoteUnits('我们会根据您 2、所选的服务收集信息。')).toEqual(['我们会根据您 2、所选的服务收集信息。']);
  });

  it('takes a field line as whole', () => {
    expect(quoteUnits('请通过以下方式联系我们：\n公司：示例有限公司\n邮箱：privacy@example.com')).toEqual([
      '请通过以下方式联系我们：',
      '公司：示例有限公司',
      '邮箱：privacy@example.com',
    ]);
  });

  it('does not split a decimal or a date', () => {
    expect(quoteUnits('本政策自2024.8.1起生效，版本1.2。')).toEqual(['本政策自2024.8.1起生效，版本1.2。']);
  });
});

describe('composing quotes', () => {
  const compose = (question: string, picks: [number, number][]) =>
    composeQuotes({ results: picks.map(([n, s]) => scored(index, n, s)), query: analyseQuery(question, lex, index), index, language: 'zh' });

  it('quotes a short list whole, with the intro', () => {
    const [quote] = compose('你们收集哪些个人信息', [[0, 1]]);
    expect(quote!.text).toBe('我们会收集以下几类个人信息： 基本资料：姓名、性别。 联系方式：手机号码、电子邮箱。 设备信息：设备型号、操作系统版本。');
  });

  it('shortens a long list by whole items and says how many there are; the citation carries every item', () => {
    const [quote] = compose('你们会和谁共享我的信息', [[4, 1]]);
    expect(quote!.text).toMatch(/^我们不会与其他公司共享您的个人信息，但以下情况除外：.*……等 9 项$/);
    // Nothing shown ends inside an item: every shown item is one of the list's items, whole.
    const shown = quote!.text.replace(/^.*除外：/, '').replace(/……等 9 项$/, '').trim();
    for (const item of shown ? shown.split(' ') : []) expect(index.clauses.some((c) => c.text === item)).toBe(true);
    for (let i = 1; i <= 9; i++) expect(quote!.source).toContain(`第${i}种情形`);
  });

  it('quotes the sentences of a long clause that answer, never the whole clause, each sentence whole', () => {
    const [quote] = compose('我的信息存在境内吗', [[14, 1]]);
    expect(quote!.text.length).toBeLessThan(LONG_CLAUSE.length / 2);
    expect(quote!.text).toContain('存储在境内');
    for (const sentence of quoteUnits(quote!.text)) expect(LONG_CLAUSE).toContain(sentence);
  });

  it('never ends a quote inside an inline numbered item', () => {
    const [quote] = compose('什么情况下可以要求删除', [[15, 1]]);
    expect(quote!.text).toBe('您可以要求我们删除您的个人信息： 1、我们违反法律法规处理您的个人信息； 2、您注销了账号。');
  });

  it('lets the list lead for a "which" question', () => {
    const quotes = compose('你们收集哪些信息', [
      [14, 1],
      [0, 0.9],
    ]);
    expect(quotes[0]!.clause.number).toBe('1');
  });
});

describe('the same text in two policies of one tenant', () => {
  const privacy = syntheticIndex([['5', null, '', '我们会在收到您的请求后十五个工作日内答复。']], 'acme-privacy');
  const rules = syntheticIndex([['3', null, '', '我们会在收到您的请求后十五个工作日内答复。']], 'acme-rules');
  const clauses = [...privacy.clauses, ...rules.clauses];
  const both: TenantIndex = {
    tenant: 'acme',
    clauses,
    bm25: Bm25Index.build(clauses.map((c) => tokens(indexedText(c)))),
    vectors: null,
    languages: new Map([
      ['acme-privacy', 'zh'],
      ['acme-rules', 'zh'],
    ]),
  };

  it('is quoted once and cited twice', () => {
    const quotes = composeQuotes({
      results: [scored(both, 0, 1), scored(both, 1, 0.99)],
      query: analyseQuery('多久答复我的请求', lex, both),
      index: both,
      language: 'zh',
    });
    expect(quotes).toHaveLength(1);
    expect(quotes[0]!.also.map((c) => c.policyId)).toEqual(['acme-rules']);
  });

  it('similarity is high for the same text and low for different texts', () => {
    expect(similarity('我们会在十五个工作日内答复。', '我们会在十五个工作日内答复')).toBe(1);
    expect(similarity('我们会在十五个工作日内答复。', '我们采用加密技术保护您的信息。')).toBeLessThan(0.2);
  });
});

describe('answers and labels', () => {
  const tenant: Tenant = { id: 'demo', name: '示例', aliases: ['示例'], defaultResponseDays: 30, timeZone: 'Asia/Shanghai', handoffTopics: [] };
  const policies = new Map<string, PolicyMeta>([['demo-zh', { id: 'demo-zh', tenant: 'demo', file: 'x', title: '示例隐私政策', language: 'zh' }]]);
  // A decision model that always answers: these tests are about wording, not the decision.
  const answerAll: DecisionModel = { features: [...FEATURES], mean: FEATURES.map(() => 0), scale: FEATURES.map(() => 1), weights: [10, ...FEATURES.map(() => 0)], threshold: 0.5, notes: {} };
  const ctx = (language: 'zh' | 'en'): AnswerContext => ({ tenant, otherTenants: [], policies, index, language, decision: { model: answerAll, background: Background.build([], 'none') } });

  it('answers an English question about a Chinese-only policy with an English lead, then the Chinese quote', () => {
    const question = 'What personal information do you collect?';
    const a = composeAnswer(question, [scored(index, 0, 1)], analyseQuery(question, lex, index), ctx('en'));
    expect(a.answerable).toBe(true);
    const [lead, quote] = a.answer.split('\n');
    expect(lead).toBe("示例's privacy policy is only in Chinese; here is what it says:");
    expect(quote).toMatch(/^我们会收集以下几类个人信息/);
    expect(a.answer).toContain('Sources:');
  });

  it('every statement is text of the citation it carries', () => {
    const question = '你们收集哪些个人信息';
    const a = composeAnswer(question, [scored(index, 0, 1), scored(index, 14, 0.8)], analyseQuery(question, lex, index), ctx('zh'));
    expect(a.answerable).toBe(true);
    for (const s of a.statements) {
      const cited = a.citations[s.citation - 1]!.text.replace(/\s/g, '');
      for (const unit of quoteUnits(s.text)) expect(cited).toContain(unit.replace(/\s/g, ''));
    }
  });

  const citation = (number: string): Citation => ({ policyId: 'p', policyTitle: '隐私政策', clauseId: `p#${number}`, number, title: '删除', text: '' });
  it.each([
    ['8.3', 'zh', '《隐私政策》第8.3条 删除'],
    ['7.3(2)', 'zh', '《隐私政策》第7.3(2)条 删除'],
    ['第三条', 'zh', '《隐私政策》 第三条 删除'],
    ['Chapter 3.II', 'zh', '《隐私政策》 Chapter 3.II 删除'],
    ['8.3', 'en', '"隐私政策" clause 8.3 删除'],
    ['Chapter 3.II', 'en', '"隐私政策" Chapter 3.II 删除'],
    ['第一章.一.2', 'en', '"隐私政策" 第一章.一.2 删除'],
  ] as const)('labels clause %s in %s as %s', (number, language, label) => {
    expect(formatCitation(citation(number), language)).toBe(label);
  });
});
