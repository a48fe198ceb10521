import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Background, shippedBackground } from '../../src/answer/background.ts';
import { asksQuantity, DECISION_MODEL_FILE, decide, decisionFeatures, FEATURES, parseDecisionModel, probability, shippedDecisionModel, type Features } from '../../src/answer/decide.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { analyseQuery, searchTenant } from '../../src/retrieval/hybrid-retriever.ts';
import { chooseThreshold, fit, type Example } from '../../src/tools/train-decide.ts';
import { openAssistant } from '../helpers/assistant.ts';
import { lexicon, syntheticIndex } from '../retrieval/synthetic.ts';

describe('question type', () => {
  it.each([
    ['你们的短信服务多少钱一条', true],
    ['会员一个月多少钱', true],
    ['How much does the premium plan cost?', true],
    ['How many employees do you have?', true],
    ['你们的客服电话是多少', false],
    ['联系电话多少', false],
    ['你们收集哪些个人信息', false],
    ['How do I delete my data?', false],
  ])('%s asks for an amount: %s', (question, expected) => {
    expect(asksQuantity(question)).toBe(expected);
  });
});

describe('background statistic', () => {
  const background = Background.build(
    ['我们收集您的个人信息，用于提供服务。', '我们会删除您的个人信息。', '个人信息的存储期限为三年。', '我们使用Cookie收集设备信息。'],
    'test',
  );

  it('knows words several policies use and scores their specificity', () => {
    expect(background.known('个人信息')).toBe(true);
    expect(background.share('个人信息')).toBe(0.75);
    // A word used once is left out of the shipped statistic: it is as unknown as a word never used.
    expect(background.known('期限')).toBe(false);
    expect(background.specificity('个人信息')).toBeLessThan(background.specificity('收集'));
    expect(background.specificity('利息')).toBe(1);
  });

  it('ships a statistic over CAPP-130 in which policy vocabulary is common and prices are unknown', () => {
    const shipped = shippedBackground();
    expect(shipped.data.documents).toBe(130);
    expect(shipped.share('个人信息')).toBeGreaterThan(0.9);
    expect(shipped.known('多少钱')).toBe(false);
    expect(shipped.specificity('删除')).toBeLessThan(shipped.specificity('指纹'));
  });

  it('tells everyday filler from content words', () => {
    const shipped = shippedBackground();
    expect(shipped.generality('一直')).toBeGreaterThan(0.8);
    expect(shipped.generality('以后')).toBeGreaterThan(0.8);
    expect(shipped.generality('利息')).toBeLessThan(0.2);
    expect(shipped.generality('新区')).toBe(0);
  });
});

describe('evidence features', () => {
  const index = syntheticIndex([
    ['1', null, '收集', '我们会收集您的姓名、手机号码和设备信息，用于提供服务。'],
    ['2', null, '删除', '您可以在“设置-账号”中删除您的个人信息，我们会在15个工作日内处理。'],
    ['3', null, '儿童', '示例公司不向14周岁以下儿童提供服务。'],
  ]);
  const background = Background.build(
    [...index.clauses.map((c) => c.text), '我们会收集您的个人信息。', '您可以删除您的个人信息。'],
    'test',
  );
  const lex = lexicon([]);
  const features = async (question: string): Promise<Features> => {
    const query = analyseQuery(question, lex, index);
    const results = await searchTenant(index, query, question, null, { k: 5, language: 'zh' });
    const docs = results.map((r) => index.clauses.indexOf(r.clause));
    return decisionFeatures({ question, language: 'zh', query, results, index, docs, background, names: ['示例公司', '示例'] });
  };

  it('a covered question is covered by the best clauses; an uncovered one leaves its content words out', async () => {
    const covered = await features('怎么删除我的个人信息');
    const uncovered = await features('会员一年多少钱');
    expect(covered.coverage).toBe(1);
    expect(covered.contentCoverage).toBe(1);
    expect(covered.uncoveredContent).toBe(0);
    expect(uncovered.contentCoverage).toBeLessThan(0.5);
    expect(uncovered.uncoveredContent).toBeGreaterThan(0.5);
    expect(uncovered.asksQuantity).toBe(1);
    expect(uncovered.unknownShare).toBeGreaterThan(0);
  });

  it("leaves the tenant's own name and colloquial question words out of the evidence", async () => {
    const named = await features('示例公司为啥要收集我的手机号码');
    const plain = await features('收集手机号码');
    expect(named.coverage).toBe(plain.coverage);
    expect(named.unknownShare).toBe(0);
  });

  it('an English question to a Chinese-only policy is marked cross-lingual', async () => {
    const query = analyseQuery('Do you sell my data?', lex, index);
    const results = await searchTenant(index, query, 'Do you sell my data?', null, { k: 5, language: 'en' });
    const f = decisionFeatures({ question: 'Do you sell my data?', language: 'en', query, results, index, docs: [], background, names: [] });
    expect(f.crossLingual).toBe(1);
  });
});

