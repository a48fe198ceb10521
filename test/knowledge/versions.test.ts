import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { diffPolicies } from '../../src/knowledge/policy-diff.ts';
import { addPolicy } from '../../src/knowledge/policy-onboarding.ts';
import { pastReference, versionInForce } from '../../src/knowledge/versions.ts';
import { PolicyAssistant } from '../../src/policy-assistant.ts';
import { copyKnowledge, tempDir } from '../helpers/assistant.ts';
import { Chat, openEngine } from '../helpers/chat.ts';

const knowledgeDir = copyKnowledge();
const dataDir = tempDir();
const V1 = readFileSync(join(knowledgeDir, 'policies/003_3a06f27cab6bc51d.txt'), 'utf8');

/** changlian's policy as amended: longer retention, a new address, a children's clause dropped, a DPO added. */
const V2 = V1.replace('用户提供的个人信息将至少保存3年', '用户提供的个人信息将至少保存5年')
  .replace('邮寄地址:浙江省宁波市鄞州区邱隘镇沈家村晨源大楼8-02-146室收。', '邮寄地址:浙江省宁波市鄞州区首南街道天童南路588号宁波商会国贸中心A座18楼收。')
  .replace(/7\.3如果用户的应用是针对不满14周岁的儿童[^\n]*\n/, '')
  .replace(/(10\.3 对于EEA中的个人[^\n]*\n)/, '$110.4 我们已设立个人信息保护负责人,用户可以发送电子邮件至dpo@solutioncl.com与其联系。\n');

const open = (asOf: string) => PolicyAssistant.open(loadConfig({ KNOWLEDGE_DIR: knowledgeDir, DATA_DIR: dataDir }), { asOf: new Date(`${asOf}T12:00:00Z`) });

beforeAll(async () => {
  expect(V2).not.toBe(V1);
  const file = join(tempDir(), 'changlian-2025.txt');
  writeFileSync(file, V2);
  const added = await addPolicy(knowledgeDir, { file, tenant: 'changlian', policy: 'changlian-privacy', effectiveDate: '2025-03-01' });
  expect(added).toMatchObject({ newVersion: true, tenantCreated: false, effectiveDate: '2025-03-01', file: 'policies/changlian-privacy@2025-03-01.txt' });
});

