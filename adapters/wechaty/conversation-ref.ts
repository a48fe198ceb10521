// Conversation references for wechaty: one string naming where a reply goes.
//   wechaty:contact:<talkerId>         a one-to-one chat
//   wechaty:room:<roomId>:<talkerId>   one person in a group: each member of a room fills
//                                      their own rights-request form, so the ref names both.
// Puppet ids are opaque; ':' and '%' inside them are percent-escaped so the ref splits back
// unambiguously (ordinary ids such as "wxid_abc" or "123@chatroom" stay as they are).

export type WechatyTarget = { kind: 'contact'; contactId: string } | { kind: 'room'; roomId: string; talkerId: string };

const PREFIX = 'wechaty';

const escape = (id: string) => id.replace(/%/g, '%25').replace(/:/g, '%3A');

function unescape(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function contactRef(contactId: string): string {
  return `${PREFIX}:contact:${escape(contactId)}`;
}

export function roomRef(roomId: string, talkerId: string): string {
  return `${PREFIX}:room:${escape(roomId)}:${escape(talkerId)}`;
}

/** The contact or room a reference names, or null when it is not a wechaty reference. */
export function parseConversationRef(ref: string): WechatyTarget | null {
  const parts = ref.split(':');
  if (parts[0] !== PREFIX) return null;
  const ids = parts.slice(2).map(unescape);
  if (ids.some((id) => !id)) return null;
  if (parts[1] === 'contact' && ids.length === 1) return { kind: 'contact', contactId: ids[0]! };
  if (parts[1] === 'room' && ids.length === 2) return { kind: 'room', roomId: ids[0]!, talkerId: ids[1]! };
  return null;
}
