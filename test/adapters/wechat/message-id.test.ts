import { describe, expect, it } from 'vitest';
import { dedupeKey } from '../../../adapters/wechat/message-id.ts';
import { parseInbound, type WechatInbound } from '../../../adapters/wechat/xml.ts';
import { fixture } from './vectors.ts';

function message(xml: string): WechatInbound {
  const result = parseInbound(xml);
  if (!result.ok) throw new Error(result.error.message);
  return result.message;
}

describe('dedupeKey (PROTOCOLS.md: messages by MsgId, events by FromUserName + CreateTime)', () => {
  it.each([
    ['text.xml', '6054768590064713728'],
    ['text-chinese.xml', '24329612345678901234'],
    ['image.xml', '1234567890123456'],
    ['voice.xml', '1234567890123457'],
    ['video.xml', '1234567890123458'],
    ['shortvideo.xml', '1234567890123459'],
    ['location.xml', '1234567890123460'],
    ['link.xml', '1234567890123461'],
    ['event-subscribe.xml', 'oyORnuP8q7ou2gfYjqLzSIWZf0rs:123456789:subscribe'],
    ['event-unsubscribe.xml', 'oyORnuP8q7ou2gfYjqLzSIWZf0rs:123456790:unsubscribe'],
    ['event-click.xml', 'oyORnuP8q7ou2gfYjqLzSIWZf0rs:123456789:CLICK'],
  ])('%s → %s', (file, key) => {
    expect(dedupeKey(message(fixture(file)))).toBe(key);
  });

  it('gives all four deliveries of one message the same key', () => {
    for (const file of ['text.xml', 'event-subscribe-qrscene.xml']) {
      const keys = new Set(Array.from({ length: 4 }, () => dedupeKey(message(fixture(file)))));
      expect(keys.size).toBe(1);
    }
  });

  it('uses MsgId, not time, for messages: two texts in the same second stay apart', () => {
    const a = fixture('text.xml');
    const b = a.replace('6054768590064713728', '6054768590064713729').replace('abcdteT', 'another');
    expect(dedupeKey(message(a))).not.toBe(dedupeKey(message(b)));
    // A redelivered text is the same MsgId even if nothing else matched.
    expect(dedupeKey(message(a.replace('abcdteT', 'x')))).toBe(dedupeKey(message(a)));
  });

  it('keeps events of different users, times or kinds apart', () => {
    const subscribe = fixture('event-subscribe.xml');
    const keys = [
      subscribe,
      subscribe.replace('oyORnuP8q7ou2gfYjqLzSIWZf0rs', 'oyORnuP8q7ou2gfYjqLzSIWZf0rt'),
      subscribe.replace('123456789', '123456790'),
      fixture('event-click.xml'), // same user, same second, another event
    ].map((xml) => dedupeKey(message(xml)));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never lets a message key equal an event key', () => {
    const keys = ['text.xml', 'image.xml', 'event-subscribe.xml', 'event-location.xml'].map((f) => dedupeKey(message(fixture(f))));
    expect(keys.filter((k) => /^\d+$/.test(k))).toHaveLength(2);
    expect(keys.filter((k) => k.includes(':'))).toHaveLength(2);
  });
});
