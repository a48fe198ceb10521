import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractContactFacts, tenantContactFacts } from '../../src/knowledge/contact-facts.ts';
import { DEFAULT_KNOWLEDGE_DIR, loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { parsePolicy } from '../../src/knowledge/parser.ts';

const CAPP = join(DEFAULT_KNOWLEDGE_DIR, '../../shared/corpora/capp-130');
const facts = (text: string) => extractContactFacts(parsePolicy(text, { policyId: 'x' })).map((f) => [f.kind, f.value, f.clauseId]);

describe('contact facts', () => {
  it('reads email, phone, address and response time, each with the clause that states it', () => {
    const text = [
      '一、收集',
      '1、我们会收集您的手机号码用于登录。',
      '九、如何联系我们',
      '1、邮箱：Privacy@Example.com；客服电话：400-820-0000。',
      '2、注册地址：北京市海淀区中关村大街1号，邮编：100080。',
      '3、我们将在15个工作日内回复您的请求。',
    ].join('\n');
    expect(facts(text)).toEqual([
      ['email', 'privacy@example.com', 'x#九.1'],
      ['phone', '400-820-0000', 'x#九.1'],
      ['address', '北京市海淀区中关村大街1号', 'x#九.2'],
      ['response-time', '15 working days', 'x#九.3'],
    ]);
  });

  it('takes a number for a phone only where the text says it is one, and each value once', () => {
    const text = ['1. 2022年1月1日起，我们收集13800138000等手机号。', '2. 拨打010-12345678联系我们。', '3. 也可拨打010-12345678。'].join('\n');
    expect(facts(text)).toEqual([['phone', '010-12345678', 'x#2']]);
  });

  it('finds what the bundled policies state (giantkone)', () => {
    const kb = loadKnowledgeBase();
    const found = extractContactFacts(kb.clauses.filter((c) => c.policyId === 'giantkone-privacy'));
    expect(found.map((f) => `${f.kind} ${f.value}`)).toEqual(
      expect.arrayContaining(['email comms@giantkone.com', 'phone 0572-3017777', 'address 浙江省湖州市南浔经济开发区浔织路2005号', 'response-time 30 days']),
    );
    expect(found.find((f) => f.kind === 'response-time')?.sentence).toContain('三十天内做出答复');
  });

  it('gathers a tenant’s facts from all its policies and none of another tenant’s', () => {
    const kb = loadKnowledgeBase();
    const qiancheng = tenantContactFacts(kb, 'qiancheng');
    expect(qiancheng.map((f) => `${f.kind} ${f.value}`)).toEqual(expect.arrayContaining(['phone (086)-0532-88036767', 'response-time 15 working days']));
    expect(qiancheng.every((f) => f.policyId.startsWith('qiancheng'))).toBe(true);
    expect(new Set(tenantContactFacts(kb, 'giantkone').map((f) => f.policyId))).toEqual(new Set(['giantkone-privacy', 'giantkone-rules']));
  });

  it('finds the contact email JJ斗地主 (capp-003) hides in its preamble, in a clause of its own size', () => {
    const clauses = parsePolicy(readFileSync(join(CAPP, 'capp-003.txt'), 'utf8'), { policyId: 'capp-003' });
    const email = extractContactFacts(clauses).find((f) => f.kind === 'email')!;
    expect(email.value).toBe('privacy@service.jj.cn');
    expect(clauses.find((c) => c.clauseId === email.clauseId)!.text.length).toBeLessThan(700);
  });
});
