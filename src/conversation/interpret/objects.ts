// What a message is about: pieces of personal data, the account, fields to correct, the chat
// with the bot, and earlier requests. Data only; the rules combine these with actions.

import { anyOf, near, terms } from './terms.ts';

/** Pieces of personal data (the object of delete/access/correct/port). */
export const DATA = terms(
  '信息', '数据', '资料', '记录', '隐私', '档案', '照片', '图片', '视频', '内容', '通讯录', '位置', '轨迹',
  '手机号', '号码', '身份证', '证件', '流水', '账单', '录音', '病历', '通话', '简历', '足迹', '痕迹', '东西', '历史', '收藏', '浏览', '搜索', '评论', '订单', '动态', '帖子', '住址', '地址',
  'data', 'information', 'info', 'details', 'record*', 'history', 'selfie*', 'photo*', 'picture*', 'image*', 'file*',
  'content', 'message*', 'conversation*', 'chat*', 'profile', 'everything', 'personal', 'pii', 'footprint*',
  'location*', 'contacts', 'resume', 'cv', 'stuff', 'logs', 'trace', 'address*', 'phone number*', 'document*',
  'scan*', 'id card', 'passport', 'post*', 'comment*', 'review*', 'upload*', 'video*', 'recording*', 'statement*', 'transaction*', 'playlist*', 'sample*', 'voice*', 'contact list',
);

/** Personal data reached through the person: "我的资料", "我哪些信息", "my personal data", "data on me". */
export const SELF_DATA = anyOf(
  near(terms('我', '本人'), DATA, 6),
  near(terms(/我(?:在|留在|放在)你们(?:这|那|平台|系统)/, '关于我的'), DATA, 14),
  terms('个人信息', '个人数据', '个人资料', 'personal data', 'personal information'),
  near(terms('my', 'mine', 'me'), DATA, 24),
  near(DATA, terms('about me', 'on me', 'of me', 'concerning me', 'regarding me', 'relating to me', 'belonging to me', 'of mine'), 30),
);

export const ACCOUNT = terms('账号', '账户', '帐号', '帐户', '会员', '用户名', '这个号', '我的号', '我号', 'account*', 'membership', 'login', 'user id');

/** The fields a person asks to have corrected. */
export const FIELDS = terms(
  '手机号', '手机', '电话', '号码', '姓名', '名字', '地址', '邮箱', '生日', '出生', '身份证', '证件', '性别',
  '年龄', '民族', '信息', '资料', '数据', '记录', '昵称', '学历', '简历', '工作经历', '单位', '职位', '户籍', '籍贯',
  'name', 'surname', 'address', 'phone', 'number', 'email', 'e-mail', 'birthday', 'date of birth', 'birth date',
  'details', 'information', 'info', 'data', 'record*', 'profile', 'gender', 'age', 'spelling', 'nationality',
  'resume', 'cv', 'job title', 'employer', 'postcode', 'post code', 'zip code', 'postal code',
);

/** The conversation with this bot (erased by an in-bot function, not a rights request). */
export const CHAT_HISTORY = terms(
  '聊天记录', '对话记录', '会话记录', '聊天历史', '对话历史', '聊天内容', '对话内容', '咨询记录', '聊天信息',
  '我们的对话', '我们的聊天', '刚才的对话', '刚才的聊天', '这段对话', '这次对话', '这个对话', '和你的对话',
  '跟你的对话', '与你的对话', '和你的聊天', '跟你的聊天', '刚才说的', '我说过的', '我说的话', '我发的消息',
  'chat history', 'chat log*', 'conversation history', 'conversation log*', 'chat transcript*', 'transcript*',
  'our conversation*', 'this conversation', 'our chat*', 'this chat', 'my messages', 'messages i sent',
  'what i said', 'what i told you', 'everything i said', 'everything i told you', 'our messages',
  'conversation with you', 'chat with you', 'history with you',
);

/** Requests and tickets the person already made. */
export const TICKET = terms(
  '申请', '请求', '工单', '单子', '单号', '投诉', '诉求', '案件', '反馈', '事情', '那件事',
  'request*', 'ticket*', 'case', 'application', 'complaint', 'submission', 'claim', 'inquiry', 'enquiry', 'appeal',
);

/** The person's own earlier request: "我提交的", "我之前", "I submitted", "my". */
export const MINE = terms(
  '我的', '我提交', '我提的', '我发的', '我之前', '我上次', '我前', '我昨天', '我上周', '我刚', '我申请', '我发起',
  'my', 'i submitted', 'i sent', 'i filed', 'i made', 'i opened', 'i raised', 'i lodged',
);

/** Somewhere else the data should go: another company, the new provider, "them". */
export const ELSEWHERE = terms(
  '另一', '另外', '其他', '其它', '别的', '别家', '第三方', '新的', '新平台', '新公司', '新银行', '新服务商', '竞争', '对手',
  '其他平台', '给他们', '给对方', '过去', /新(?:用|开|换|注册|办)的/, /(?:转给|传给|发给|交给)(?:我)?(?:现在|正在)?.{0,8}(?:医院|公司|银行|平台|机构|单位|服务商|诊所)/,
  'another', 'other', 'different', 'new', 'third part*', 'competitor*', 'elsewhere', 'somewhere else',
  'to them', 'with me', 'over to', 'switching to', 'switch to', 'new app', 'new provider',
);
