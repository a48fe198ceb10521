import { beforeAll, describe, expect, it } from 'vitest';
import { composeAnswer } from '../../src/answer/answerer.ts';
import type { PolicyMeta, Tenant } from '../../src/knowledge/knowledge-base.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { analyseQuery, type ScoredClause } from '../../src/retrieval/hybrid-retriever.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { lexicon, syntheticIndex } from '../retrieval/synthetic.ts';

describe('which clauses an answer quotes', () => {
  const index = syntheticIndex([
    ['4', null, '共享', '我们不会与其他公司共享您的个人信息，但以下情况除外：'],
    ['4.1', '4', '', '在获取明确同意的情况下共享：获得您的明确同意后，我们会与其他方共享您的个人信息。'],
    ['4.2', '4', '', '与授权合作伙伴共享：我们可能会与合作伙伴共享您的某些个人信息。'],
    ['5', null, '', '我们会采取加密等安全措施保护您的个人信息。'],
  ]);
  const ctx = {
    tenant: { id: 'demo', name: '示例', aliases: ['示例'] } as Tenant,
    otherTenants: [],
    policies: new Map([['demo-zh', { id: 'demo-zh', tenant: 'demo', file: 'x', title: '示例隐私政策', language: 'zh' } as PolicyMeta]]),
    index,
    language: 'zh' as const,
  };
  const scored = (n: number, score: number): ScoredClause => ({ clause: index.clauses[n]!, score, lexical: score * 10, dense: 0 });

  it('quotes the clause that introduces a list instead of its items when both rank well', () => {
    const question = '你们会和谁共享我的信息';
    const query = analyseQuery(question, lexicon([]), index);
    const a = composeAnswer(question, [scored(1, 1), scored(2, 0.95), scored(0, 0.9)], query, ctx);
    expect(a.citations.map((c) => c.number)).toEqual(['4']);
    // The intro brings its items along.
    expect(a.statements[0]!.text).toContain('与授权合作伙伴共享');
  });
});

describe('answers on the bundled policies', () => {
  let assistant: PolicyAssistant;
  beforeAll(async () => {
    assistant = await openAssistant();
  });

  it.each([
    ['smarthw', '你们收集哪些设备信息'],
    ['giantkone', '儿童的个人信息如何处理？'],
    ['changlian', '你们用了什么加密技术'],
    ['qiancheng', '你们怎么保护我的信息'],
  ])('%s: the answer to "%s" always quotes the best-ranked clause', async (tenant, question) => {
    const [best] = await assistant.search(tenant, question, 1);
    const a = await assistant.ask(tenant, question);
    expect(a.answerable).toBe(true);
    expect(a.citations.map((c) => c.clauseId)).toContain(best!.clauseId);
  });
});
