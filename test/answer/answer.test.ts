import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyAssistant, validateQuestion } from '../../src/policy-assistant.ts';
import { openAssistant } from '../helpers/assistant.ts';

let assistant: PolicyAssistant;
beforeAll(async () => {
  assistant = await openAssistant();
});

describe('cited answers', () => {
  it('quotes the policy, marks each statement and lists the citations', async () => {
    const a = await assistant.ask('giantkone', '我怎么删除我的个人信息？');
    expect(a.answerable).toBe(true);
    expect(a.citations.length).toBeGreaterThan(0);
    expect(a.answer).toMatch(/\[1\]/);
    expect(a.answer).toContain('依据：');
    expect(a.answer).toContain(`《${a.citations[0]!.policyTitle}》`);
    // Every quoted statement comes from the clause it cites.
    for (const s of a.statements) {
      const cited = a.citations[s.citation - 1]!;
      const firstSentence = s.text.split(/[。；;：:]/)[0]!.replace(/^（\d+）/, '').slice(0, 12);
      expect(cited.text.replace(/\s/g, '')).toContain(firstSentence.replace(/\s/g, ''));
    }
  });

  it('answers with the policy’s deadline', async () => {
    const a = await assistant.ask('qiancheng', '你们多久能处理我的请求？');
    expect(a.citations.some((c) => c.text.includes('15个工作日'))).toBe(true);
  });

  it.each([
    ['giantkone', '电梯维保一年多少钱'],
    ['qiancheng', '1+1等于几'],
    ['changlian', 'What is the weather in Paris tomorrow?'],
  ])('%s: refuses "%s" and cites nothing', async (tenant, question) => {
    const a = await assistant.ask(tenant, question);
    expect(a.answerable).toBe(false);
    expect(a.citations).toEqual([]);
    expect(a.answer).toMatch(/转人工|human/);
  });

  it('answers in the language of the question', async () => {
    const en = await assistant.ask('giantkone', 'How long will it take you to respond to my request?');
    expect(en.language).toBe('en');
    expect(en.answer).toContain('Sources:');
    expect(en.citations.some((c) => c.text.includes('三十天内'))).toBe(true);
    const zh = await assistant.ask('giantkone', '你们多久答复我的请求');
    expect(zh.answer).toContain('依据：');
  });

  it('quotes only the version of a bilingual policy in the question’s language', async () => {
    const en = await assistant.ask('smarthw', 'How do you protect my information?');
    expect(en.answerable).toBe(true);
    expect(en.citations.every((c) => c.policyId === 'smarthw-privacy-en')).toBe(true);
    const zh = await assistant.ask('smarthw', '你们怎么保护我的个人信息');
    expect(zh.citations.every((c) => c.policyId === 'smarthw-privacy-zh')).toBe(true);
  });

  it('quotes the same passage of two policies once and cites both', async () => {
    const a = await assistant.ask('giantkone', '我的信息会被传到境外吗？');
    const both = a.statements.find((s) => (s.also ?? []).length > 0);
    expect(both).toBeDefined();
    const policies = [both!.citation, ...both!.also!].map((n) => a.citations[n - 1]!.policyId);
    expect(new Set(policies)).toEqual(new Set(['giantkone-privacy', 'giantkone-rules']));
  });

  it("answers a question naming another tenant's company from the asking tenant's policies only", async () => {
    const a = await assistant.ask('giantkone', '乾程集团会把我的信息传到境外吗？');
    expect(a.otherCompany).toBe('乾程');
    expect(a.answer).toContain('我只能依据巨人通力的隐私政策回答');
    expect(a.citations.every((c) => c.policyId.startsWith('giantkone-'))).toBe(true);
  });
});

describe('bad input', () => {
  it.each([
    ['', 'invalid_input'],
    ['   \n ', 'invalid_input'],
    ['问'.repeat(2001), 'invalid_input'],
    ['删除\u0007信息', 'invalid_input'],
  ])('rejects %j with a clear message', (text, code) => {
    expect(() => validateQuestion(text)).toThrow(expect.objectContaining({ code }));
  });

  it('accepts exactly 2,000 characters', () => {
    expect(validateQuestion('问'.repeat(2000))).toHaveLength(2000);
  });

  it('answers through ask() with the same errors, never a crash', async () => {
    await expect(assistant.ask('giantkone', '')).rejects.toMatchObject({ code: 'invalid_input', message: '请输入您的问题。' });
    await expect(assistant.ask('acme', '你好')).rejects.toMatchObject({ code: 'unknown_tenant' });
  });
});
