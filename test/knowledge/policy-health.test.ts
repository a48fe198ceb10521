import { describe, expect, it } from 'vitest';
import { tenantHealth, formatTenantHealth } from '../../src/knowledge/health-report.ts';
import { findTenant, loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { parsePolicy } from '../../src/knowledge/parser.ts';
import { checkPolicy } from '../../src/knowledge/policy-health.ts';
import { detectEffectiveDate } from '../../src/knowledge/policy-onboarding.ts';

const kb = loadKnowledgeBase();
const report = (tenant: string) => tenantHealth(kb, findTenant(kb, tenant));
const finding = (tenant: string, policy: string, element: string) =>
  report(tenant).policies.find((p) => p.policyId === policy)!.findings.find((f) => f.element === element)!;

describe('policy check: the elements PIPL art. 17 / GB/T 35273 require', () => {
  it("smarthw: the Chinese rights chapter is empty and no response deadline is stated", () => {
    const zh = report('smarthw').policies.find((p) => p.policyId === 'smarthw-privacy-zh')!;
    expect(zh.emptyChapters.map((c) => `${c.number} ${c.title}`)).toEqual(['第五章 您的权利']);
    expect(zh.missing).toEqual(expect.arrayContaining(['response_deadline', 'right_access', 'right_withdraw']));
    expect(finding('smarthw', 'smarthw-privacy-zh', 'right_access').note).toContain('第五章 您的权利 is empty');
    const text = formatTenantHealth(report('smarthw'));
    expect(text).toMatch(/MISSING response deadline for requests/);
    expect(text).toMatch(/EMPTY\s+第五章 您的权利/);
  });

  it('a complete policy states each element with the clause that says it', () => {
    expect(finding('giantkone', 'giantkone-privacy', 'response_deadline')).toMatchObject({ status: 'present', note: '30 days' });
    expect(finding('giantkone', 'giantkone-privacy', 'response_deadline').clause!.number).toMatch(/^7\.4/);
    expect(finding('qiancheng', 'qiancheng-privacy', 'response_deadline')).toMatchObject({ status: 'present', note: '15 working days' });
    expect(finding('giantkone', 'giantkone-privacy', 'children')).toMatchObject({ status: 'present', clause: { number: '8' } });
    expect(finding('giantkone', 'giantkone-privacy', 'cross_border')).toMatchObject({ status: 'present', clause: { number: '9' } });
    expect(finding('changlian', 'changlian-privacy', 'contact')).toMatchObject({ status: 'present', clause: { number: '10.1' } });
  });

  it('giantkone: the policy and the processing rules agree on the deadline and differ on contacts', () => {
    const overlaps = report('giantkone').overlaps;
    expect(overlaps.find((o) => o.topic === 'response_deadline')).toMatchObject({ differs: false, policies: ['giantkone-privacy', 'giantkone-rules'] });
    const contact = overlaps.find((o) => o.topic === 'contact')!;
    expect(contact.differs).toBe(true);
    expect(contact.sides[1].values).toEqual(expect.arrayContaining(['personaldatarequest@kone.com']));
    expect(contact.sides[0].values).not.toContain('personaldatarequest@kone.com');
    // Two language versions of one text are not compared.
    expect(report('smarthw').overlaps).toEqual([]);
  });

  it('a policy that states nothing is missing every element', () => {
    const clauses = parsePolicy('欢迎使用本应用。\n', { policyId: 'empty' });
    const health = checkPolicy({ id: 'empty', tenant: 't', file: 'x.txt', title: 't', language: 'zh' }, clauses);
    expect(health.missing).toHaveLength(health.findings.length);
  });
});

describe('effective dates', () => {
  it('reads the effective date a policy states', () => {
    expect(detectEffectiveDate('WPS隐私政策\n更新日期：2022年05月19日\n生效日期：2022年05月24日\n')).toBe('2022-05-24');
    expect(detectEffectiveDate('本政策自2023年1月5日起生效。')).toBe('2023-01-05');
    expect(detectEffectiveDate('Effective date: 2024-03-01')).toBe('2024-03-01');
    expect(detectEffectiveDate('没有日期')).toBeUndefined();
  });
});
