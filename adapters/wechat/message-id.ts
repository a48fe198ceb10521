// WeChat redelivers a POST it got no answer to within 5 s (up to three retries, so up to four
// deliveries). Its documented dedupe rule: messages by MsgId, events (which have none) by
// FromUserName + CreateTime.
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html

import type { WechatInbound } from './xml.ts';

/**
 * The key under which redeliveries of one message collide. Messages: their MsgId (a string:
 * it exceeds 2^53). Events: `FromUserName:CreateTime:Event`; the Event name is appended because
 * a redelivery repeats it anyway, while two different events from one user in the same second
 * (a subscribe and a menu CLICK) must not swallow each other. A MsgId is all digits and an
 * event key holds ':', so the two kinds cannot collide. Keys are per account: scope the store
 * by tenant.
 */
export function dedupeKey(message: WechatInbound): string {
  if (message.MsgType === 'event') return `${message.FromUserName}:${message.CreateTime}:${message.Event}`;
  return message.MsgId;
}
