// Every kind of personal number the bot hides, with real check rules: GB 11643 ID-card
// checksums (11010519491231002X is the standard's own example), Luhn for bank cards
// (4111111111111111 is the networks' public test number).

import { describe, expect, it } from 'vitest';
import { isValidId15, isValidId18, maskPersonalData, normaliseWidth, passesLuhn } from '../../src/privacy/mask.ts';
import { parseContact } from '../../src/tickets/contact.ts';

describe('maskPersonalData', () => {
  it.each([
    ['an email glued to Chinese text', '我的邮箱是a.b@example.com', '我的邮箱是a***@example.com'],
    ['an email between Chinese words', '发到zhang.san@corp.example.cn就行', '发到z***@corp.example.cn就行'],
    ['an email in English', 'mail me at Li.Wei+x@Example.COM.', 'mail me at L***@example.com.'],
    ['a mobile', '电话13812345678', '电话138****5678'],
    ['a mobile with +86 and spaces', '+86 138 1234 5678', '138****5678'],
    ['a mobile in full-width digits', '手机１３８１２３４５６７８', '手机138****5678'],
    ['an 18-digit ID with a valid checksum', '身份证号11010519491231002X。', '身份证号110***********002X。'],
    ['an 18-digit ID with a lower-case x', '11010519491231002x', '110***********002x'],
    ['an 18-digit ID in full-width digits', '１１０１０５１９４９１２３１００２Ｘ', '110***********002X'],
    ['a 15-digit ID', '老身份证110105491231002', '老身份证110*********002'],
    ['a bank card', '卡号4111111111111111', '卡号4111********1111'],
    ['a bank card in groups of four', '卡号 4111 1111 1111 1111 谢谢', '卡号 4111********1111 谢谢'],
    ['a 19-digit UnionPay card', '6212260200012345670', '6212***********5670'],
    ['a Chinese passport', '护照E12345678', '护照E******78'],
    ['a new-style Chinese passport', 'passport EA1234567 please', 'passport E******67 please'],
    ['a named foreign passport', '护照号码：X1234567', '护照号码：X*****67'],
    ['an English named passport', 'passport no. 123456789', 'passport no. 1******89'],
  ])('masks %s', (_kind, text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
  });

  it.each([
    ['an 18-digit number with a wrong checksum', '110105194912310021'],
    ['a 15-digit number that is no date', '110105499931002'],
    ['a 16-digit number failing Luhn', '4111111111111112'],
    ['an order number', '订单号 202611220001234 号'],
    ['a ticket id', 'DEL-20261202-0002 进度怎么样了？'],
    ['a twelve-digit number', '123456789012'],
    ['words after passport', 'passport photos are needed'],
    ['plain text', '我想删除我的个人信息'],
  ])('leaves %s alone', (_kind, text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it('masks several kinds in one message, and is stable when run again', () => {
    const text = '我叫张三，邮箱zs@example.com，电话13912345678，身份证11010519491231002X，卡4111 1111 1111 1111';
    const once = maskPersonalData(text);
    expect(once).toBe('我叫张三，邮箱z***@example.com，电话139****5678，身份证110***********002X，卡4111********1111');
    expect(maskPersonalData(once)).toBe(once);
  });
});

describe('check rules', () => {
  it('validates ID numbers and Luhn', () => {
    expect(isValidId18('11010519491231002X')).toBe(true);
    expect(isValidId18('11010519491231002Y')).toBe(false);
    expect(isValidId18('110105194913310027')).toBe(false); // month 13
    expect(isValidId15('110105491231002')).toBe(true);
    expect(passesLuhn('79927398713')).toBe(false); // too short for a card
    expect(passesLuhn('4111111111111111')).toBe(true);
  });

  it('normalises full-width digits one character for one', () => {
    expect(normaliseWidth('１３８－１２３４＠ｅ．cn')).toBe('138-1234@ｅ.cn');
  });
});

describe('contacts in the text', () => {
  it('accepts an email written right after Chinese text, and full-width mobiles', () => {
    expect(parseContact('我的邮箱是a.b@example.com')).toEqual({ kind: 'email', value: 'a.b@example.com' });
    expect(parseContact('邮箱是Li@Example.com，谢谢')).toEqual({ kind: 'email', value: 'li@example.com' });
    expect(parseContact('手机１３８１２３４５６７８')).toEqual({ kind: 'mobile', value: '13812345678' });
  });
});
