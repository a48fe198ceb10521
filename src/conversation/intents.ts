// The default intent classifier: no model, no downloads. Weighted term rules over normalised
// text decide which action (if any) a message is about; question and request markers then
// decide whether the person asks ABOUT that action (a question for the policy answerer) or
// asks us TO DO it (a rights request that starts a form).
//
// How a message is decided:
//   1. Greeting: the message is nothing but greetings, thanks, goodbyes and an addressee
//      ("你好", "hi there", "谢谢客服", "thanks, bye"). Thanks count as `greeting`: they are
//      social pleasantries the bot answers in kind, never a question or a request.
//   2. Evidence: every rule in RULES is a conjunction of term groups ("a delete verb" AND "a
//      piece of personal data"); a matching rule gives its intent its weight. The first group
//      of a `negatable` rule does not count when a negation stands in front of it ("我不想删除",
//      "please don't delete my data").
//   3. Mood: request markers (我要, 帮我, 请, 麻烦, please, I want to, could you ...) and question
//      markers (怎么, 如何, 吗, ？, how, can I, do you, tell me ...) are summed. A rights request
//      intent wins when the request markers weigh at least as much as the question markers, or
//      when there are no question markers at all (a bare statement or imperative: "注销我的账号",
//      "transfer my data to another service"). Otherwise the message is a `question` about
//      that right ("怎么删除个人信息？", "Can I delete my data?", "你们会删除我的数据吗").
//      `human_agent` and `request_status` ignore the mood: asking "能转人工吗？" or "what's the
//      status of my request?" is the request itself. So do rules marked `interrogative`
//      ("你们存了我哪些信息？" asks for the person's own data: an access request).
//   4. Without evidence: any interrogative is a `question` (the answerer refuses when the policy
//      does not cover it), except plainly off-topic chit-chat ("今天天气怎么样", "tell me a joke"),
//      which is `other`. A statement is a `question` when it names something the policy is about
//      ("隐私政策", "cookies") and `other` otherwise ("好的", "哈哈", "我不想删除").
//   5. Confidence is a logistic function of the margin between the best and the second-best
//      score: 0.5 when tied, about 0.95 when the winner leads by 3.

import { detectLanguage } from '../knowledge/text.ts';
import type { Intent } from './types.ts';

export interface IntentResult {
  intent: Intent;
  /** 0.5 (a coin toss between two intents) to 1 (nothing else came close). */
  confidence: number;
  language: 'zh' | 'en';
}

// ---------------------------------------------------------------------------------------------
// Term groups
// ---------------------------------------------------------------------------------------------

/**
 * A term is a Chinese string (matched as a substring), an English word or phrase (matched on
 * word boundaries; "*" stands for any word ending, spaces for any white space) or a RegExp for
 * the few terms that need a look-around.
 */
type Term = string | RegExp;

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

function termSource(term: Term): string {
  if (term instanceof RegExp) return term.source;
  if (CJK.test(term)) return term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = term
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, "[a-z'-]*")
    .replace(/ /g, '\\s+');
  const start = /^\w/.test(term) ? '\\b' : '';
  const end = /\w$/.test(term) ? '\\b' : '';
  return `${start}${body}${end}`;
}

class Terms {
  /** Global, for replacing and for positions; `one` (not global, so stateless) for testing. */
  readonly re: RegExp;
  private readonly one: RegExp;
  constructor(readonly source: string) {
    this.re = new RegExp(source, 'g');
    this.one = new RegExp(source);
  }
  test(text: string): boolean {
    return this.one.test(text);
  }
  /** Start offsets of every match. */
  positions(text: string): number[] {
    return [...text.matchAll(new RegExp(this.re))].map((m) => m.index);
  }
}

const terms = (...list: Term[]): Terms => new Terms(list.map((t) => `(?:${termSource(t)})`).join('|'));

/** Any of the groups. */
const anyOf = (...groups: Terms[]): Terms => new Terms(groups.map((g) => `(?:${g.source})`).join('|'));

const CLAUSE_GAP = (n: number) => `[^,.;!?，。；！？、\\n]{0,${n}}`;

/** `a` followed by `b` within `gap` characters of the same clause. */
const near = (a: Terms, b: Terms, gap = 8): Terms => new Terms(`(?:${a.source})${CLAUSE_GAP(gap)}(?:${b.source})`);

// --- Objects ----------------------------------------------------------------------------------

/** Pieces of personal data (the object of delete/access/correct/port). */
const DATA = terms(
  '信息', '数据', '资料', '记录', '隐私', '档案', '照片', '图片', '视频', '内容', '通讯录', '位置', '轨迹',
  '手机号', '号码', '身份证', '简历', '足迹', '痕迹', '东西', '历史',
  'data', 'information', 'info', 'details', 'record*', 'history', 'photo*', 'picture*', 'image*', 'file*',
  'content', 'message*', 'conversation*', 'chat*', 'profile', 'everything', 'personal', 'pii', 'footprint*',
  'location*', 'contacts', 'resume', 'cv', 'stuff', 'logs',
);

/** Personal data reached through the person: "我的资料", "我哪些信息", "my personal data", "data on me". */
const SELF_DATA = anyOf(
  near(terms('我', '本人'), DATA, 6),
  terms('个人信息', '个人数据', '个人资料', 'personal data', 'personal information'),
  near(terms('my', 'mine', 'me'), DATA, 24),
  near(DATA, terms('about me', 'on me', 'of me', 'concerning me', 'regarding me', 'relating to me', 'belonging to me'), 30),
);

