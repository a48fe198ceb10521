// The evidence table: each rule is a conjunction of term groups ("a delete verb" AND "a piece
// of personal data") that gives one intent a weight. New phrasings of a right go here.

import type { Intent } from '../types.ts';
import * as A from './actions.ts';
import * as O from './objects.ts';
import { anyOf, near, terms, together, type Terms } from './terms.ts';

export interface Rule {
  intent: Intent;
  weight: number;
  /** Every group must occur somewhere in the message. */
  all: Terms[];
  /** A negation in front of the first group cancels it ("我不想删除", "don't delete my data"). */
  negatable?: boolean;
  /** The rule does not hold when any of these occurs ("wipe everything you have on me" is no access request). */
  unless?: Terms[];
  /** Holds in questions too: asking is the request ("能转人工吗", "what's the status of my request?"). */
  interrogative?: boolean;
  note: string;
}

export const RULES: Rule[] = [
  // delete_data
  { intent: 'delete_data', weight: 2.5, all: [A.DELETE, O.DATA], negatable: true, note: 'delete + data: 删除我的信息, erase my records' },
  { intent: 'delete_data', weight: 1.5, all: [A.DELETE_ALONE], negatable: true, note: 'a delete verb alone: 全删了, delete it all' },
  { intent: 'delete_data', weight: 2.5, all: [A.FORGET], negatable: true, note: 'the right to be forgotten' },
  { intent: 'delete_data', weight: 2.5, all: [anyOf(A.DELETE, A.FORGET_CHAT), O.CHAT_HISTORY], negatable: true, note: 'the chat with the bot (the caller erases it)' },
  { intent: 'delete_data', weight: 2, all: [A.NOT_KEEP], note: 'not wanting anything kept: nothing of mine should stay' },
  { intent: 'delete_data', weight: 2.5, all: [A.NOT_KEEP, O.DATA], note: 'not wanting it kept: 别留着了, no reason for you to still have it' },

  // cancel_account
  { intent: 'cancel_account', weight: 3, all: [together(A.CLOSE, O.ACCOUNT, 14)], unless: [near(O.ACCOUNT, O.DATA, 2)], negatable: true, note: 'close/delete + account in one clause: 删除账号, close my account' },
  { intent: 'cancel_account', weight: 3, all: [A.CANCEL_ALONE], negatable: true, note: '注销, 销户: always the account' },
  { intent: 'cancel_account', weight: 2.5, all: [A.GIVE_UP], note: "这个账号我不要了, I don't want my account anymore" },

  // access_data
  { intent: 'access_data', weight: 2.5, all: [A.ACCESS, O.SELF_DATA], unless: [A.WITHDRAW, near(A.PORT, O.ELSEWHERE, 24)], negatable: true, note: 'see/export/download + my data' },
  { intent: 'access_data', weight: 3, all: [A.COPY, O.SELF_DATA], unless: [near(A.PORT, O.ELSEWHERE, 40)], note: 'a copy of my data: 副本, copy of my information' },
  { intent: 'access_data', weight: 3, all: [near(A.SEND_ME, A.COPY, 20)], note: 'send me a copy: provide me with a full copy of that data' },
  { intent: 'access_data', weight: 2.5, all: [A.COPY, terms('个人信息', 'personal data', 'personal information')], note: 'a copy of personal data' },
  { intent: 'access_data', weight: 3, all: [terms('subject access request', 'data subject access', 'dsar', '访问请求')], note: 'a subject access request' },
  { intent: 'access_data', weight: 3.5, all: [A.WHAT_YOU_HOLD], unless: [A.DELETE], interrogative: true, note: 'what do you hold about me (the person’s own data)' },

  // correct_data
  { intent: 'correct_data', weight: 2.5, all: [A.CORRECT, O.FIELDS], negatable: true, note: 'correct/update + a field: 改一下手机号, update my address' },
  { intent: 'correct_data', weight: 2.5, all: [A.WRONG, O.FIELDS], note: 'a field is wrong: 名字拼错了, my email is wrong' },
  { intent: 'correct_data', weight: 2, all: [terms('更正', '纠正', '订正', 'rectif*', 'rectification')], negatable: true, note: 'correction verbs alone' },
  { intent: 'correct_data', weight: 3.5, all: [A.LIFE_CHANGED, anyOf(A.STALE, A.CORRECT, A.WRONG)], note: 'life changed, the record did not: 我换手机号了，系统里还是以前那个' },
  { intent: 'correct_data', weight: 2.5, all: [near(terms('my', '我的'), O.FIELDS, 8), A.RIGHT_VALUE], note: 'my field and what it should be: my date of birth ..., it should be 1997' },
  { intent: 'correct_data', weight: 3, all: [terms('have me down as', 'have me listed as', 'listed me as', 'recorded me as', '把我登记成', '把我写成'), A.RIGHT_VALUE], note: 'recorded as one thing, really another: you have me down as female but I am male' },
  { intent: 'correct_data', weight: 2.5, all: [together(O.FIELDS, A.STALE, 20)], note: 'a field shows an old value: 地址是好几年前的了' },

  // port_data
  { intent: 'port_data', weight: 3, all: [A.PORT, O.ELSEWHERE, O.DATA], unless: [A.LIFE_CHANGED], negatable: true, note: 'move + data + to another party: 转到别的平台, transfer to another service' },
  { intent: 'port_data', weight: 2.5, all: [A.PORTABILITY], note: 'portability, machine-readable' },
  { intent: 'port_data', weight: 2.5, all: [terms('转移', '迁移', 'transfer*', 'migrat*'), O.SELF_DATA], negatable: true, note: 'move + my data, destination unsaid: 我要转移我的个人信息' },

  // withdraw_consent
  { intent: 'withdraw_consent', weight: 3, all: [A.WITHDRAW, A.CONSENT], negatable: true, note: 'withdraw + consent: 撤回同意, revoke my consent' },
  { intent: 'withdraw_consent', weight: 3, all: [A.CONSENT, terms('现在不想了', '不想了', '后悔了', '反悔', '不愿意了', 'changed my mind', 'regret', 'like to stop', 'want to stop', 'stop both', 'stop those', 'stop that')], note: 'consent given, now regretted: 当时同意了，现在不想了' },
  { intent: 'withdraw_consent', weight: 3, all: [A.REFUSE_ZH], note: '不同意, 我拒绝' },
  { intent: 'withdraw_consent', weight: 3, all: [A.REFUSE_EN], note: 'opt out, unsubscribe, I do not consent' },
  { intent: 'withdraw_consent', weight: 2.5, all: [near(A.STOP, A.USE, 14)], unless: [A.DELETE, A.NOT_KEEP], note: 'stop + use: 别再用我的数据, stop sharing my data' },
  { intent: 'withdraw_consent', weight: 2.5, all: [near(terms('no longer want', "don't want", 'do not want', 'not want'), A.USE, 40)], note: 'no longer want it used: I no longer want my history used for ads' },
  { intent: 'withdraw_consent', weight: 2.5, all: [together(A.TURN_OFF, A.PERSONALISATION, 10)], negatable: true, note: 'turn off personalised ads / permissions' },
  { intent: 'withdraw_consent', weight: 2.5, all: [near(terms('别再', '不要再', '不想再'), A.PERSONALISATION, 12)], note: '别再拿我的记录做推荐' },

  // complaint
  { intent: 'complaint', weight: 3, all: [A.COMPLAIN], negatable: true, note: '投诉, 举报, complain, report you, sue' },
  { intent: 'complaint', weight: 3, all: [A.ANGER], interrogative: true, note: 'anger, even in a question: 太过分, 非常不满, unacceptable' },
  { intent: 'complaint', weight: 3, all: [terms('凭什么', '谁允许你们', '谁让你们', '谁给你们的权利', 'how dare', 'who allowed you', 'who gave you the right')], interrogative: true, note: 'an indignant question: 凭什么, how dare you' },
  { intent: 'complaint', weight: 4, all: [terms(/要求(?:你们)?给(?:我)?(?:一个|个)?(?:正式的?|合理的?)?(?:解释|说法|交代)/, '讨个说法', '给个说法', 'formal explanation', 'formal grievance')], interrogative: true, note: 'a demand for an account: 要求你们给一个正式的解释' },
  { intent: 'complaint', weight: 2, all: [A.GRIEVANCE], note: 'an accusation: 泄露, 骚扰, leaked, without my consent' },
  { intent: 'complaint', weight: 3, all: [terms('为什么', '为啥', '怎么能', '怎么可以', 'why did you', 'why would you', 'why have you', 'how could you'), A.GRIEVANCE], interrogative: true, note: 'an accusing why: 为什么泄露我的信息' },

  // human_agent
  { intent: 'human_agent', weight: 4.5, all: [A.HUMAN], negatable: true, interrogative: true, note: '转人工, 真人, real person, live agent' },
  { intent: 'human_agent', weight: 4, all: [near(A.HUMAN_VERB, anyOf(A.HUMAN_WHO, A.HUMAN_ROLE), 8)], negatable: true, interrogative: true, note: '找客服, talk to someone, connect me to customer service' },
  { intent: 'human_agent', weight: 4, all: [terms(/^(?:an? |the |your )?(?:agent|representative|rep|operator|customer service|customer support|staff|manager)s?(?: please| pls| now)?$/, /^(?:please |pls )(?:an? )?(?:agent|representative|operator|customer service)$/)], interrogative: true, note: 'a role alone: agent please, operator' },
  { intent: 'human_agent', weight: 4, all: [A.NOT_THE_BOT], interrogative: true, note: '不想跟机器人聊, not a bot' },

  // question: who else sees the data is the policy's matter, not the person's copy
  { intent: 'question', weight: 4.5, all: [A.OTHERS_SEE], interrogative: true, note: 'can my employer see my data, 别人能看到吗' },

  // request_status
  { intent: 'request_status', weight: 4.5, all: [A.PROGRESS, O.TICKET], interrogative: true, note: 'progress of a request: 申请进度, status of my ticket' },
  { intent: 'request_status', weight: 4, all: [terms('进度', '进展', 'status', 'progress'), O.MINE], interrogative: true, note: '我的进度, my status' },
  { intent: 'request_status', weight: 4.5, all: [near(A.CHECK, O.MINE, 12), O.TICKET], interrogative: true, note: '查一下我的工单, check my ticket' },
  { intent: 'request_status', weight: 4.5, all: [A.EARLIER_REQUEST, A.PROGRESS], interrogative: true, note: 'an earlier request and no news: 上周让你们删的，到现在也没个回音' },
];
