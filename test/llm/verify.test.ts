import { describe, expect, it } from 'vitest';
import type { Clause } from '../../src/knowledge/parser.ts';
import { extractFacts, normaliseNumbers, unsupportedFacts } from '../../src/llm/facts.ts';
import { answerInstructions } from '../../src/llm/model-tasks.ts';
import { parseJsonReply } from '../../src/llm/structured-call.ts';
import { DraftSchema, OVERRIDE_MARGIN, verifyDraft, type Draft, type VerifyInput } from '../../src/llm/verify.ts';

const clause = (clauseId: string, text: string, number = '8.3'): Clause => ({
  policyId: clauseId.split('#')[0]!,
  clauseId,
  number,
  label: `${number} `,
  title: '',
  headingPath: [],
  text,
  lineStart: 1,
  lineEnd: 1,
  parentId: null,
  depth: 1,
  kind: 'numbered',
});

const DELETE = clause('acme#8.3', '您可以在“设置-账号”中删除您的个人信息，我们将在15个工作日内处理，联系邮箱 privacy@acme.example，客服电话 400-820-1234。');
const base = (draft: Draft, over: Partial<VerifyInput> = {}): VerifyInput => ({
  draft,
  language: 'zh',
  shown: [DELETE],
  offline: { answerable: true, probability: 0.9, threshold: 0.5 },
  ownNames: ['艾克米', 'Acme'],
  otherNames: ['巨人科技'],
  instructions: answerInstructions(),
  ...over,
});
const say = (text: string, clauses = ['acme#8.3']): Draft => ({ covered: true, statements: [{ text, clauses }] });

describe('facts', () => {
  it('reads number words before a unit as digits, and phone numbers without separators', () => {
    expect(normaliseNumbers('十五个工作日内')).toBe('15个工作日内');
    expect(normaliseNumbers('三十天')).toBe('30天');
    expect(normaliseNumbers('within fifteen working days')).toBe('within 15 working days');
    expect(normaliseNumbers('call 400-820-1234')).toBe('call 4008201234');
    expect(normaliseNumbers('统一的一些规则')).toBe('统一的一些规则');
  });

  it('extracts emails, web addresses, numbers and company names', () => {
    const f = extractFacts('请发邮件至 dpo@x.example 或访问 https://x.example/privacy ，由北京巨人科技有限公司在30日内处理。', ['Acme']);
    expect(f.emails).toEqual(['dpo@x.example']);
    expect(f.urls).toEqual(['https://x.example/privacy']);
    expect(f.numbers).toEqual(['30']);
    expect(f.companies).toEqual(['北京巨人科技有限公司']);
  });

  it('names the facts a source lacks', () => {
    const src = DELETE.text;
    expect(unsupportedFacts('我们将在十五个工作日内处理。', src)).toEqual([]);
    expect(unsupportedFacts('我们将在7个工作日内处理。', src)).toEqual(['7']);
    expect(unsupportedFacts('请致电 400 820 1234。', src)).toEqual([]);
    expect(unsupportedFacts('请致电 400-820-9999。', src)).toEqual(['4008209999']);
    expect(unsupportedFacts('请写信给 legal@acme.example。', src)).toEqual(['legal@acme.example']);
    expect(unsupportedFacts('处理方是巨人科技。', src, ['巨人科技'])).toEqual(['巨人科技']);
  });
});

describe('verifyDraft', () => {
  it('passes a cited, grounded draft in the question\'s language', () => {
    expect(verifyDraft(base(say('您可以在“设置-账号”中删除您的个人信息，我们会在十五个工作日内处理。')))).toEqual({ ok: true, covered: true });
  });

  it.each([
    ['uncited', say('您可以在设置中删除个人信息。', [])],
    ['uncited', { covered: true, statements: [] }],
    ['unknown_citation', say('您可以在设置中删除个人信息。', ['acme#9.9'])],
    ['unsupported_fact', say('您可以在“设置-账号”中删除您的个人信息，我们将在3个工作日内处理。')],
    ['unsupported_fact', say('您可以在“设置-账号”中删除您的个人信息，或发邮件到 help@acme.example。')],
    ['wrong_language', say('You can delete your personal information in the settings.')],
    ['ungrounded', say('我们从不保存任何数据，您无需担心任何隐私问题。')],
  ] as const)('%s', (reason, draft) => {
    expect(verifyDraft(base(draft as Draft))).toMatchObject({ ok: false, reason });
  });

  it('a repeated prompt is refused even where the wording cannot be compared (English answer, Chinese clause)', () => {
    const leak = answerInstructions()[1]!.slice(0, 160).replace('{company}', 'Acme');
    expect(verifyDraft(base(say(leak), { language: 'en' }))).toMatchObject({ ok: false, reason: 'ungrounded' });
  });

  it('may answer what the offline decision refused only when the evidence was close', () => {
    const draft = say('您可以在“设置-账号”中删除您的个人信息。');
    const near = { answerable: false, probability: 0.5 - OVERRIDE_MARGIN / 2, threshold: 0.5 };
    const far = { answerable: false, probability: 0.5 - OVERRIDE_MARGIN * 2, threshold: 0.5 };
    expect(verifyDraft(base(draft, { offline: near }))).toEqual({ ok: true, covered: true });
    expect(verifyDraft(base(draft, { offline: far }))).toMatchObject({ ok: false, reason: 'contradicts_decision' });
    expect(verifyDraft(base({ covered: false, statements: [] }))).toMatchObject({ ok: false, reason: 'contradicts_decision' });
    expect(verifyDraft(base({ covered: false, statements: [] }, { offline: far }))).toEqual({ ok: true, covered: false });
  });
});

describe('parseJsonReply', () => {
  it('accepts a fenced object, refuses prose, rejects a broken or off-schema object', () => {
    expect(parseJsonReply('```json\n{"covered": false, "statements": []}\n```', DraftSchema)).toEqual({ ok: true, value: { covered: false, statements: [] } });
    expect(parseJsonReply('I cannot help with that.', DraftSchema)).toEqual({ ok: false, reason: 'format_refusal' });
    expect(parseJsonReply('{"covered": true, "statements": [', DraftSchema)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseJsonReply('{"covered": true, "statements": [{"text": "", "clauses": ["a"]}]}', DraftSchema)).toEqual({ ok: false, reason: 'malformed' });
  });
});
