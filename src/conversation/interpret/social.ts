// Greetings, thanks and goodbyes: a message made only of these (and their addressees and
// fillers) is social talk the bot answers in kind, with a reply that fits which one it is.

import { terms } from './terms.ts';

export type Social = 'hello' | 'thanks' | 'bye';

const HELLO = terms(
  '你们好', '你好', '您好', '大家好', '嗨', '哈喽', '哈啰', '哈罗', '嘿', '喂', '在吗', '在么', '在不在', '有人在吗',
  '有人吗', '早上好', '上午好', '中午好', '下午好', '晚上好', '早安', '午安', '早', '你好吗', '最近好吗', '好久不见',
  'hello', 'hi', 'hey', 'hiya', 'howdy', 'yo', 'greetings', 'good morning', 'good afternoon', 'good evening',
  'good day', 'morning', 'evening', 'how are you', "how's it going", 'how are you doing', 'nice to meet you',
  'anyone there', 'is anyone there', 'are you there', 'anybody there',
);
const THANKS = terms('谢', '谢谢', '多谢', '感谢', '谢了', '辛苦了', '辛苦', 'thanks', 'thank you', 'thx', 'ty', 'cheers', 'much appreciated', 'appreciate it');
const BYE = terms('再见', '拜拜', '回见', '晚安', '下次见', 'bye', 'goodbye', 'good bye', 'see you', 'see ya', 'good night', 'bye bye');

/** What may stand around a greeting without making it more than one: addressees, fillers, "got it". */
const FILLER = terms(
  '你们', '你', '您', '大家', '客服', '小助手', '助手', '机器人', '亲', '呀', '啊', '哈', '呢', '啦', '嘛', '哦', '噢',
  '吗', '么', '好的', '好', '非常', '很', '了', '哈哈', '嗯', '那', '先', '一下', '的', '请问', '帮助', '帮忙', '耐心', '解答',
  '回答', '回复', '明白', '知道', '懂', '了解', '清楚', '没有别的问题', '没别的问题', '没有其他问题', '没其他问题', '没问题',
  '没事', '就这样', '就这些', '行',
  'there', 'everyone', 'all', 'bot', 'team', 'you', 'so much', 'very much', 'a lot', 'again', 'guys', 'folks',
  'ok', 'okay', 'great', 'then', 'for now', 'for your help', 'for the help', 'for helping', 'help', 'your', 'much', 'and', 'oh', 'well',
  'got it', 'understood', 'that helps', 'that helped', "that's all", 'that is all', "that's clear", 'clear now', 'clear', 'now',
  'perfect', 'awesome', 'cool', 'nice', 'i see', 'makes sense', 'that', "that's", 'it', 'is', 'helpful', 'really',
);

/** Which kind of social talk the message is, or null when it says anything more. */
export function socialOnly(text: string): Social | null {
  const hello = HELLO.test(text);
  const thanks = THANKS.test(text);
  const bye = BYE.test(text);
  if (!hello && !thanks && !bye) return null;
  const rest = text
    .replace(THANKS.re, ' ')
    .replace(BYE.re, ' ')
    .replace(HELLO.re, ' ')
    .replace(FILLER.re, ' ')
    .replace(/[\s\p{P}\p{S}~]+/gu, '');
  if (rest !== '') return null;
  return thanks ? 'thanks' : bye ? 'bye' : 'hello';
}

/** Thanks somewhere in a longer message ("好的谢谢，没别的了"): used when nothing else is asked. */
export function mentionsThanks(text: string): Social | null {
  if (THANKS.test(text)) return 'thanks';
  if (BYE.test(text)) return 'bye';
  return null;
}