const ACCOUNT = terms('账号', '账户', '帐号', '帐户', '会员', '用户名', '这个号', '我的号', '我号', 'account*', 'membership', 'login', 'user id');

/** The fields a person asks to have corrected. */
const FIELDS = terms(
  '手机号', '手机', '电话', '号码', '姓名', '名字', '地址', '邮箱', '生日', '出生', '身份证', '证件', '性别',
  '年龄', '信息', '资料', '数据', '记录', '昵称', '学历', '简历', '工作经历', '单位', '职位', '户籍', '籍贯',
  'name', 'surname', 'address', 'phone', 'number', 'email', 'e-mail', 'birthday', 'date of birth', 'birth date',
  'details', 'information', 'info', 'data', 'record*', 'profile', 'gender', 'age', 'spelling', 'nationality',
  'resume', 'cv', 'job title', 'employer',
);

/** The conversation with this bot (erased by an in-bot function, not a rights request). */
const CHAT_HISTORY = terms(
  '聊天记录', '对话记录', '会话记录', '聊天历史', '对话历史', '聊天内容', '对话内容', '咨询记录', '聊天信息',
  '我们的对话', '我们的聊天', '刚才的对话', '刚才的聊天', '这段对话', '这次对话', '这个对话', '和你的对话',
  '跟你的对话', '与你的对话', '和你的聊天', '跟你的聊天', '刚才说的', '我说过的', '我说的话', '我发的消息',
  'chat history', 'chat log*', 'conversation history', 'conversation log*', 'chat transcript*', 'transcript*',
  'our conversation*', 'this conversation', 'our chat*', 'this chat', 'my messages', 'messages i sent',
  'what i said', 'what i told you', 'everything i said', 'everything i told you', 'our messages',
  'conversation with you', 'chat with you', 'history with you',
);

/** Requests and tickets the person already made. */
const TICKET = terms(
  '申请', '请求', '工单', '单子', '单号', '投诉', '诉求', '案件', '反馈', '事情', '那件事',
  'request*', 'ticket*', 'case', 'application', 'complaint', 'submission', 'claim', 'inquiry', 'enquiry', 'appeal',
);

// --- Actions ----------------------------------------------------------------------------------

const DELETE = terms(
  '删', '清除', '清空', '清掉', '清理', '抹掉', '抹去', '抹除', '销毁', '移除', '去除', '消除',
  'delet*', 'eras*', 'remov*', 'wip*', 'purg*', 'destroy*', 'scrub*', 'clear*', 'get rid of',
);
/** Delete verbs unambiguous enough to count without an object ("删了吧", "erase everything"). */
const DELETE_ALONE = terms('删', '清除', '销毁', 'delet*', 'eras*', 'wip*', 'purg*');
/** "Forget" works on the conversation with the bot ("忘掉我说的话", "forget what I told you"). */
const FORGET_CHAT = terms('忘掉', '忘记', '忘了', '遗忘', 'forget');
const FORGET = terms('被遗忘', '遗忘权', 'right to be forgotten', 'forget me', 'be forgotten', 'right to erasure');

