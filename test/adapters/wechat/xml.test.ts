import { describe, expect, it } from 'vitest';
import { extractEncrypt, MAX_XML_BYTES, parseEncryptedEnvelope, parseInbound, parseWechatXml, type WechatInbound } from '../../../adapters/wechat/xml.ts';
import { fixture, OFFICIAL } from './vectors.ts';

const USER = 'oyORnuP8q7ou2gfYjqLzSIWZf0rs';
const ACCOUNT = 'gh_10f6c3c3ac5a';

function parsed(xml: string): WechatInbound {
  const result = parseInbound(xml);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.message;
}

function errorCode(xml: string): string {
  const result = parseInbound(xml);
  return result.ok ? 'ok' : result.error.code;
}

const base = { ToUserName: ACCOUNT, FromUserName: USER };

describe('parseInbound: each message type, from fixtures', () => {
  it.each([
    ['text.xml', { ...base, CreateTime: 1409735668, MsgType: 'text', Content: 'abcdteT', MsgId: '6054768590064713728' }],
    [
      'text-chinese.xml',
      { ...base, CreateTime: 1700000000, MsgType: 'text', Content: ' 你们会把我的个人信息<共享>给第三方吗？a]]>b & 😀 ', MsgId: '24329612345678901234' },
    ],
    ['image.xml', { ...base, CreateTime: 1348831860, MsgType: 'image', PicUrl: 'http://mmbiz.qpic.cn/mmbiz_jpg/example/0', MediaId: 'media_id', MsgId: '1234567890123456' }],
    ['voice.xml', { ...base, CreateTime: 1357290913, MsgType: 'voice', MediaId: 'media_id', Format: 'amr', Recognition: '腾讯微信团队', MsgId: '1234567890123457' }],
    ['video.xml', { ...base, CreateTime: 1357290913, MsgType: 'video', MediaId: 'media_id', ThumbMediaId: 'thumb_media_id', MsgId: '1234567890123458' }],
    ['shortvideo.xml', { ...base, CreateTime: 1357290913, MsgType: 'shortvideo', MediaId: 'media_id', ThumbMediaId: 'thumb_media_id', MsgId: '1234567890123459' }],
    [
      'location.xml',
      { ...base, CreateTime: 1351776360, MsgType: 'location', Location_X: '23.134521', Location_Y: '113.358803', Scale: '20', Label: '位置信息', MsgId: '1234567890123460' },
    ],
    [
      'link.xml',
      {
        ...base,
        CreateTime: 1351776360,
        MsgType: 'link',
        Title: '公众平台官网链接',
        Description: '公众平台官网链接',
        Url: 'https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1',
        MsgId: '1234567890123461',
      },
    ],
    ['event-subscribe.xml', { ...base, CreateTime: 123456789, MsgType: 'event', Event: 'subscribe' }],
    ['event-subscribe-qrscene.xml', { ...base, CreateTime: 123456789, MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_123123', Ticket: 'TICKET' }],
    ['event-unsubscribe.xml', { ...base, CreateTime: 123456790, MsgType: 'event', Event: 'unsubscribe', EventKey: '' }],
    ['event-click.xml', { ...base, CreateTime: 123456789, MsgType: 'event', Event: 'CLICK', EventKey: 'PRIVACY_FAQ' }],
    ['event-location.xml', { ...base, CreateTime: 123456789, MsgType: 'event', Event: 'LOCATION', Latitude: '23.137466', Longitude: '113.352425', Precision: '119.385040' }],
    // Nested fields of events the bot does not use are dropped, not fatal.
    ['event-scancode-push.xml', { ...base, CreateTime: 1408090502, MsgType: 'event', Event: 'scancode_push', EventKey: '6' }],
  ])('%s', (file, expected) => {
    expect(parsed(fixture(file))).toEqual(expected);
  });

  it('keeps a MsgId above 2^53 exact', () => {
    const message = parsed(fixture('text.xml'));
    expect(message.MsgType === 'text' && message.MsgId).toBe('6054768590064713728');
    expect(Number('6054768590064713728').toString()).not.toBe('6054768590064713728');
  });
});

describe('parseInbound: XML details', () => {
  const text = (content: string) =>
    `<xml><ToUserName>${ACCOUNT}</ToUserName><FromUserName>${USER}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>${content}</Content><MsgId>1</MsgId></xml>`;
  const content = (xml: string) => {
    const m = parsed(xml);
    return m.MsgType === 'text' ? m.Content : null;
  };

  it.each([
    ['CDATA taken literally', '<![CDATA[&amp; <b>]]>', '&amp; <b>'],
    ['"]]>" split across CDATA sections', '<![CDATA[a]]]]><![CDATA[>b]]>', 'a]]>b'],
    ['text and CDATA in order', 'x<![CDATA[y]]>z', 'xyz'],
    ['predefined entities decoded once', '&lt;&gt;&amp;&quot;&apos; &amp;lt;', `<>&"' &lt;`],
    ['numeric references', '&#20320;&#x597D;&#x1F600;', '你好😀'],
    ['leading zeros kept (no number parsing)', '007', '007'],
    ['spaces kept', '  hi  ', '  hi  '],
    ['an empty element', '', ''],
    ['a comment dropped', 'a<!-- note -->b', 'ab'],
  ])('%s', (_, raw, expected) => {
    expect(content(text(raw))).toBe(expected);
  });

  it('accepts an XML declaration and surrounding whitespace', () => {
    expect(content(`<?xml version="1.0" encoding="UTF-8"?>\n  ${text('hi')}\n`)).toBe('hi');
  });

  it.each([
    ['an undeclared entity', '&nbsp;'],
    ['a reference to a non-XML character', '&#0;'],
    ['a bare ampersand', 'a & b'],
    ['a bare <', 'a < b'],
  ])('refuses %s as malformed', (_, raw) => {
    expect(errorCode(text(raw))).toBe('malformed_xml');
  });
});

describe('parseWechatXml refuses unsafe and malformed bodies', () => {
  it.each([
    ['billion laughs', fixture('attack-billion-laughs.xml')],
    ['external entity (XXE), lowercase', fixture('attack-xxe.xml')],
    ['a bare DOCTYPE', `<!DOCTYPE xml>${fixture('text.xml')}`],
    ['an ENTITY declaration without DOCTYPE', `<!ENTITY a "b">${fixture('text.xml')}`],
  ])('%s → forbidden_dtd', (_, body) => {
    const result = parseWechatXml(body);
    expect(result.ok ? 'ok' : result.error.code).toBe('forbidden_dtd');
  });

  it('checks the size before parsing', () => {
    const padding = ' '.repeat(MAX_XML_BYTES);
    expect(errorCode(`${fixture('text.xml')}${padding}`)).toBe('too_large');
    // Bytes, not characters: 350k Chinese characters are over 1 MB in UTF-8.
    expect(errorCode(`<xml><Content>${'隐'.repeat(350_000)}</Content></xml>`)).toBe('too_large');
  });

  it.each([
    ['empty', ''],
    ['not XML', 'hello'],
    ['JSON', '{"MsgType":"text"}'],
    ['unclosed root', '<xml><MsgType>text</MsgType>'],
    ['mismatched tags', '<xml><MsgType>text</xml></MsgType>'],
    ['truncated', fixture('text.xml').slice(0, 100)],
    ['a prototype-polluting tag', '<xml><__proto__><polluted>1</polluted></__proto__></xml>'],
    ['a constructor tag', '<xml><constructor>1</constructor></xml>'],
    ['deep nesting', `<xml>${'<a>'.repeat(50)}${'</a>'.repeat(50)}</xml>`],
    ['text mixed with fields', '<xml>hello<MsgType>text</MsgType></xml>'],
  ])('%s → malformed_xml', (_, body) => {
    const result = parseWechatXml(body);
    expect(result.ok ? 'ok' : result.error.code).toBe('malformed_xml');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['another root', '<message><MsgType>text</MsgType></message>'],
    ['a namespaced root', '<a:xml xmlns:a="urn:x"><MsgType>text</MsgType></a:xml>'],
    ['two roots', `${fixture('text.xml')}<xml/>`],
    ['a second element after the root', `${fixture('text.xml')}<evil/>`],
  ])('%s → not_xml_root', (_, body) => {
    const result = parseWechatXml(body);
    expect(result.ok ? 'ok' : result.error.code).toBe('not_xml_root');
  });

  it('never quotes the body in its error messages', () => {
    const secret = '我的身份证号是110101199003071234';
    const result = parseInbound(`<xml><MsgType>text</MsgType><Content>${secret}</Content></xml>`);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('110101199003071234');
  });
});

describe('parseInbound validates the message', () => {
  const ok = fixture('text.xml');
  it.each([
    ['a missing MsgId', ok.replace(/<MsgId>.*<\/MsgId>/, ''), 'invalid_message'],
    ['a non-numeric MsgId', ok.replace('6054768590064713728', '6054768590064713728x'), 'invalid_message'],
    ['a missing FromUserName', ok.replace(/<FromUserName>.*<\/FromUserName>/, ''), 'invalid_message'],
    ['an empty FromUserName', ok.replace('oyORnuP8q7ou2gfYjqLzSIWZf0rs', ''), 'invalid_message'],
    ['a non-numeric CreateTime', ok.replace('1409735668', 'yesterday'), 'invalid_message'],
    ['a missing Content', ok.replace(/<Content>.*<\/Content>/, ''), 'invalid_message'],
    ['a repeated Content', ok.replace('<Content>', '<Content>a</Content><Content>'), 'invalid_message'],
    ['a nested Content', ok.replace('<![CDATA[abcdteT]]>', '<b>abcdteT</b>'), 'invalid_message'],
    ['a missing MsgType', ok.replace(/<MsgType>.*<\/MsgType>/, ''), 'invalid_message'],
    ['an event without Event', fixture('event-subscribe.xml').replace(/<Event>.*<\/Event>/, ''), 'invalid_message'],
    ['an unknown MsgType', ok.replace('[text]', '[miniprogrampage]'), 'unsupported_message'],
    ['an empty <xml/>', '<xml/>', 'invalid_message'],
    ['the encrypted envelope', fixture('encrypted-envelope.xml'), 'invalid_message'],
  ])('%s → %s', (_, xml, code) => {
    expect(errorCode(xml)).toBe(code);
  });
});

describe('parseEncryptedEnvelope', () => {
  it('reads the safe-mode body of the official sample', () => {
    expect(parseEncryptedEnvelope(fixture('encrypted-envelope.xml'))).toEqual({ ok: true, envelope: { ToUserName: ACCOUNT, Encrypt: OFFICIAL.encrypt } });
  });

  it('reads only the Encrypt of a "compatible mode" body', () => {
    const body = fixture('text.xml').replace('</xml>', `<Encrypt><![CDATA[${OFFICIAL.encrypt}]]></Encrypt></xml>`);
    expect(parseEncryptedEnvelope(body)).toEqual({ ok: true, envelope: { ToUserName: ACCOUNT, Encrypt: OFFICIAL.encrypt } });
  });

  it.each([
    ['a plain message', fixture('text.xml'), 'invalid_message'],
    ['an empty Encrypt', '<xml><Encrypt></Encrypt></xml>', 'invalid_message'],
    ['a DTD', `<!DOCTYPE x>${fixture('encrypted-envelope.xml')}`, 'forbidden_dtd'],
  ])('refuses %s', (_, body, code) => {
    const result = parseEncryptedEnvelope(body);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });
});

describe('extractEncrypt', () => {
  const E = 'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJ+/=';
  it.each([
    ['safe mode with CDATA', `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${E}]]></Encrypt></xml>`, E],
    ['bare base64', `<xml><Encrypt>${E}</Encrypt></xml>`, E],
    ['compatible mode, plaintext fields first', `<xml><Content><![CDATA[hi]]></Content><MsgId>1</MsgId><Encrypt><![CDATA[${E}]]></Encrypt></xml>`, E],
  ])('finds the value in %s', (_name, body, expected) => {
    expect(extractEncrypt(body)).toBe(expected);
  });

  it.each([
    ['no Encrypt', '<xml><Content>hi</Content></xml>'],
    ['two Encrypt elements', `<xml><Encrypt>${E}</Encrypt><Encrypt>AAAA</Encrypt></xml>`],
    ['a second tag hidden in a comment', `<xml><!--<Encrypt>AAAA</Encrypt>--><Encrypt>${E}</Encrypt></xml>`],
    ['a second tag hidden in a CDATA field', `<xml><Content><![CDATA[<Encrypt>AAAA</Encrypt>]]></Content><Encrypt>${E}</Encrypt></xml>`],
    ['something other than base64', '<xml><Encrypt><x/></Encrypt></xml>'],
    ['an empty value', '<xml><Encrypt></Encrypt></xml>'],
    ['an unclosed element', `<xml><Encrypt>${E}`],
  ])('finds none in %s', (_name, body) => {
    expect(extractEncrypt(body)).toBeNull();
  });
});
