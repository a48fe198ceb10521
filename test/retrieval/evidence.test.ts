import { describe, expect, it } from 'vitest';
import { analyseQuery, evidenceCoverage } from '../../src/retrieval/hybrid-retriever.ts';
import { lexicon, syntheticIndex } from './synthetic.ts';

const index = syntheticIndex([
  ['1', null, '', '用户账户的支持信息：我们记录您的咨询记录。'],
  ['2', null, '', '如有疑问，请拨打电话与我们联系。'],
  ['3', null, '', '我们会收集您的银行卡号码和金融账户信息。'],
]);
const lex = lexicon([{ terms: ['微信支付'], expand: ['金融账户', '交易'] }]);
const coverage = (question: string, doc: number) => evidenceCoverage(index, analyseQuery(question, lex, index), [doc]);

describe('evidence check', () => {
  it('counts a lexicon expansion only as a whole phrase, not by one of its words', () => {
    // "账户" alone is not "金融账户": the support clause says nothing about WeChat Pay.
    expect(coverage('你们支持微信支付吗', 0)).toBeLessThan(0.5);
    expect(coverage('你们会收集微信支付信息吗', 2)).toBeGreaterThan(0.5);
  });

  it('finds a compound word through its parts, however the clause is segmented', () => {
    expect(coverage('你们的联系电话是多少', 1)).toBe(1);
  });
});
