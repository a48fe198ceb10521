import { describe, expect, it } from 'vitest';
import {
  analyseQuery,
  asksForContact,
  CONTACT_ADDRESS,
  CONTACT_EMAIL,
  CONTACT_PHONE,
  contactValues,
  searchTenant,
} from '../../src/retrieval/hybrid-retriever.ts';
import { lexicon, syntheticIndex } from './synthetic.ts';

describe('questions for the company’s own contact details', () => {
  it('are told apart from questions about the user’s phone or email as data', () => {
    expect(asksForContact('你们的联系电话是多少')).toBe(CONTACT_PHONE);
    expect(asksForContact('客服邮箱是什么')).toBe(CONTACT_EMAIL);
    expect(asksForContact('贵公司地址在哪里')).toBe(CONTACT_ADDRESS);
    expect(asksForContact('怎么联系你们')).toBe(CONTACT_PHONE | CONTACT_EMAIL | CONTACT_ADDRESS);
    expect(asksForContact('What is your email address?')).toBe(CONTACT_EMAIL);
    expect(asksForContact('How can I contact you?')).toBe(CONTACT_PHONE | CONTACT_EMAIL | CONTACT_ADDRESS);
    // The company named instead of "your", or the service desk named alone.
    expect(asksForContact("What's Acme's customer service phone number?")).toBe(CONTACT_PHONE);
    expect(asksForContact('customer service email?')).toBe(CONTACT_EMAIL);
    expect(asksForContact("Do you share a user's phone number?")).toBe(0);
    for (const q of ['你们会收集我的电话吗', '为什么要我的手机号', '我的邮箱会被共享吗', 'Do you collect my phone number?', '你们收集哪些个人信息']) {
      expect(asksForContact(q), q).toBe(0);
    }
  });

  it('recognises the contact details a clause states, not the words for them', () => {
    expect(contactValues('联系电话：0571-88886666')).toBe(CONTACT_PHONE);
    expect(contactValues('在线客服(400-7800-900)')).toBe(CONTACT_PHONE);
    expect(contactValues('请发送邮件至 privacy@example.com')).toBe(CONTACT_EMAIL);
    expect(contactValues('地址：浙江省杭州市西湖区文三路100号')).toBe(CONTACT_ADDRESS);
    expect(contactValues('我们会收集您的姓名、电话号码、电子邮件地址。')).toBe(0);
    expect(contactValues('本政策自2024年8月1日起生效，共15个工作日。')).toBe(0);
  });

  it('rank the clause that states the company’s number above lists of collected data', async () => {
    const index = syntheticIndex([
      ['1', null, '', '个人基本资料：姓名、联系电话、电话号码、电子邮件地址。'],
      ['2', null, '', '为注册账号，您需要提供手机号码等联系电话。'],
      ['3', null, '', '我们会采取加密等安全措施保护您的个人信息。'],
      ['4', null, '', '我们只会在实现目的所必需的期限内保存您的个人信息。'],
      ['5', null, '如何联系我们', '如何联系我们 如有疑问，可通过以下方式与我们联系。联系电话：0571-88886666 邮箱：privacy@example.com'],
    ]);
    const none = lexicon([]);
    const rank = async (q: string) => (await searchTenant(index, analyseQuery(q, none, index), q, null, { k: 3, language: 'zh' })).map((r) => r.clause.number);
    expect((await rank('你们的联系电话是多少'))[0]).toBe('5');
    // Asking about the user's own number is left alone.
    expect((await rank('你们会收集我的联系电话吗'))[0]).not.toBe('5');
  });
});
