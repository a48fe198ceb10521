// What a message asks to happen: the verbs and phrases of each right, of asking for a
// person and of chasing a request. Data only; the rules pair them with objects.

import { anyOf, near, terms } from './terms.ts';
import { ACCOUNT } from './objects.ts';

export const DELETE = terms(
  '删', '清除', '清空', '清掉', '清理', '抹掉', '抹去', '抹除', '销毁', '移除', '去除', '消除', '处理掉', '消失', '不存在', '销掉', '作废',
  '去掉', 'delet*', 'eras*', 'remov*', 'wip*', 'purg*', 'destroy*', 'discard*', 'scrub*', 'clear', 'clear out', 'cleared', 'clearing', 'get rid of',
  /\bmake (?:it|them|this|that|these|those) (?:go away|disappear)\b/, 'take them down', 'take it down', /\b(?:is|are|be|all) gone\b/, /\bgone from\b/, 'disappear',
  /\bget (?:\w+ ){0,4}out of your\b/, /\btake (?:\w+ ){0,4}off your\b/,
  /(?:处理|清理|弄|删|清|抹)干净/, /\boff your (?:platform|servers?|site|system|database|app)\b/, /\b(?:want|need) (?:it|them|this|that) off\b/,
);
/** Delete verbs unambiguous enough to count without an object ("删了吧", "erase everything"). */
export const DELETE_ALONE = terms('删', '清除', '清掉', '清空', '抹掉', '销毁', 'delet*', 'eras*', 'wip*', 'purg*', 'scrub*');
/** Not wanting the data kept: "别留着了", "一条都不要剩", "don't want any trace of me left". */
export const NOT_KEEP = terms(
  /(?:别|不要|不用|没必要|不希望|不想让?你们?)(?:再|继续)?被?(?:留|保存|保留|存|放)/, '不要剩', '都不要留', '不能留', /不想再让它存在/, /别让.{0,12}(?:再)?(?:查到|看到|找到)/,
  /\bnone of my .{0,30}(?:remain|stay|is kept|are kept|be kept)/, /\bshould(?:n't| not) be (?:on|in|kept on|stored on) your\b/, /\b(?:make sure|ensure) .{0,40}(?:deleted|removed|erased|gone|no longer)/, /\bno longer exists?\b/,
  /\b(?:don't|do not|no longer) (?:want|need) (?:you to )?(?:keep|hold|store|have)/, "rather you didn't keep",
  /\bno reason for you to (?:still )?(?:have|keep|hold)/, /\bany trace of me\b/, /\bshould(?:n't| not) (?:stay|remain)/,
  /\bnothing (?:of mine|about me) should (?:stay|remain)/, /\bdidn't exist\b/,
);
/** "Forget" works on the conversation with the bot ("忘掉我说的话", "forget what I told you"). */
export const FORGET_CHAT = terms('忘掉', '忘记', '忘了', '遗忘', 'forget');
export const FORGET = terms('被遗忘', '遗忘权', 'right to be forgotten', 'forget me', 'be forgotten', 'right to erasure');

export const CLOSE = terms(
  '删', '关闭', '关掉', '停用', '取消', '销掉', '废掉', '注销', '冻结', '清除',
  'clos*', 'wip*', /\btake (?:\w+ ){0,3}off your\b/, 'delet*', 'cancel*', 'deactivat*', 'terminat*', 'remov*', 'shut down', 'shut*', 'get rid of',
  'disabl*', 'eras*', 'end', 'disappear',
);
export const CANCEL_ALONE = terms('注销', '销户', '销号', '销了', '删号', '弃号', 'unregister', 'deregister', 'unsubscribe me from your service');
/** Giving the account up: "这个号我不要了", "我不要这个账号了", "I no longer need my account". */
export const GIVE_UP = anyOf(
  near(ACCOUNT, terms('不要了', '不用了', '不想要了', '不想用了', '不需要了', '不玩了', '没用了', '都不要了', '弃了', '放弃', '不再用', '停掉', '不会再登录', '不会再用', '不再登录'), 8),
  terms(
    /(?:不想要|不要|不再需要|不再使用|不需要|不想用)(?:这个|那个|我的|了)?(?:(?!注销|删|关|停|销)[\u4e00-\u9fff]){0,4}?(?:账号|账户|帐号|帐户)/,
    /\b(?:don't|do not|no longer|never|won't|will not) (?:want|need|use) (?:my|this|the|that) (?:\w+ )?(?:account|membership)/,
    /\b(?:done with|finished with) (?:my|this|the|your) (?:\w+ )?(?:account|service|app|platform)/,
    /\bno (?:use|need) for (?:my|this|the|that) (?:\w+ )?(?:account|membership)/,
  ),
);

export const ACCESS = terms(
  '查看', '查阅', '查询', '查一下', '查下', '看看', '看一下', '看下', '获取', '索取', '调取', '调阅', '拿到',
  '导出', '下载', '复制', '拷贝', '发给我', '发我', '给我一份', '给我看', '提供给我', '寄给我', '要一份', '一份',
  '打包', '访问', '核对', '列个清单', '调出来', '调出', '导一份', '整理出来', '整理一份',
  'access*', /\bget(?! rid)\b/, 'obtain*', 'see', 'view*', 'review*', 'download*', 'export*', 'send me', 'give me',
  'provide me', 'email me', 'show me', 'request a copy', 'send it over', 'send it to me', 'put together',
  'full picture', 'in writing', 'provide',
);
export const COPY = terms('副本', '复印件', '拷贝', '备份', '清单', 'a copy', 'copy of', 'copies', 'subject access', 'dsar', 'sar');
/** "你们存了我哪些信息", "what data do you have on me": asking for one's own data, not the policy. */
export const WHAT_YOU_HOLD = anyOf(
  near(
    near(terms('有', '存了', '存着', '保存了', '保存着', '保留了', '留了', '掌握了', '收集了', '记录了', '记了', '记下了', '采集了', '拿了'), terms('我', '关于我'), 3),
    terms('哪些', '什么', '多少', '啥', '全部', '所有'),
    8,
  ),
  near(
    terms('have', 'hold', 'store', 'keep', 'know', 'collected', 'stored', 'kept', 'gathered', 'got', 'recorded', 'logged', 'tracked', 'saved'),
    terms('about me', 'about my', 'on me', 'of mine', 'concerning me', 'regarding me'),
    30,
  ),
);

export const CORRECT = terms(
  '更正', '改正', '纠正', '订正', '修正', '修改', '更改', '更新', '改', '补充', '完善', '换成',
  'correct*', 'fix*', 'updat*', 'chang*', 'amend*', 'rectif*', 'edit*', 'modif*', 'put right', 'set right', 'reflect that', 'reflect this',
);
export const WRONG = terms(
  '填错', '写错', '登记错', '输错', '录错', '录入错', '弄错', '搞错', '记错', '错了', '有误', '有错', '不对',
  '不准确', '不正确', '过时', '拼错', '错误', '不一致',
  'wrong', 'incorrect', 'inaccurate', 'outdated', 'out of date', 'out-of-date', 'mistake*', 'typo*', 'misspel*',
  'error*', /\b(?:one|a) (?:digit|letter|number) off\b/, 'not correct', 'not right', "isn't right", 'no longer correct', /\bold (?:\w+ )?(?:address|number|email|phone|surname|name)\b/,
);
/** Life changed, the record did not: "我换手机号了", "I moved", "got married"; "还是以前那个", "the old one". */
export const LIFE_CHANGED = terms(
  '换手机号', '换号', '换了号', '换了手机', '改了名', '改名', '改过名', '搬家', '搬走', '结婚', '新号码', '新地址', '新号',
  /换了新/, '过期', '嫁人', '随夫姓', '改姓', 'divorce', 'gone back to', 'original surname', 'maiden name', 'moved', 'got married', 'new number', 'new phone', 'new address', 'changed my name', 'name changed', 'surname changed', 'changed after',
);
export const STALE = terms(
  '还是以前', '还是原来', '还是旧', '还是老', '以前的', '原来的', '旧的', '老的', '以前租', '好几年前',
  'still shows', 'still has', 'the old one', 'old one', 'is dead', 'needs to change', 'needs changing', 'needs updating',
  'should be', 'but i was born', 'says', 'no longer have', 'on file is', '还登记着', '过期的', '停用的', 'listed as', 'recorded as', 'down as', 'have me down', '写成', '填成', '登记成', '显示的是', '现在是',
);

export const PORT = terms(
  '转移', '迁移', '转到', '转给', '转至', '转入', '转去', '转过去', '传到', '传给', '传输', '发送给', '发给',
  '导出到', '导出给', '导入', '搬到', '搬过去', '迁到', '迁去', '迁过去', '移到', '挪到', '同步到', '带走', '带到', '带去', '带过去', '搬去', '弄到',
  '导到', '导给', '导入到', '传过去', '发过去', '导过去', 'transfer*', 'mov*', 'port', 'migrat*', 'send*', 'transmit*', 'export*', 'hand over', 'hand it', 'take my data', 'bring my data', 'come with me',
  /\bpass (?:\w+ ){0,3}on to\b/, 'pass it to', 'pass them to', /\bhand (?:\w+ ){1,4}over\b/,
);
export const PORTABILITY = terms('可携带', '可携', '携带权', '数据携带', 'portab*', 'machine-readable', 'machine readable', 'usable format');

export const WITHDRAW = terms('撤回', '撤销', '收回', '取消', '撤掉', 'withdraw*', 'revok*', 'retract*', 'take back', /\btake (?:\w+ ){1,3}back\b/, 'cancel*', 'rescind*');
export const CONSENT = terms('同意', '授权', '许可', '允许', '协议', '勾选', 'consent*', 'permission*', 'authori*', 'agreement', 'agreed', 'opted in', /\bthe (?:ok|okay|go-ahead|yes) i gave\b/, 'access');
export const REFUSE_ZH = terms('不同意', '我拒绝', '拒绝授权', '拒绝你们', '不授权', '不再同意', '不再授权', '退订', '取消订阅', /不(?:想|愿意?|要)再?(?:授权|同意)/);
export const REFUSE_EN = terms(
  'opt out', 'opt me out', 'opt-out', 'unsubscrib*', 'i do not consent', "i don't consent", 'i no longer consent',
  'i do not agree', "i don't agree", 'i no longer agree', 'i disagree', 'i refuse', 'i object',
);
export const STOP = terms(
  '不要', '别', '不许', '不准', '不得', '禁止', '不想', '不希望', '不允许', '不愿意', '停止', '不再', '拒绝', '勿', '停掉',
  'stop', 'quit', 'cease', "don't", 'dont', 'do not', 'never', 'no longer', 'no more', 'not to', 'refuse',
);
export const USE = terms(
  '用', '使用', '收集', '采集', '处理', '共享', '分享', '提供', '推送', '推', '发', '打', '追踪', '跟踪', '分析',
  '卖', '出售', '利用', '读取', '获取', '访问', '调用', '定位', '监听', '上传', '营销', '广告', '保存', '存', '收到', '拿', /给(?:第三方|别人|他人|其他)/,
  'use', 'used', 'using', 'process*', 'collect*', 'shar*', 'sell*', 'track*', 'send*', 'email*', 'call*', 'text*',
  'contact*', 'market*', 'target*', 'profil*', 'analy*', 'stor*', 'keep*', 'retain*', 'spam*', 'advertis*',
  'personali*', 'receiv*', 'monitor*', 'record*', 'reading',
);
export const TURN_OFF = terms('关闭', '关掉', '关了', '取消', 'turn off', 'switch off', 'disabl*');
export const PERSONALISATION = terms(
  '个性化', '推荐', '广告', '推送', '营销', '权限', '授权', '定位', '追踪', '精准', '画像',
  'personali*', 'recommendation*', 'ads', 'advert*', 'marketing', 'permission*', 'tracking', 'location', 'newsletter*',
);

export const COMPLAIN = terms(
  '投诉', '举报', '控告', '起诉', '告你们', '告你', '打官司', '维权', '消协', '网信办', '工信部', '监管部门',
  '12315', '曝光你们', '申诉', '律师函', '找律师', '请律师', /要求(?:你们)?给(?:我)?(?:一个|个)?(?:正式的?|合理的?)?(?:解释|说法|交代)/, '讨个说法', '给个说法', '给个交代', '给我一个交代', '给出调查结果', '这件事没完', '这事没完',
  'complain*', 'complaint*', 'report you', 'report this', 'report your', 'sue', 'suing', 'lawsuit', 'get a lawyer', 'my lawyers will', 'hear from my lawyer',
  'regulator*', 'ombudsman', 'grievance', 'legal action', 'data protection authority', 'want this investigated',
  'formally object', 'take this further', 'take it further',
);
export const ANGER = terms(
  '太过分', '过分', '恶心', /垃圾(?!短信|邮件|信息|电话|广告|分类|清理|文件)/, '无耻', '流氓', '坑人', '骗子', '欺骗', '气死', '凭什么', '什么玩意', '受不了',
  '忍无可忍', /不满(?![\d一二三四五六七八九十两]|周岁)/, '生气', '气愤', '失望', '岂有此理', '愤怒', '什么操作',
  'unacceptable', 'outrageous', 'disgusting', 'ridiculous', 'terrible', 'awful', 'furious', 'angry', 'pissed',
  'scam*', 'how dare', 'shame on you', 'fed up',
);
export const GRIEVANCE = terms(
  '泄露', '泄漏', '外泄', '卖了', '出卖', '倒卖', '贩卖', '骚扰', '侵犯', '侵权', '违法', '非法', '违规', '滥用',
  '乱用', '盗用', '盗取', '偷偷', '被盗', '未经我', '未经同意', '没经过我', '没有经过我', '从来没授权', '轰炸', '没告诉我', '不知情',
  'leaked', 'leak my', 'sold my', 'selling my', 'sell my', 'spamming', 'spammed', 'harass*', 'violat*', 'illegal*', 'unlawful*',
  'abus*', 'misus*', 'breach*', 'stole', 'stolen', 'without my consent', 'without my permission',
  'without asking me', 'without asking', 'without any reason', 'passed my details on', 'never agreed',
);

/** Unmistakable asks for a person. */
export const HUMAN = terms(
  '转人工', '人工客服', '人工服务', '人工坐席', '人工座席', /人工(?!智能|审核|处理|标注|复核|干预|检查)/, '真人',
  '活人', '接线员', /(?:和|跟|与|找|让|请)(?:你们的?)?(?:工作人员|客服人员)/, /(?:工作人员|客服人员)(?:来|沟通|联系我|跟我说|处理)/, '真正的人', '人类', '和人聊', '跟人聊', '跟人说', '和人说', '找个人',
  '叫人来', '换个人', '换人', /换个.{0,8}的人/, '负责人', '负责的人', '主管', '能做主的人', '管事的', /(?:叫|让|找|换)(?:你们)?.{0,6}的?人来/, /(?:找|叫|让)(?:一个|个)?.{0,6}的人(?:谈|聊|说)/,
  'human', 'real person', 'live person', 'live agent', 'human agent', 'actual person', 'member of staff', 'staff member', 'member of your team', 'team member',
  'not a bot', 'not a robot', 'a person i can', /\bsomeone from your (?:\w+ )?team\b/, /\b(?:someone|somebody|a person) who can (?:actually )?(?:help|decide|make a decision|sort)/, 'explain my situation to', 'contact me directly', 'call me back', 'call me about', 'reach out to me', 'get in touch with me', '给我回电话', '人工联系我', 'someone real', 'somebody real', 'someone from your team', 'than with a chatbot',
);
/** Roles that are a person only when asked for ("agent please"), not when data goes to them ("share with your agents"). */
export const HUMAN_ROLE = terms(
  '工作人员', '客服人员', 'a person', 'agent*', 'representative', 'rep', 'operator', 'customer service', 'customer support', 'support team',
  'support staff', 'live chat', 'manager', 'staff', 'someone', 'somebody', 'your team', '客服',
);
export const HUMAN_VERB = terms(
  '找', '转', '接', '叫', '要', '联系', '呼叫', '沟通', 'talk to', 'speak to', 'speak with', 'talk with', 'chat with',
  'connect me', 'put me through', 'transfer me', 'get me', 'need a', 'want a', 'discuss this with', 'sort this out with',
);
export const HUMAN_WHO = terms('客服', '真人', '人工', '活人', 'someone', 'somebody', 'people', 'staff', 'support');
export const NOT_THE_BOT = near(
  terms('不想', '不要', '不跟', '不和', '别', '受够', "don't want", 'not', "isn't", 'stop', 'tired of', 'enough of'),
  terms('机器人', '机器', 'bot', 'robot', 'machine', 'ai'),
  8,
);

export const PROGRESS = terms(
  '进度', '进展', '状态', /(?:怎么样|咋样|怎样|如何)了/, /到哪(?:一步|了)/, /(?:处理|办理|办|弄|搞|审核|审批|受理|完成|删|好|通过|批准|批|回复)(?:好|完|完成|掉)?了?(?:吗|没|么|没有)/,
  /还没(?:有)?(?:处理|办|好|完|回复|回音|消息|动静|结果|删|人理)/, /有(?:结果|回复|消息|进展|回音)了?(?:吗|没|么)/,
  /什么时候(?:能|可以|会|才能)?(?:处理|办|弄|完成|好|有结果|删)/, '跟进', /催(?!收|债|款|缴)/, '收到了吗', '收到没', '受理了吗', '受理没',
  /没(?:个|有)?(?:任何)?(?:回音|动静|消息|回复|人理|反馈|回应|答复|进展|结果|人联系)/, '动静都没有', '处理到', '什么程度', '进展如何',
  'status', 'progress', 'update on', 'updates on', 'any update*', 'any news', 'where is my', "where's my", 'what happened to',
  'been processed', 'been handled', 'been completed', 'been done', 'been approved', 'been reviewed', 'been received',
  'been deleted', 'did you process', 'did you receive', 'did you get', 'have you processed', 'have you received',
  'have you handled', 'have you deleted', 'heard back', 'still waiting', "haven't heard", 'follow up', 'follow-up',
  'check on', 'track*', 'yet', 'going on with my', 'happening with my', 'happened with my', 'looked at', 'looked into', 'looking into', 'response to my', 'reply to my', 'any word', 'how is my', "how's my", 'how are my',
  'heard nothing', 'gone through', 'go through', 'got back to me', 'get back to me', 'no reply', 'no response', 'nothing since', "what's going on", 'is at', 'chase',
  '到现在', '怎么回事', '还能登录', 'where is it', /\bit'?s (?:now )?been \d+/, /\b(?:is|are|has|have) my .{0,30}(?:complete|completed|done|finished|processed|resolved)\b/,
  'nothing happening', 'nothing has happened', /\b(?:get|got|gotten|been) done\b/, 'update me on', 'keep me posted', /\bhaven't had (?:a single |any )?(?:update|reply|response|word)/, "what's happening", "haven't heard anything", 'heard anything', 'where are things',
  'anything happened', 'anything happen', 'working on it', 'where this stands', 'where it stands', 'heard nothing', 'been looked at', 'any updates',
);
/** A request made earlier: "上周让你们删的", "半个月前提交的", "I asked you to ... ago", "I filed". */
export const EARLIER_REQUEST = terms(
  /(?:上周|上个月|前几天|之前|昨天|前天|半个月前|一周前|几天前|上次)(?:让你们|叫你们|请你们|提交|提的|申请)/, '提交的', '提的那个', '提的',
  /(?:\d+|[一二三四五六七八九十两几半]+)(?:天|周|个月|个星期|星期)(?:前|之前|以前)/,
  /\bi asked (?:you )?(?:to|for)\b/, 'i filed', 'i submitted', 'i requested', 'i sent in', 'i put in', /\b(?:days|weeks|months?|a while) ago\b/, 'last month', 'last week', 'since i submitted', 'since i asked',
);
export const CHECK = terms('查', '查询', '查一下', '看一下', 'check', 'look up', 'track', 'find');

/** Someone else seeing the data: "can my employer see ...", "别人能看到我的..." is a question about the policy. */
export const OTHERS_SEE = terms(
  /\b(?:can|could|will|would|do|does|is|are)\s+(?:my|your|the|other|any|their)\s+(?:\w+\s+)?(?:employer|boss|staff|employees|people|users|partners|advertisers|parents?|family|friends|government|police|contractors|agents)\s+(?:\w+\s+)?(?:see|access|view|read|get)\b/,
  /\b(?:can|could|will) (?:anyone|someone|others|other people|anybody) (?:else )?(?:see|access|view|read)\b/,
  /(?:别人|其他人|他人|员工|单位|老板|家人|父母|商家|合作方|第三方)(?:能|可以|会)?(?:看到|看见|查到|访问|获取)/,
);

/** What a field should say instead: "it should be 1997", "应该是张伟". */
export const RIGHT_VALUE = terms('should end in', 'should start with', 'instead', '改用', '改成', 'should be', 'should say', 'should read', 'it is actually', "it's actually", "but it's", 'but it is', "but i'm", 'but i am', '应该是', '应该为', '实际是', '实际上是', '正确的是', '其实是');
/** Asking to be sent a copy: "send me a copy", "provide me with a full copy", "发给我一份". */
export const SEND_ME = terms('provide me', 'send me', 'give me', 'email me', 'mail me', '发给我', '给我', '寄给我', '提供给我', '发我');