const CLOSE = terms(
  '删', '关闭', '关掉', '停用', '取消', '销掉', '废掉', '注销', '冻结', '清除',
  'clos*', 'delet*', 'cancel*', 'deactivat*', 'terminat*', 'remov*', 'shut down', 'shut*', 'get rid of',
  'disabl*', 'eras*', 'end',
);
const CANCEL_ALONE = terms('注销', '销户', '销号', '销掉', '销了', '删号', '弃号', 'unregister', 'deregister', 'unsubscribe me from your service');
/** Giving the account up: "这个号我不要了", "我不要这个账号了", "I no longer need my account". */
const GIVE_UP = anyOf(
  near(ACCOUNT, terms('不要了', '不用了', '不想要了', '不想用了', '不需要了', '不玩了', '没用了'), 8),
  terms(
    /(?:不想要|不要|不再需要|不再使用|不需要|不想用)(?:这个|那个|我的|了)?(?:账号|账户|帐号|帐户)/,
    /\b(?:don't|do not|no longer|never) (?:want|need|use) (?:my|this|the|that) (?:\w+ )?(?:account|membership)/,
    /\b(?:done with|finished with) (?:my|this|the|your) (?:\w+ )?(?:account|service|app|platform)/,
  ),
);

const ACCESS = terms(
  '查看', '查阅', '查询', '查一下', '查下', '看看', '看一下', '看下', '获取', '索取', '调取', '调阅', '拿到',
  '导出', '下载', '复制', '拷贝', '发给我', '发我', '给我一份', '给我看', '提供给我', '寄给我', '要一份', '一份',
  '打包', '访问',
  'access*', 'get', 'obtain*', 'see', 'view*', 'review*', 'download*', 'export*', 'send me', 'give me',
  'provide me', 'email me', 'show me', 'receive', 'request a copy',
);
const COPY = terms('副本', '复印件', '拷贝', '备份', '清单', '报告', 'a copy', 'copy of', 'copies', 'subject access', 'dsar', 'sar');
/** "你们存了我哪些信息", "what data do you have on me": asking for one's own data, not the policy. */
const WHAT_YOU_HOLD = anyOf(
  near(
    near(terms('有', '存了', '存着', '保存了', '保存着', '保留了', '留了', '掌握了', '收集了', '记录了', '采集了', '拿了'), terms('我', '关于我'), 3),
    terms('哪些', '什么', '多少', '啥', '全部', '所有'),
    8,
  ),
  near(
    terms('have', 'hold', 'store', 'keep', 'know', 'collected', 'stored', 'kept', 'gathered', 'got'),
    terms('about me', 'on me', 'of mine', 'concerning me', 'regarding me'),
    30,
  ),
);

const CORRECT = terms(
  '更正', '改正', '纠正', '订正', '修正', '修改', '更改', '更新', '改', '补充', '完善',
  'correct*', 'fix*', 'updat*', 'chang*', 'amend*', 'rectif*', 'edit*', 'modif*', 'put right', 'set right',
);
const WRONG = terms(
  '填错', '写错', '登记错', '输错', '录错', '录入错', '弄错', '搞错', '记错', '错了', '有误', '有错', '不对',
  '不准确', '不正确', '过时', '拼错', '错误', '不一致',
  'wrong', 'incorrect', 'inaccurate', 'outdated', 'out of date', 'out-of-date', 'mistake*', 'typo*', 'misspel*',
  'error*', 'not correct', 'not right', "isn't right", 'no longer correct', 'old address', 'old number',
);

const PORT = terms(
  '转移', '迁移', '转到', '转给', '转至', '转入', '转去', '转过去', '传到', '传给', '传输', '发送给', '发给',
  '导出到', '导出给', '导入', '搬到', '搬家', '搬过去', '迁到', '迁去', '迁过去', '移到', '挪到', '同步到', '带走', '带到', '带去', '带过去', '搬去', '弄到',
  'transfer*', 'mov*', 'port', 'migrat*', 'send*', 'transmit*', 'export*', 'hand over', 'take my data',
);
const ELSEWHERE = terms(
  '另一', '另外', '其他', '其它', '别的', '别家', '第三方', '新的', '新平台', '竞争', '对手', '其他平台',
  'another', 'other', 'different', 'new', 'third part*', 'competitor*', 'elsewhere', 'somewhere else',
);
const PORTABILITY = terms('可携带', '可携', '携带权', '数据携带', 'portab*', 'machine-readable', 'machine readable');

const WITHDRAW = terms('撤回', '撤销', '收回', '取消', '撤掉', 'withdraw*', 'revok*', 'retract*', 'take back', 'cancel*', 'rescind*');
const CONSENT = terms('同意', '授权', '许可', 'consent*', 'permission*', 'authori*', 'agreement');
const REFUSE_ZH = terms('不同意', '我拒绝', '拒绝授权', '拒绝你们', '不授权', '不再同意', '不再授权', '退订', '取消订阅');
const REFUSE_EN = terms(
  'opt out', 'opt me out', 'opt-out', 'unsubscrib*', 'i do not consent', "i don't consent", 'i no longer consent',
  'i do not agree', "i don't agree", 'i no longer agree', 'i disagree', 'i refuse', 'i object',
);
const STOP = terms(
  '不要', '别', '不许', '不准', '不得', '禁止', '不想', '不希望', '不允许', '不愿意', '停止', '不再', '拒绝', '勿', '停掉',
  'stop', 'quit', 'cease', "don't", 'dont', 'do not', 'never', 'no longer', 'no more', 'not to', 'refuse',
);
const USE = terms(
  '用', '使用', '收集', '采集', '处理', '共享', '分享', '提供', '推送', '推', '发', '打', '追踪', '跟踪', '分析',
  '卖', '出售', '利用', '读取', '获取', '访问', '调用', '定位', '监听', '上传', '营销', '广告', '保存', '存', '收到',
  'use', 'using', 'process*', 'collect*', 'shar*', 'sell*', 'track*', 'send*', 'email*', 'call*', 'text*',
  'contact*', 'market*', 'target*', 'profil*', 'analy*', 'stor*', 'keep*', 'retain*', 'spam*', 'advertis*',
  'personali*', 'receiv*', 'monitor*', 'record*',
);
const TURN_OFF = terms('关闭', '关掉', '关了', '取消', 'turn off', 'switch off', 'disabl*');
const PERSONALISATION = terms(
  '个性化', '推荐', '广告', '推送', '营销', '权限', '授权', '定位', '追踪', '精准', '画像',
  'personali*', 'recommendation*', 'ads', 'advert*', 'marketing', 'permission*', 'tracking', 'location',
);

const COMPLAIN = terms(
  '投诉', '举报', '控告', '起诉', '告你们', '告你', '打官司', '维权', '律师', '消协', '网信办', '工信部', '监管部门',
  '12315', '曝光你们', '申诉',
  'complain*', 'complaint*', 'report you', 'report this', 'report your', 'sue', 'suing', 'lawsuit', 'lawyer*', 'attorney',
  'regulator*', 'ombudsman', 'grievance', 'legal action', 'data protection authority',
);
const ANGER = terms(
  '太过分', '过分', '恶心', /垃圾(?!短信|邮件|信息|电话|广告|分类|清理|文件)/, '无耻', '流氓', '坑人', '骗子', '欺骗', '气死', '凭什么', '什么玩意', '受不了',
  '忍无可忍', '不满', '失望', '岂有此理',
  'unacceptable', 'outrageous', 'disgusting', 'ridiculous', 'terrible', 'awful', 'furious', 'angry', 'pissed',
  'scam*', 'how dare', 'shame on you', 'fed up',
);
const GRIEVANCE = terms(
  '泄露', '泄漏', '外泄', '卖了', '出卖', '倒卖', '贩卖', '骚扰', '侵犯', '侵权', '违法', '非法', '违规', '滥用',
  '乱用', '盗用', '盗取', '偷偷', '被盗', '未经我', '未经同意', '没经过我', '没有经过我',
  'leaked', 'leak my', 'sold my', 'selling my', 'sell my', 'spamming', 'spammed', 'harass*', 'violat*', 'illegal*', 'unlawful*',
  'abus*', 'misus*', 'breach*', 'stole', 'stolen', 'without my consent', 'without my permission',
  'without asking me',
);

const HUMAN = terms(
  '转人工', '人工客服', '人工服务', '人工坐席', '人工座席', /人工(?!智能|审核|处理|标注|复核|干预|检查)/, '真人',
  '活人', '客服人员', '工作人员', '接线员', '真正的人', '人类', '和人聊', '跟人聊', '跟人说', '和人说', '找个人',
  '叫人来', '换个人', '换人',
  'human', 'real person', 'a person', 'live person', 'live agent', 'agent*', 'representative', 'rep',
  'operator', 'customer service', 'customer support', 'support team', 'support staff', 'live chat',
  'not a bot', 'not a robot', 'someone real', 'somebody real', 'manager',
);
const HUMAN_VERB = terms('找', '转', '接', '叫', '要', '联系', '呼叫', 'talk to', 'speak to', 'speak with', 'talk with', 'chat with', 'connect me', 'put me through', 'transfer me', 'get me');
const HUMAN_WHO = terms('客服', '真人', '人工', '活人', 'someone', 'somebody', 'people', 'staff', 'support');
const NOT_THE_BOT = near(terms('不想', '不要', '不跟', '不和', '别', '受够', "don't want", 'not', 'stop', 'tired of', 'enough of'), terms('机器人', 'bot', 'robot', 'machine', 'ai'), 8);

const PROGRESS = terms(
  '进度', '进展', '状态', /(?:怎么样|咋样|怎样|如何)了/, /到哪(?:一步|了)/, /(?:处理|办理|办|弄|搞|审核|审批|受理|完成|删|好|通过|批准|批|回复)(?:好|完|完成|掉)?了?(?:吗|没|么|没有)/,
  /还没(?:有)?(?:处理|办|好|完|回复|回音|消息|动静|结果|删|人理)/, /有(?:结果|回复|消息|进展|回音)了?(?:吗|没|么)/,
  /什么时候(?:能|可以|会|才能)?(?:处理|办|弄|完成|好|有结果|删)/, '跟进', '催', '收到了吗', '收到没', '受理了吗', '受理没',
  'status', 'progress', 'update on', 'updates on', 'any update*', 'any news', 'where is my', "where's my", 'what happened to',
  'been processed', 'been handled', 'been completed', 'been done', 'been approved', 'been reviewed', 'been received',
  'been deleted', 'did you process', 'did you receive', 'did you get', 'have you processed', 'have you received',
  'have you handled', 'have you deleted', 'heard back', 'still waiting', "haven't heard", 'follow up', 'follow-up',
  'check on', 'track*', 'yet', 'going on with my', 'happening with my', 'happened with my', 'looked at', 'looked into', 'looking into', 'response to my', 'reply to my', 'any word', 'how is my', "how's my", 'how are my',
);
/** The person's own earlier request: "我提交的", "我之前", "I submitted", "my". */
const MINE = terms(
  '我的', '我提交', '我提的', '我发的', '我之前', '我上次', '我前', '我昨天', '我上周', '我刚', '我申请', '我发起',
  'my', 'i submitted', 'i sent', 'i filed', 'i made', 'i opened', 'i raised', 'i lodged',
);
const CHECK = terms('查', '查询', '查一下', '看一下', 'check', 'look up', 'track', 'find');

// ---------------------------------------------------------------------------------------------
// Rules: conjunctions of term groups, each giving one intent a weight
// ---------------------------------------------------------------------------------------------

interface Rule {
  intent: Intent;
  weight: number;
  /** Every group must occur somewhere in the message. */
  all: Terms[];
  /** A negation in front of the first group cancels it ("我不想删除", "don't delete my data"). */
  negatable?: boolean;
  /** Holds in questions too: asking is the request ("能转人工吗", "what's the status of my request?"). */
  interrogative?: boolean;
  note: string;
}

const RULES: Rule[] = [
  // delete_data
  { intent: 'delete_data', weight: 2.5, all: [DELETE, DATA], negatable: true, note: 'delete + data: 删除我的信息, erase my records' },
  { intent: 'delete_data', weight: 1.5, all: [DELETE_ALONE], negatable: true, note: 'a delete verb alone: 全删了, delete it all' },
  { intent: 'delete_data', weight: 2.5, all: [FORGET], negatable: true, note: 'the right to be forgotten' },
  { intent: 'delete_data', weight: 2.5, all: [anyOf(DELETE, FORGET_CHAT), CHAT_HISTORY], negatable: true, note: 'the chat with the bot (the caller erases it)' },

  // cancel_account
  { intent: 'cancel_account', weight: 3, all: [CLOSE, ACCOUNT], negatable: true, note: 'close/delete + account: 删除账号, close my account' },
  { intent: 'cancel_account', weight: 3, all: [CANCEL_ALONE], negatable: true, note: '注销, 销户: always the account' },
  { intent: 'cancel_account', weight: 2.5, all: [GIVE_UP], note: "这个账号我不要了, I don't want my account anymore" },

  // access_data
  { intent: 'access_data', weight: 2.5, all: [ACCESS, SELF_DATA], negatable: true, note: 'see/export/download + my data' },
  { intent: 'access_data', weight: 3, all: [COPY, SELF_DATA], note: 'a copy of my data: 副本, copy of my information' },
  { intent: 'access_data', weight: 2.5, all: [COPY, terms('个人信息', 'personal data', 'personal information')], note: 'a copy of personal data' },
  { intent: 'access_data', weight: 3.5, all: [WHAT_YOU_HOLD], interrogative: true, note: 'what do you hold about me (the person’s own data)' },

  // correct_data
  { intent: 'correct_data', weight: 2.5, all: [CORRECT, FIELDS], negatable: true, note: 'correct/update + a field: 改一下手机号, update my address' },
  { intent: 'correct_data', weight: 2.5, all: [WRONG, FIELDS], note: 'a field is wrong: 名字拼错了, my email is wrong' },
  { intent: 'correct_data', weight: 2, all: [terms('更正', '纠正', '订正', 'rectif*', 'rectification')], negatable: true, note: 'correction verbs alone' },

  // port_data
  { intent: 'port_data', weight: 3, all: [PORT, ELSEWHERE], negatable: true, note: 'move + to another party: 转到别的平台, transfer to another service' },
  { intent: 'port_data', weight: 2.5, all: [PORTABILITY], note: 'portability, machine-readable' },
  { intent: 'port_data', weight: 2.5, all: [terms('转移', '迁移', 'transfer*', 'migrat*'), SELF_DATA], negatable: true, note: 'move + my data, destination unsaid: 我要转移我的个人信息' },

  // withdraw_consent
  { intent: 'withdraw_consent', weight: 3, all: [WITHDRAW, CONSENT], note: 'withdraw + consent: 撤回同意, revoke my consent' },
  { intent: 'withdraw_consent', weight: 3, all: [REFUSE_ZH], note: '不同意, 我拒绝' },
  { intent: 'withdraw_consent', weight: 3, all: [REFUSE_EN], note: 'opt out, unsubscribe, I do not consent' },
  { intent: 'withdraw_consent', weight: 2.5, all: [near(STOP, USE, 14)], note: 'stop + use: 别再用我的数据, stop sharing my data' },
  { intent: 'withdraw_consent', weight: 2.5, all: [near(TURN_OFF, PERSONALISATION, 8)], negatable: true, note: 'turn off personalised ads / permissions' },

  // complaint
  { intent: 'complaint', weight: 3, all: [COMPLAIN], negatable: true, note: '投诉, 举报, complain, report you, sue' },
  { intent: 'complaint', weight: 3, all: [ANGER], interrogative: true, note: 'anger, even in a question: 太过分, 非常不满, unacceptable' },
  { intent: 'complaint', weight: 3, all: [terms('凭什么', '谁允许你们', '谁让你们', '谁给你们的权利', 'how dare', 'who allowed you', 'who gave you the right')], interrogative: true, note: 'an indignant question: 凭什么, how dare you' },
  { intent: 'complaint', weight: 2, all: [GRIEVANCE], note: 'an accusation: 泄露, 骚扰, leaked, without my consent' },
  { intent: 'complaint', weight: 3, all: [terms('为什么', '为啥', '怎么能', '怎么可以', 'why did you', 'why would you', 'why have you', 'how could you'), GRIEVANCE], interrogative: true, note: 'an accusing why: 为什么泄露我的信息' },

  // human_agent
  { intent: 'human_agent', weight: 4.5, all: [HUMAN], interrogative: true, note: '转人工, 真人, real person, agent' },
  { intent: 'human_agent', weight: 4, all: [near(HUMAN_VERB, HUMAN_WHO, 6)], interrogative: true, note: '找客服, talk to someone' },
  { intent: 'human_agent', weight: 4, all: [NOT_THE_BOT], interrogative: true, note: '不想跟机器人聊, not a bot' },

  // request_status
  { intent: 'request_status', weight: 4.5, all: [PROGRESS, TICKET], interrogative: true, note: 'progress of a request: 申请进度, status of my ticket' },
  { intent: 'request_status', weight: 4, all: [terms('进度', '进展', 'status', 'progress'), MINE], interrogative: true, note: '我的进度, my status' },
  { intent: 'request_status', weight: 4.5, all: [near(CHECK, MINE, 6), TICKET], interrogative: true, note: '查一下我的工单, check my ticket' },
];

// ---------------------------------------------------------------------------------------------
// Mood: request and question markers
// ---------------------------------------------------------------------------------------------

/** How clearly the person asks us to do something. */
const REQUEST_MARKERS: [Terms, number][] = [
  [terms('帮我', '帮忙', '替我', '为我', '帮个忙', 'help me'), 3],
  [terms(/我(?:就)?要(?!怎么|如何|去哪|在哪|知道|了解|问)/, '我想要', /我想(?!知道|了解|问|请教|咨询|确认|看看你们)/, '我希望', /我需要(?!知道|了解)/, '我申请', '我请求', '我要求', '我决定'), 3],
  [terms(/(?<![申邀聘提])请(?!问|教)/, '麻烦', '劳烦', '烦请', '立即', '立刻', '马上', '赶紧', '赶快', '尽快', '直接', '一定要', '必须', '现在就'), 2],
  [terms(/吧$/), 1],
  [terms('please', 'pls', 'plz', 'kindly', 'asap', 'immediately', 'right now', 'right away', 'go ahead and', 'i hereby'), 3],
  [terms(
    /\bi(?: really)? (?:want|need|wish|would like|'d like)(?! to (?:know|understand|ask|learn|find out|check whether|see (?:how|what|if|whether)))/,
    /\bi(?:'m| am) (?:requesting|asking you to|writing to request)/,
    'i request', 'i demand', 'i want you to', 'i need you to', "i'd like you to",
  ), 3],
  [terms(/\b(?:can|could|would) you(?! tell| explain| let me know| clarify| describe| confirm whether| say)/, 'will you please'), 2],
  // An English imperative: the message starts with the action.
  [terms(/^(?:(?:hi|hello|hey|ok|okay|so|and|now|just)[, ]+)*(?:delete|remove|erase|wipe|close|cancel|deactivate|export|download|send|give|transfer|move|port|correct|fix|update|change|amend|stop|withdraw|revoke|opt|unsubscribe|forget|don't|do not|never)\b/), 2],
];

/** How clearly the person asks about something. */
const QUESTION_MARKERS: [Terms, number][] = [
  [terms('想知道', '想了解', '想问', '想咨询', '请问', '问一下', '问下', '请教', '告诉我', '咨询一下', '说明一下', '解释', '了解一下'), 3],
  [terms('怎么', '怎样', '如何', '咋', '啥', '什么', '干嘛', '干啥', '为啥', '哪些', '哪里', '哪儿', '哪个', '多久', '多长', '多少', '几天', '为什么', '为何', '是否', '能否', '可否', '有没有', '是不是', '会不会', '能不能', '可不可以', '可以不可以', '行不行', '要不要', '如果', '假如', '要是', '万一'), 2],
  [terms(/[吗嘛么呢][\s!.。！~]*$/, /[吗嘛么呢](?=[,，;；?？])/, '?'), 1],
  // A topic noun phrase is a terse question: "删除个人信息的流程", "purpose of collecting location".
  [terms('的目的', '的用途', '的方式', '的范围', '的规则', '的期限', '的原因', '的情况', '的流程', '的条件', '的步骤', '的规定', '的说明', 'purpose of', 'policy on', 'process for', 'procedure for', 'rules on', 'rules for', 'steps to'), 2],
  [terms('want to know', 'like to know', 'wondering', 'i wonder', 'tell me', 'explain', 'curious', 'let me know', 'find out', 'question about', 'ask about', 'inquire', 'enquire', 'is it possible', 'am i able', 'is there a way', 'how to', 'how do i', 'how can i', 'how should i'), 3],
  [terms(
    /(?:^|[,.;!?:]\s*)(?:(?:hi|hello|hey|ok|okay|so|and|but|also|then|well|sorry|excuse me|um)[, ]+)*(?:how|what|what's|which|when|where|why|who|whose|whom|do(?! not)|does|did|is|are|was|were|can i|can we|could i|could we|may i|should i|shall i|will you|will my|would i|have you|has|am i|if i|if you)\b/,
  ), 2],
];

// ---------------------------------------------------------------------------------------------
// Greetings, off-topic chit-chat, and words the policy is about
// ---------------------------------------------------------------------------------------------

const GREETING = terms(
  '你们好', '你好', '您好', '大家好', '嗨', '哈喽', '哈啰', '哈罗', '嘿', '喂', '在吗', '在么', '在不在', '有人在吗',
  '有人吗', '早上好', '上午好', '中午好', '下午好', '晚上好', '早安', '晚安', '午安', '早', '谢', '谢谢', '多谢', '感谢',
  '谢了', '辛苦了', '再见', '拜拜', '回见', '你好吗', '最近好吗', '好久不见',
  'hello', 'hi', 'hey', 'hiya', 'howdy', 'yo', 'greetings', 'good morning', 'good afternoon', 'good evening',
  'good day', 'morning', 'evening', 'thanks', 'thank you', 'thx', 'ty', 'cheers', 'bye', 'goodbye', 'good bye',
  'see you', 'see ya', 'how are you', "how's it going", 'how are you doing', 'nice to meet you',
  'anyone there', 'is anyone there', 'are you there', 'anybody there',
);
/** What may stand around a greeting without making it more than one: addressees, fillers. */
const GREETING_FILLER = terms(
  '你们', '你', '您', '大家', '客服', '小助手', '助手', '机器人', '亲', '呀', '啊', '哈', '呢', '啦', '嘛', '哦', '噢',
  '吗', '么', '好的', '好', '非常', '很', '了', '哈哈', '嗯', '那', '先', '一下', '的', '请问', '帮助', '帮忙', '耐心', '解答', '回答', '回复',
  'there', 'everyone', 'all', 'bot', 'team', 'you', 'so much', 'very much', 'a lot', 'again', 'guys', 'folks',
  'ok', 'okay', 'great', 'then', 'for now', 'for your help', 'for the help', 'for helping', 'help', 'your', 'much', 'and', 'oh', 'well',
);

const OFF_TOPIC = terms(
  '天气', '笑话', '唱歌', '唱首歌', '讲故事', '讲个故事', '吃饭', '吃什么', '股票', '彩票', '电影', '音乐', '足球',
  '篮球', '比赛', '几点了', '几点', '几号', '星期几', '你是谁', '你叫什么', '你的名字', '你是机器人', '你几岁', '你多大', '男朋友',
  '女朋友', '做饭', '菜谱', '新闻', '作业', '写诗', '下雨', '旅游',
  'weather', 'joke', 'sing', 'story', 'recipe', 'stock*', 'lottery', 'movie*', 'music', 'song', 'football',
  'soccer', 'basketball', 'what time is it', 'who are you', 'your name', 'are you a bot', 'are you a robot',
  'are you human', 'how old are you', 'boyfriend', 'girlfriend', 'homework', 'poem', 'rain', 'holiday', 'vacation',
);

/** Things a privacy policy is about: a statement naming one of these is a (terse) question. */
const DOMAIN = terms(
  '信息', '数据', '资料', '隐私', '政策', '协议', '条款', '权限', '收集', '采集', '共享', '分享', '第三方', '存储',
  '保存', '储存', '保留', 'cookie', '位置', '定位', '摄像头', '相机', '麦克风', '通讯录', '相册', '手机号', '身份证',
  '人脸', '指纹', '生物识别', '儿童', '未成年', '广告', '推荐', '个性化', '账号', '账户', '帐号', '安全', '加密',
  '境外', '跨境', '出境', '服务器', '合作方', 'sdk', '授权', '同意', '用户', '公司', '贵公司', 'app', '应用',
  '产品', '平台', '网站', '小程序', '会员', '支付', '订单', '敏感', '设备', '日志', '营销', '联系方式', '保护',
  '权利', '监管', '法律',
  'data', 'information', 'info', 'privacy', 'policy', 'personal', 'shar*', 'collect*', 'stor*', 'retain*',
  'retention', 'third part*', 'cookie*', 'location', 'consent', 'account*', 'child*', 'minor*', 'secur*',
  'encrypt*', 'transfer*', 'abroad', 'overseas', 'server*', 'partner*', 'permission*', 'camera', 'microphone',
  'contacts', 'advert*', 'ads', 'marketing', 'track*', 'gdpr', 'pipl', 'rights', 'company', 'app', 'device*',
);

// ---------------------------------------------------------------------------------------------
// The classifier
// ---------------------------------------------------------------------------------------------

/** NFKC (full-width letters and punctuation to ASCII), lower case, straight quotes, one space. */
function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u2032]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Policy titles name data ("个人信息保护政策", "privacy policy") without being an object of an
 * action: "我想看看你们的个人信息保护政策" must not read as an access request.
 */
function maskPolicyTitles(text: string): string {
  return text
    .replace(/(?:个人信息|隐私)(?:保护)?(?:权)?(?:政策|协议|条款|声明|指引|规则)/g, '政策')
    .replace(/\b(?:privacy|data protection|personal information|cookie) (?:policy|policies|notice|statement)\b/g, 'policy');
}

const ZH_NEGATION = /(?:不要|不想|不用|不必|不需要|不打算|不愿|不希望|别|勿|甭|并不|没想|不是要|不是想|没打算)[^，。,.!?！？;；]{0,6}$/;
const EN_NEGATION = /\b(?:don't|dont|do not|doesn't|does not|didn't|did not|won't|will not|wouldn't|would not|never|not|no need to)\b(?:\s+[\w']+){0,4}\s*$/;

/** Whether the match at `index` has a negation in front of it in the same clause. */
function negatedAt(text: string, index: number): boolean {
  // "能不能", "是不是", "要不要", "有没有": questions, not negations.
  const before = text.slice(Math.max(0, index - 30), index).replace(/(.)[不没]\1/g, '$1');
  return ZH_NEGATION.test(before) || EN_NEGATION.test(before);
}

interface Analysis {
  text: string;
  /** Per intent: the strongest matching rule, plus 0.25 for each further one (at most 0.5). */
  scores: Map<Intent, number>;
  /** The same over the `interrogative` rules only: what still counts when the message asks. */
  askScores: Map<Intent, number>;
  /** Intents whose only evidence was negated ("我不想删除"). */
  negated: Set<Intent>;
  /** The notes of the rules that matched. */
  matched: string[];
  request: number;
  question: number;
}

/** Clauses: split at punctuation and at "but"/"但" ("删除我的数据，但不要注销账号"). */
function clauses(text: string): string[] {
  return text.split(/[,.;!?，。；！？、\n]|\bbut\b|但是|但|不过/).filter((c) => c.trim() !== '');
}

/**
 * Whether all groups occur in the text. For a negatable rule the first group needs an occurrence
 * without a negation in front; when some occurrence is negated, the rule must hold within one
 * clause that has an unnegated occurrence, so "我想删除数据，但不想注销账号" is no account closure.
 */
function holds(groups: Terms[], negatable: boolean, text: string): boolean {
  if (!groups.every((g) => g.test(text))) return false;
  if (!negatable) return true;
  const [first, ...rest] = groups as [Terms, ...Terms[]];
  const negations = first.positions(text).map((i) => negatedAt(text, i));
  if (!negations.some((n) => n)) return true;
  return clauses(text).some(
    (c) => rest.every((g) => g.test(c)) && first.positions(c).some((i) => !negatedAt(c, i)),
  );
}

function markerWeight(markers: [Terms, number][], text: string): number {
  return markers.reduce((sum, [t, w]) => sum + (t.test(text) ? w : 0), 0);
}

function analyse(raw: string): Analysis {
  const text = normalise(raw);
  const masked = maskPolicyTitles(text);
  const weights = new Map<Intent, number[]>();
  const askWeights = new Map<Intent, number[]>();
  const negated = new Set<Intent>();
  const matched: string[] = [];
  for (const rule of RULES) {
    if (!rule.all.every((g) => g.test(masked))) continue;
    if (!holds(rule.all, rule.negatable ?? false, masked)) {
      negated.add(rule.intent);
      continue;
    }
    matched.push(`${rule.intent}: ${rule.note}`);
    weights.set(rule.intent, [...(weights.get(rule.intent) ?? []), rule.weight]);
    if (rule.interrogative) askWeights.set(rule.intent, [...(askWeights.get(rule.intent) ?? []), rule.weight]);
  }
  const combine = (m: Map<Intent, number[]>) =>
    new Map([...m].map(([intent, ws]) => [intent, Math.max(...ws) + 0.25 * Math.min(ws.length - 1, 2)] as const));
  for (const intent of weights.keys()) negated.delete(intent);
  return {
    text,
    scores: combine(weights),
    askScores: combine(askWeights),
    negated,
    matched,
    request: markerWeight(REQUEST_MARKERS, text),
    question: markerWeight(QUESTION_MARKERS, text),
  };
}

/** True when the message is nothing but greetings, thanks or goodbyes and their addressees. */
function isGreetingOnly(text: string): boolean {
  if (!GREETING.test(text)) return false;
  const rest = text
    .replace(GREETING.re, ' ')
    .replace(GREETING_FILLER.re, ' ')
    .replace(/[\s\p{P}\p{S}~]+/gu, '');
  return rest === '';
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

export function classifyIntent(text: string): IntentResult {
  const language = detectLanguage(text);
  const a = analyse(text);
  if (a.text === '') return { intent: 'other', confidence: 0.5, language };
  if (isGreetingOnly(a.text)) return { intent: 'greeting', confidence: 0.95, language };

  const final = new Map<Intent, number>();
  const add = (intent: Intent, score: number) => final.set(intent, (final.get(intent) ?? 0) + score);
  // A request when the request markers outweigh the question markers, or nothing asks.
  const requestMood = a.question === 0 || (a.request > 0 && a.request >= a.question);
  const domain = DOMAIN.test(a.text);

  let askedAbout = 0;
  for (const [intent, score] of a.scores) {
    const ask = a.askScores.get(intent);
    if (requestMood) add(intent, score + (a.request > 0 && ask === undefined ? 1 : 0));
    else if (ask !== undefined) add(intent, ask);
    else {
      // A question about this right: the evidence counts for `question`.
      add(intent, score * 0.4);
      askedAbout = Math.max(askedAbout, score);
    }
  }

  const offTopic = OFF_TOPIC.test(a.text) && !domain;
  if (a.question > 0) add('question', 2 + 0.3 * Math.min(a.question, 4) + askedAbout * 0.5);
  else if (domain) add('question', 1.5);
  add('other', 1 + (offTopic ? 3 : 0) + (a.negated.size > 0 ? 1.5 : 0));

  const ranked = [...final.entries()].sort((x, y) => y[1] - x[1]);
  const [best, second] = ranked;
  const margin = best![1] - (second?.[1] ?? 0);
  return { intent: best![0], confidence: Number(logistic(margin).toFixed(3)), language };
}

/**
 * True when the message asks to erase the conversation with the bot itself ("删除我的聊天记录",
 * "clear our chat history", "forget what I told you"): the caller handles that in the bot and
 * checks it before treating the message as a delete_data request.
 */
export function isChatHistoryErasure(text: string): boolean {
  const t = maskPolicyTitles(normalise(text));
  if (!CHAT_HISTORY.test(t)) return false;
  if (!holds([anyOf(DELETE, FORGET_CHAT), CHAT_HISTORY], true, t)) return false;
  const request = markerWeight(REQUEST_MARKERS, t);
  const question = markerWeight(QUESTION_MARKERS, t);
  return question === 0 || (request > 0 && request >= question);
}

/** Why a message was classified the way it was: rule scores, matched rules and the mood. */
export function explainIntent(text: string): {
  scores: Record<string, number>;
  matched: string[];
  request: number;
  question: number;
} {
  const a = analyse(text);
  return { scores: Object.fromEntries(a.scores), matched: a.matched, request: a.request, question: a.question };
}