describe('policy versions', () => {
  it('the manifest keeps both versions; the latest is the entry, the earlier one under versions', () => {
    const manifest = JSON.parse(readFileSync(join(knowledgeDir, 'manifest.json'), 'utf8'));
    const entry = manifest.policies.find((p: { id: string }) => p.id === 'changlian-privacy');
    expect(entry).toMatchObject({ file: 'policies/changlian-privacy@2025-03-01.txt', effectiveDate: '2025-03-01' });
    expect(entry.versions).toEqual([{ file: 'policies/003_3a06f27cab6bc51d.txt', effectiveDate: '2024-08-01' }]);
    expect(versionInForce(entry, '2025-02-28').effectiveDate).toBe('2024-08-01');
    expect(versionInForce(entry, '2025-03-01').effectiveDate).toBe('2025-03-01');
  });

  it('answers cite the version in force, with its effective date', async () => {
    const now = await open('2025-06-01');
    const answer = await now.ask('changlian', '我的个人信息会保存多久？');
    expect(answer.answerable).toBe(true);
    const retention = answer.citations.find((c) => c.text.includes('至少保存'));
    expect(retention).toMatchObject({ policyId: 'changlian-privacy', effectiveDate: '2025-03-01' });
    expect(retention!.text).toContain('至少保存5年');
    expect(answer.answer).toContain('2025-03-01 起施行版');

    // Before the new version takes effect the old one is in force.
    const before = await open('2025-01-15');
    const old = await before.ask('changlian', '我的个人信息会保存多久？');
    expect(old.citations.find((c) => c.text.includes('至少保存'))).toMatchObject({ effectiveDate: '2024-08-01', clauseId: 'changlian-privacy#5.5.1' });
  });

  it('a question about last year cites the version in force then', async () => {
    const now = await open('2025-06-01');
    const answer = await now.ask('changlian', '去年的政策里个人信息保存多久？');
    expect(answer.answerable).toBe(true);
    const retention = answer.citations.find((c) => c.text.includes('至少保存'));
    expect(retention).toMatchObject({ policyId: 'changlian-privacy', effectiveDate: '2024-08-01', clauseId: 'changlian-privacy@2024-08-01#5.5.1' });
    expect(retention!.text).toContain('至少保存3年');
    expect(answer.answer).toMatch(/^以下依据昶联当时施行的旧版隐私政策（2024-08-01）/);
  });

  it('"what changed" answers from the clause diff: retention and contact changes first, each cited', async () => {
    const now = await open('2025-06-01');
    for (const question of ['隐私政策最近改了什么', 'what changed in the privacy policy?']) {
      const answer = await now.ask('changlian', question);
      expect(answer.answerable).toBe(true);
      const cited = answer.citations.map((c) => `${c.effectiveDate} ${c.number}`);
      expect(cited.slice(0, 4)).toEqual(['2025-03-01 5.5.1', '2025-03-01 10.1', '2025-03-01 10.4', '2024-08-01 7.3']);
      expect(answer.statements).toHaveLength(answer.citations.length);
    }
    const zh = await now.ask('changlian', '隐私政策最近改了什么');
    expect(zh.answer).toContain('（2025-03-01 起施行）与上一版（2024-08-01）相比');
    expect(zh.statements[0]!.text).toMatch(/^【保存期限】修改：5\.5\.1 .*至少保存5年/);
    expect(zh.statements.some((s) => /^【联系方式】新增：10\.4/.test(s.text))).toBe(true);
    expect(zh.statements.some((s) => /删除：7\.3/.test(s.text))).toBe(true);
  });

  it('in a chat, "what changed" is answered from the diff, never taken for a correction request', async () => {
    const { engine } = await openEngine(await open('2025-06-01'));
    const chat = new Chat(engine, 'changlian', 'u-what-changed');
    for (const text of ['隐私政策最近修改了什么？', 'What has changed in your privacy policy?']) {
      const turn = await chat.send(text);
      expect(turn.intent).toBe('question');
      expect(turn.replies.map((r) => r.kind)).toEqual(['answer']);
      expect(turn.replies[0]!.citations[0]).toMatchObject({ number: '5.5.1', effectiveDate: '2025-03-01' });
    }
  });

  it('a tenant with one version says there is nothing to compare', async () => {
    const now = await open('2025-06-01');
    const answer = await now.ask('qiancheng', '隐私政策最近改了什么');
    expect(answer.answerable).toBe(false);
    expect(answer.citations).toEqual([]);
    expect(answer.answer).toContain('只有一个版本');
  });
});

describe('clause diff', () => {
  it('an unchanged but renumbered clause is no change; reworded clauses are changes', async () => {
    const { parsePolicy } = await import('../../src/knowledge/parser.ts');
    const before = parsePolicy('1. 收集\n我们收集手机号。\n2. 保存\n我们保存3年。\n3. 联系\n邮箱 a@example.com\n', { policyId: 'p' });
    const after = parsePolicy('1. 简介\n本政策适用于App。\n2. 收集\n我们收集手机号。\n3. 保存\n我们保存5年。\n', { policyId: 'p' });
    const diff = diffPolicies(before, after);
    expect(diff.changes.map((c) => [c.kind, c.topic, (c.after ?? c.before)!.number])).toEqual([
      ['changed', 'retention', '3'],
      ['removed', 'contact', '3'],
      ['added', null, '1'],
    ]);
    expect(diff.changes[0]!.newSentences).toEqual(['我们保存5年。']);
  });
});

describe('questions about the past', () => {
  it.each([
    ['去年的政策里怎么说的', { day: '2025-12-31' }],
    ['前年的隐私政策', { day: '2024-12-31' }],
    ['2023年的政策怎么规定保存期限', { day: '2023-12-31' }],
    ['What did the policy say last year?', { day: '2025-12-31' }],
    ['旧版政策里有这条吗', { previous: true }],
    ['in the previous version of the policy', { previous: true }],
    ['你们保存多久', null],
    ['注销之前需要做什么', null],
    ['2030年会改吗', null],
  ])('%s', (question, expected) => {
    expect(pastReference(question, '2026-06-01')).toEqual(expected);
  });
});
