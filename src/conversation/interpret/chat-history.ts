// Erasing the conversation with the bot itself ("删除我的聊天记录", "forget what I told you"):
// the bot does that at once, so it is told apart from a rights request and from a question.

import { DELETE, FORGET_CHAT } from './actions.ts';
import { holds } from './classify.ts';
import { markerWeight, QUESTION_MARKERS, REQUEST_MARKERS } from './mood.ts';
import { maskPolicyTitles } from './normalise.ts';
import { CHAT_HISTORY } from './objects.ts';
import { anyOf } from './terms.ts';

/** True when the (normalised) message asks to erase the chat, not to ask about it. */
export function isChatHistoryErasure(normal: string): boolean {
  const t = maskPolicyTitles(normal);
  if (!CHAT_HISTORY.test(t)) return false;
  if (!holds([anyOf(DELETE, FORGET_CHAT), CHAT_HISTORY], true, t)) return false;
  const request = markerWeight(REQUEST_MARKERS, t);
  const question = markerWeight(QUESTION_MARKERS, t);
  return question === 0 || (request > 0 && request >= question);
}
