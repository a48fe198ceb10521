// Whether a message asks us TO DO something (request markers) or asks ABOUT something
// (question markers), and whether an action is negated in front ("我不想删除").

import { terms, type Terms } from './terms.ts';

/** How clearly the person asks us to do something. */
export const REQUEST_MARKERS: [Terms, number][] = [
  [terms('帮我', '帮忙', '替我', '为我', '帮个忙', 'help me'), 3],
  [terms(/我(?:就)?要(?!怎么|如何|去哪|在哪|知道|了解|问)/, '我想要', /我(?:就|只|还是)?想(?!知道|了解|问|请教|咨询|确认|看看你们)/, '我希望', /我需要(?!知道|了解)/, '我申请', '我请求', '我要求', '我决定', /^申请(?!进度|状态)/, /我不(?:想|希望|愿意|要|允许)(?:让)?你们/), 3],
  [terms(/(?:能不能|能否|可不可以|可以|能|方便的话|麻烦)(?:请|麻烦)?(?:你们?|您)?(?:帮(?:我|忙)|给我)/), 3],
  [terms(/(?<![申邀聘提])请(?!问|教)/, /^希望/, /[,，]希望/, '麻烦', '劳烦', '烦请', '劳驾', '立即', '立刻', '马上', '赶紧', '赶快', '尽快', '直接', '一定要', '必须', '现在就'), 2],
  [terms(/吧$/, /吧[,.!，。！]/), 1],
  [terms('please', 'pls', 'plz', 'kindly', 'asap', 'immediately', 'right now', 'right away', 'go ahead and', 'i hereby', 'effective immediately'), 3],
  [terms('for me', 'actually just', 'just do it'), 1],
  [terms(
    /\bi(?: really)? (?:want|need|wish|would like|'d like)(?! to (?:know|understand|ask|learn|find out|check whether|see (?:how|what|if|whether)))/,
    /\bi(?:'m| am) (?:requesting|asking you to|writing to request|withdrawing|revoking)/,
    'i request', 'i demand', 'i want you to', 'i need you to', "i'd like you to", 'i would be grateful if you could',
    "i'd be grateful if you could", "i'd be really grateful if you could", 'i kindly ask', 'would you mind', 'if it\'s not too much trouble',
    'would it be possible for you to', 'is it possible for you to', 'i\'d rather you', 'might i kindly request',
  ), 3],
  [terms(/\b(?:can|could|would) you(?! tell| explain| let me know| clarify| describe| confirm whether| say)/, 'will you please'), 2],
  // An English imperative: the message (or a sentence of it) starts with the action.
  [terms(/(?:^|[.!;] )(?:(?:hi|hello|hey|ok|okay|so|and|now|just)[, ]+)*(?:delete|remove|erase|wipe|purge|scrub|close|cancel|deactivate|terminate|export|download|send|email|give|transfer|move|port|correct|fix|update|change|amend|stop|withdraw|revoke|opt|unsubscribe|forget|don't|do not|never|shut|keep|take)\b/), 2],
];

/** How clearly the person asks about something. */
export const QUESTION_MARKERS: [Terms, number][] = [
  [terms('想知道', '想了解', '想问', '想咨询', '请问', '问一下', '问下', '请教', '告诉我', '咨询一下', '说明一下', '解释', '了解一下', '问问', '只是问', '就是问'), 3],
  [terms('怎么', '怎样', '如何', '咋', '啥', '什么', '干嘛', '干啥', '为啥', '哪些', '哪里', '哪儿', '哪个', '多久', '多长', '多少', '几天', '为什么', '为何', '是否', '能否', '可否', '有没有', '是不是', '会不会', '能不能', '可不可以', '可以不可以', '行不行', '要不要', '如果', '假如', '要是', '万一', '还在不在'), 2],
  [terms(/[吗嘛么呢][\s!.。！~]*$/, /[吗嘛么呢](?=[,，;；?？])/, '?'), 1],
  // A topic noun phrase is a terse question: "删除个人信息的流程", "purpose of collecting location".
  [terms('的目的', '的用途', '的方式', '的范围', '的规则', '的期限', '的原因', '的情况', '的流程', '的条件', '的步骤', '的规定', '的说明', '的渠道', 'purpose of', 'policy on', 'process for', 'procedure for', 'rules on', 'rules for', 'steps to'), 2],
  [terms('want to know', 'like to know', 'wondering', 'wonder', 'tell me', 'explain', 'curious', 'let me know', 'find out', 'question about', 'ask about', 'inquire', 'enquire', 'is it possible', 'am i able', 'is there a way', 'how to', 'how do i', 'how can i', 'how should i', 'want to understand', 'just asking', 'only asking', 'not asking'), 3],
  [terms(
    /(?:^|[,.;!?:]\s*)(?:(?:hi|hello|hey|ok|okay|so|and|but|also|then|well|sorry|excuse me|um)[, ]+)*(?:how|what|what's|which|when(?= (?:do|does|did|will|would|is|are|can|could|should|shall|was|were)\b)|where|why|who|whose|whom|do(?! not)|does|did|is|are|was|were|can i|can we|could i|could we|may i|should i|shall i|will you|will my|would i|have you|has|am i|if i|if you)\b/,
  ), 2],
];

const ZH_NEGATION = /(?:不要|不想|不用|不必|不需要|不打算|不愿|不希望|别|勿|甭|并不|没想|不是要|不是想|没打算|没说要|还是不|先别|不是)[^，。,.!?！？;；]{0,6}$|不$/;
const EN_NEGATION = /\b(?:don't|dont|do not|doesn't|does not|didn't|did not|won't|will not|wouldn't|would not|never|not|no need to|not asking you to)\b(?:\s+[\w']+){0,4}\s*$/;

/** Whether the match at `index` has a negation in front of it in the same clause. */
export function negatedAt(text: string, index: number): boolean {
  // "能不能", "是不是", "要不要", "有没有": questions, not negations.
  const before = text.slice(Math.max(0, index - 30), index).replace(/(.)[不没]\1/g, '$1');
  return ZH_NEGATION.test(before) || EN_NEGATION.test(before);
}

// 被 marks something that happened to the person ("账号被冻结"), not something they ask for.
const NEGATION_INSIDE = /不用|不要|不想|不需要|先不|暂时不|别|留着|保留|被(?!遗忘)|\b(?:don't|do not|not|keep|never)\b/;

/** Whether a matched span carries its own negation ("账号先留着不用注销", "account, don't close it"). */
export function negatedInside(span: string): boolean {
  return NEGATION_INSIDE.test(span.replace(/(.)[不没]\1/g, '$1'));
}

/**
 * A polite request is phrased as a yes/no question ("能否给我发一份副本？", "could you close my
 * account?"): without a wh-word it asks us to act, whatever the question marks say.
 */
const POLITE_REQUEST = new RegExp(
  [
    /(?:能不能|能否|可否|可以|可不可以|能|麻烦)(?:请|麻烦)?(?:你们?|您)?(?:帮|给|替|为)我/.source,
    /(?:能不能|能否|可否|可以|可不可以|能)(?:请|麻烦)?(?:你们?|您)?(?:把|将).{1,24}(?:给我|发我|发给我|寄给我)/.source,
    /(?:能不能|能否|可否|可不可以|能)[^,，。？?]{0,8}(?:给我|发我|发给我)/.source,
    /\b(?:could|can|would|will) you (?:please |kindly |just )?(?:delete|remove|erase|close|cancel|send|give|export|transfer|move|update|correct|fix|change|stop|withdraw|revoke|provide|email|forward|deactivate|terminate|put me|connect me|get me)\b/.source,
    /\bwould you (?:mind|be so kind)\b/.source,
  ].join('|'),
);
const WH = /怎么|怎样|如何|什么|哪|多久|多长|为什么|为何|是否|\b(?:how|what|why|when|where|which|whether)\b/;

export function politeRequest(text: string): boolean {
  return POLITE_REQUEST.test(text) && !WH.test(text);
}

export function markerWeight(markers: [Terms, number][], text: string): number {
  return markers.reduce((sum, [t, w]) => sum + (t.test(text) ? w : 0), 0);
}
