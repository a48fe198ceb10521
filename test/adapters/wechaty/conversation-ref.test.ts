import { describe, expect, it } from 'vitest';
import { contactRef, parseConversationRef, roomRef } from '../../../adapters/wechaty/conversation-ref.ts';

describe('wechaty: conversation references', () => {
  it.each([
    [contactRef('wxid_abc123'), 'wechaty:contact:wxid_abc123', { kind: 'contact', contactId: 'wxid_abc123' }],
    [roomRef('20123456789@chatroom', 'wxid_abc'), 'wechaty:room:20123456789@chatroom:wxid_abc', { kind: 'room', roomId: '20123456789@chatroom', talkerId: 'wxid_abc' }],
    [roomRef('r:1%', 'u:2'), 'wechaty:room:r%3A1%25:u%3A2', { kind: 'room', roomId: 'r:1%', talkerId: 'u:2' }],
  ])('%s round-trips', (ref, expected, target) => {
    expect(ref).toBe(expected);
    expect(parseConversationRef(ref)).toEqual(target);
  });

  it.each(['slack:C1:1.2', 'wechaty:contact:', 'wechaty:room:r1', 'wechaty:contact:a:b', 'wechaty:group:r1:u1', 'wechaty:contact:%E0%A4%A'])('refuses %j', (ref) => {
    expect(parseConversationRef(ref)).toBeNull();
  });
});