describe('fitting and the threshold', () => {
  const example = (answerable: boolean, coverage: number, unknown: number): Example => ({
    set: 'test',
    question: { id: String(coverage), tenant: 't', question: '', answerable, gold: [] },
    features: Object.fromEntries(FEATURES.map((f) => [f, f === 'coverage' ? coverage : f === 'unknownShare' ? unknown : 0.5])) as Features,
    goldRank: null,
  });

  it('a tiny fit separates covered from uncovered examples and the threshold lies between them', () => {
    const examples = [example(true, 1, 0), example(true, 0.9, 0.1), example(true, 0.8, 0), example(false, 0.2, 0.8), example(false, 0.3, 0.6), example(false, 0.1, 1)];
    const model = { ...fit(examples, { steps: 200 }), threshold: 0.5, notes: {} };
    const ps = examples.map((e) => probability(model, e.features));
    expect(Math.min(...ps.slice(0, 3))).toBeGreaterThan(Math.max(...ps.slice(3)));
    const t = chooseThreshold(examples.map((e, i) => ({ p: ps[i]!, covered: e.question.answerable })));
    expect(t).toBeGreaterThan(Math.max(...ps.slice(3)));
    expect(t).toBeLessThanOrEqual(Math.min(...ps.slice(0, 3)));
  });
});

describe('the shipped model', () => {
  let assistant: PolicyAssistant;
  beforeAll(async () => {
    assistant = await openAssistant();
  });

  it('loads, names every feature once and has a threshold chosen on held-out data', () => {
    const model = parseDecisionModel(JSON.parse(readFileSync(DECISION_MODEL_FILE, 'utf8')));
    expect(model.features).toEqual([...FEATURES]);
    expect(model.threshold).toBeGreaterThan(0);
    expect(model.threshold).toBeLessThan(1);
    expect(model.notes.thresholdChoice).toMatch(/leave-one-tenant-out/);
    expect(shippedDecisionModel()).toEqual(model);
  });

  it.each([
    ['giantkone', '我怎么删除我的个人信息？'],
    ['qiancheng', '你们多久能处理我的请求？'],
    ['smarthw', 'What personal information do you collect?'],
    ['changlian', '你们会把我的信息传到境外吗'],
  ])('%s: answers the covered question "%s"', async (tenant, question) => {
    const a = await assistant.ask(tenant, question);
    expect(a.answerable).toBe(true);
    expect(a.confidence!.probability).toBeGreaterThanOrEqual(a.confidence!.threshold);
  });

  it.each([
    ['giantkone', '电梯维保一年多少钱'],
    ['qiancheng', '你们公司有多少员工'],
    ['changlian', '你们的短信服务多少钱一条'],
    ['smarthw', 'What is the weather in Paris tomorrow?'],
  ])('%s: refuses the uncovered question "%s"', async (tenant, question) => {
    const a = await assistant.ask(tenant, question);
    expect(a.answerable).toBe(false);
    expect(a.confidence!.probability).toBeLessThan(a.confidence!.threshold);
  });

  it('decides from features alone', () => {
    const model = shippedDecisionModel();
    const strong = Object.fromEntries(FEATURES.map((f) => [f, 0])) as Features;
    Object.assign(strong, { coverage: 1, coverageTop1: 1, contentCoverage: 1, policyVocabulary: 0.9, lexicalTop: 3, agreement: 1, conceptCount: 0.4 });
    const weak = { ...strong, coverage: 0.2, coverageTop1: 0.1, contentCoverage: 0, uncoveredContent: 1, unknownShare: 0.5, policyVocabulary: 0.1, lexicalTop: 0.5, asksQuantity: 1 };
    expect(decide(model, strong).answer).toBe(true);
    expect(decide(model, weak).answer).toBe(false);
  });
});
