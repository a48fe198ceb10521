// The default intent classifier: a table of utterances per intent (written for these tests,
// not taken from the dev set), the question-versus-request distinction, negation, formatting,
// chat-history erasure, and the dev set's accuracy.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyIntent, interpret } from '../../src/conversation/interpret/index.ts';
import { INTENTS, type Intent } from '../../src/conversation/types.ts';

const isChatHistoryErasure = (text: string) => interpret(text).erasesChatHistory;

const CASES: Record<Intent, string[]> = {
  question: [
    '你们会把我的手机号给第三方吗？',
    '隐私政策里说的敏感信息包括哪些',
    'What personal information do you collect when I sign up?',
    'How long do you keep my data after I close my account?',
    'Can I delete my personal data?',
    '你们会删除我的数据吗',
    '如何注销账号',
    '注销账号以后我的数据还会保留吗？',
    '你们的数据存在国外吗',
    'Is my location shared with advertisers?',
    '我想知道怎么撤回授权',
    'How do I withdraw my consent?',
    '多久能处理完我的请求？',
    'How long does it take to process a deletion request?',
    '未成年人的信息你们怎么保护',
    'cookie政策',
    'Do you use cookies for advertising?',
    '你们公司的联系方式是什么',
    '可以查看我的个人信息吗？',
    'What rights do I have under PIPL?',
    '我能要求你们更正我的信息吗',
    'Can you tell me how to export my data?',
    '你们的人脸信息存多久',
    'Where is my data stored?',
    '想了解一下你们的隐私政策',
    'If I withdraw consent, can I still use the app?',
    '你们是不是会把我的聊天记录拿去训练模型？',
    '微信会读取我的通讯录吗',
    'Does the app access my camera?',
    'What happens to my data if the company is acquired?',
    '我的信息会被传到境外吗',
    'Who can I contact about privacy issues?',
    '怎么才能关掉个性化广告',
    '删除数据之后还能恢复吗',
    'Is it possible to get a copy of my data?',
    'Will you notify me if there is a data breach?',
    '你们会不会泄露我的信息',
    '能不能注销账号啊',
    '怎么投诉',
    'How can I file a complaint?',
    '你们保存我的信息多长时间',
    '我可以拒绝你们收集我的位置吗？',
    'What is the minimum age to use your service?',
    '个人信息出境',
    '如果我的信息被泄露了怎么办',
    '我想问一下你们收集人脸信息干嘛用',
    'Why do you need my phone number?',
    'Do you sell my personal data?',
    'What do you do with my location data?',
    '你们收集哪些数据啊',
    '你们app会不会偷听我说话',
    '我注销之后，你们还会保存我的交易记录吗',
    "How do you protect children's data?",
    'Are my messages end-to-end encrypted?',
    '我的数据你们存在哪个服务器',
    'What is your legal basis for processing my data?',
    '你们跟哪些第三方SDK共享数据',
    'Can you explain what "sensitive personal information" means?',
    '关于位置信息的说明在哪里',
    'Could you tell me how long my data is retained?',
    '删除个人信息要多久',
    "I'd like to know who you share my data with",
    '收集我的身份证号是必须的吗',
    '你们会用我的数据做广告吗',
    '你们删数据真的会删干净吗',
    '被删除的数据会备份吗？',
    'Do you really delete data when asked?',
    '注销账号有什么后果',
    '账号注销了还能恢复吗',
    '你们能做什么',
    'what can you do?',
    '你能回答什么问题',
  ],
  delete_data: [
    '麻烦把我所有的数据都删了',
    '我的照片你们给我删掉',
    '请清除我在你们平台上的全部个人信息',
    'Please erase all the information you hold about me.',
    'I want my personal information deleted',
    'Remove my data from your systems',
    '能不能帮我把我的浏览记录清空',
    'Could you delete my photos please?',
    '我要求行使被遗忘权',
    '删除我的聊天记录',
    'delete my conversation history',
    '赶紧把我的资料删干净',
    "I'd like you to wipe my records.",
    '把我在你们那儿的东西全删了',
    '我的信息你们别留着了，删了吧',
    'Get rid of all my personal info',
    'I demand that you erase my data',
    '请删除我上传的所有照片',
    '能帮我删一下我的搜索记录吗',
    "Hi, I'd like all my data removed please",
    '清空我的全部个人数据',
    '我的个人信息麻烦全部删除，谢谢',
    '把我留在你们那里的手机号和地址都删掉',
    'Kindly remove all personal data associated with my email',
    '我要求你们删除我的所有个人信息',
    '清除我所有的浏览和搜索历史',
    'Please delete the photos I uploaded',
    '我的数据你们给我删咯',
    '求求你们把我的信息删了',
    'Can you please get rid of my info?',
    'i want all my stuff deleted asap',
    '把我的历史订单记录删掉',
  ],
  access_data: [
    '我要一份我的数据副本',
    '导出我的数据',
    '把你们存的我的资料发我一份',
    '我想查看你们收集的我的全部信息',
    '你们到底存了我哪些信息？',
    'Send me a copy of all the personal data you have about me',
    "I'd like to download my data",
    'What data do you have on me?',
    'Please give me access to my personal information',
    '我要下载我的个人信息',
    'I want to see everything you hold about me',
    '帮我导出一下我的个人资料',
    '我想看看你们都收集了我什么信息',
    "Can you send me all the data you've collected on me?",
    '我要查询我的个人信息',
    '给我一份我的个人信息清单',
    "I'd like a full export of my account data",
    '请提供我的个人信息副本',
    'I want to know what data you hold about me, send it to me',
    '我需要一份你们收集的关于我的所有数据',
    '请把我的个人信息以电子版形式发给我',
    "Give me all the info you've got on me",
    '我想看下我的个人信息都有啥',
    'Could you email me a copy of my data?',
    '导出个人信息',
  ],
  correct_data: [
    '我的手机号填错了帮我改一下',
    '我的名字拼错了',
    '帮我把地址更新成新的',
    '我的邮箱地址不对，麻烦修改',
    '请更正我的出生日期',
    'My email address is wrong, please fix it',
    'I need to update my phone number',
    'Please correct my name in your records',
    'Your records have my old address, update it please',
    '我的身份证号录错了',
    'Change my date of birth to 1990-05-01',
    '我要修改我的个人资料',
    '我换手机号了，帮我更新一下',
    '我的生日填错了',
    'The address on my profile is outdated',
    "fix my surname, it's misspelled",
    '麻烦把我的姓名改成张伟',
    '我的资料有误，请更正',
    '我的性别登记错了，帮忙改下',
    'My phone number has changed, please update it',
    "I'd like to correct some inaccurate information in my profile",
    '我的学历信息不准确，需要修改',
    '我名字写错了',
    '我地址搬家了要改',
    'my name is spelled wrong in your system',
  ],
  cancel_account: [
    '注销我的账号',
    '这个号我不要了，给我销了吧',
    '我要注销',
    'Please close my account',
    'I want to delete my account permanently',
    'Deactivate my account',
    '帮我把账户关掉',
    '我不想用了，账号删了吧',
    'I no longer need my account, please cancel it',
    '申请销户',
    'Can you terminate my membership?',
    '我要把会员账号注销掉',
    '我要销号',
    '帮我把账号彻底删掉',
    'close my account now',
    'I want to cancel my account and everything',
    '不用了，注销吧',
    "I don't want my account anymore",
    '我想把我的账号注销了',
    'I want to close my account and delete everything',
    'please deactivate my user account',
    '不想玩了，帮我把账号注销',
    '销户',
    '账号不要了',
    'delete account',
    "I'm done with your service, close my account",
  ],
  withdraw_consent: [
    '我不同意你们再用我的信息了',
    '撤回我之前给的授权',
    '以后别再用我的数据做广告',
    'I withdraw my consent to data processing',
    'Stop using my data for marketing',
    'I no longer consent to you processing my information',
    '不要再给我发营销短信了',
    '帮我关闭个性化推荐',
    'Opt me out of personalised ads',
    '请停止收集我的位置信息',
    'I revoke the permission I gave you',
    "Don't share my information with your partners anymore",
    '我不想再收到你们的推送',
    'unsubscribe me from marketing emails',
    '我撤销对你们的授权',
    '不允许你们再收集我的通讯录',
    "I don't want you to use my data anymore",
    'please stop tracking my location',
    '关掉我的广告推荐',
    '我要撤回我的同意',
    '以后不要再给我打推销电话了',
    'Please stop sending me promotional emails',
    'I want to opt out of data sharing',
    '关闭我的定位授权',
    '我不同意',
    '我拒绝你们使用我的人脸信息',
    '别再追踪我了',
    "I don't agree to you processing my data anymore",
    '取消我给你们的所有授权',
  ],
  port_data: [
    '把我的数据转到别的平台',
    'transfer my data to another service',
    '我想把我的资料迁移到另一个应用',
    '请把我的个人信息直接传给第三方公司',
    'Please send my data to my new provider',
    'I want to move my data to a competitor',
    '帮我把数据导出给另外一家服务商',
    'Port my information to another platform please',
    'I want to exercise my right to data portability',
    '把我的记录转移到新的账号所在的平台',
    '帮我把我的数据搬到别家去',
    "I'd like my data transferred to a different company",
    '把我的个人数据导出并发送给另一家平台',
    'Move all my data to another app',
    '我想把我的个人信息带到别的平台去',
    'Please transfer all my personal data to my new bank',
    '能帮我把数据迁移到其他服务商吗',
    '数据迁移到另一个账号',
    'send my data to another company please',
  ],
  complaint: [
    '我要投诉',
    '你们泄露了我的信息，我要举报',
    '天天接到骚扰电话，肯定是你们卖了我的号码',
    'I want to file a complaint',
    'You leaked my data, this is unacceptable',
    '你们太过分了，没经过我同意就共享我的信息',
    "I'm going to report you to the regulator",
    '我要去网信办告你们',
    'Your app sold my information without my consent',
    "I'd like to lodge a complaint about how my data was handled",
    '垃圾公司，乱用我的个人信息',
    'I am furious that you shared my data',
    '我对你们处理我个人信息的方式非常不满',
    '你们凭什么收集我的通讯录',
    'I want to complain about spam calls',
    '你们偷偷收集我的位置',
    'This is a scam, you shared my data without asking me',
    '我要起诉你们',
    '你们的app一直在后台收集我的信息，我要投诉',
    "I'm filing a complaint about your data practices",
    '我的信息被你们泄露了，必须给个说法',
    "You've been spamming me for weeks, this is ridiculous",
    '你们这是违法的',
    '我要向监管部门举报你们',
    'this is a violation of my privacy',
    '投诉你们乱发短信',
  ],
  human_agent: [
    '人工客服',
    '找真人',
    'agent please',
    '我不想跟机器人聊，叫个真人来',
    '能帮我转接客服吗',
    'Can I speak to a human?',
    'Connect me to customer service',
    '有没有人工服务',
    'get me a real person',
    'I need a representative',
    '人工',
    '找客服',
    'can I talk to someone?',
    "I'd like to speak with a real human",
    '给我转个人工',
    '有真人吗',
    'operator',
    '我要人工',
    'can you get me a human',
    'talk to customer support',
    '我想和你们的工作人员沟通',
    '人工服务',
    '找个活人',
    'real person please',
    'let me talk to your staff',
  ],
  request_status: [
    '我的申请进度',
    "what's the status of my request",
    '查一下我的工单',
    '我上周提交的申请到哪一步了',
    '我的投诉有结果了吗',
    'Any update on my deletion request?',
    'Has my access request been processed yet?',
    '我之前提的注销申请怎么还没处理',
    'Check my ticket please',
    "I submitted a request last week and still haven't heard back",
    '我的工单什么时候能处理好',
    '我的注销申请审核通过了吗',
    'Where is my request at?',
    '我的工单号是123，处理到哪了',
    'is my deletion request done yet?',
    '上次提交的删除请求有进展吗',
    'what happened to my complaint?',
    '我那个删除申请有消息了没',
    'Has anyone looked at my ticket yet?',
    '我的请求现在什么状态',
    "I'm still waiting for a response to my access request",
    '我的申请咋样了',
    '我的请求处理了吗',
    "what's going on with my request?",
    '查看我的工单状态',
  ],
  greeting: [
    '您好呀',
    '在吗',
    'hi there',
    'Good morning!',
    '谢谢',
    'thanks a lot',
    '早上好',
    '嗨，小助手',
    'hey',
    '谢谢，再见',
    'Thank you, bye!',
    'hello there',
    '您好，在吗？',
    'hi!',
    '多谢',
    '晚上好',
    'thank you very much',
    'How are you?',
    'hey there!',
    '你好呀！',
    'good evening',
    '非常感谢',
    '嗨',
    '哈喽',
    'good afternoon',
    '在不在',
    'hi, anyone there?',
  ],
  other: [
    '今天天气怎么样',
    '好的',
    '哈哈哈',
    '讲个笑话吧',
    'ok',
    '我不想删除',
    'tell me a joke',
    "What's the weather like in Beijing?",
    '我今天心情不好',
    'I like pizza',
    '不要删除我的数据',
    '你是谁',
    '嗯',
    '你叫什么名字',
    '1+1等于几',
    "I'm bored",
    '没事了',
    'test',
    '随便聊聊',
    '我饿了',
    'lol',
    'nothing',
    '算了',
    '呵呵',
    '你真笨',
    'you are stupid',
    '随便',
  ],
};

describe('classifyIntent: the table', () => {
  for (const intent of INTENTS) {
    it(`has at least 8 cases for ${intent}, in Chinese and English`, () => {
      const cases = CASES[intent];
      expect(cases.length).toBeGreaterThanOrEqual(8);
      expect(cases.some((t) => /[\u4e00-\u9fff]/.test(t))).toBe(true);
      expect(cases.some((t) => !/[\u4e00-\u9fff]/.test(t))).toBe(true);
    });
    it.each(CASES[intent])(`${intent}: %s`, (text) => {
      expect(classifyIntent(text).intent).toBe(intent);
    });
  }
});

describe('classifyIntent: asking about a right versus exercising it', () => {
  // [question about the right, request to exercise it, the request's intent]
  const PAIRS: [string, string, Intent][] = [
    ['怎样才能删除我的个人信息？', '请删除我的个人信息', 'delete_data'],
    ['你们会删掉我上传的照片吗', '把我上传的照片删掉', 'delete_data'],
    ['Can I have my data erased?', 'Erase my data, please.', 'delete_data'],
    ['如何查看你们收集的我的个人信息？', '我想查看我的个人信息', 'access_data'],
    ['Is it possible to download my data?', 'I want to download my data', 'access_data'],
    ['个人信息填错了怎么改？', '我的电话填错了，帮我改一下', 'correct_data'],
    ['How can I update my email address?', 'Please update my email address', 'correct_data'],
    ['注销账号需要什么条件？', '我要注销账号', 'cancel_account'],
    ['How do I close my account?', 'Close my account.', 'cancel_account'],
    ['撤回授权以后还能用吗？', '我要撤回授权', 'withdraw_consent'],
    ['Can I withdraw my consent later?', 'I withdraw my consent.', 'withdraw_consent'],
    ['能把我的数据转到其他平台吗？', '帮我把数据转到其他平台', 'port_data'],
    ['Do you transfer data to other companies?', 'Transfer my data to another company', 'port_data'],
    ['怎么投诉你们？', '我要投诉你们', 'complaint'],
    ['How do I make a complaint?', 'I want to make a complaint', 'complaint'],
  ];
  it.each(PAIRS)('%s -> question; %s -> %s', (question, request, intent) => {
    expect(classifyIntent(question).intent).toBe('question');
    expect(classifyIntent(request).intent).toBe(intent);
  });

  it('treats polite wrappers as requests, not questions', () => {
    expect(classifyIntent('能不能帮我删除我的个人信息？').intent).toBe('delete_data');
    expect(classifyIntent('麻烦帮我注销一下账号').intent).toBe('cancel_account');
    expect(classifyIntent('Could you please delete my data?').intent).toBe('delete_data');
    expect(classifyIntent('请把我的个人信息副本发给我').intent).toBe('access_data');
  });

  it('treats wanting to know as a question', () => {
    expect(classifyIntent('我想知道怎么删除我的数据').intent).toBe('question');
    expect(classifyIntent('I want to know how to delete my account').intent).toBe('question');
    expect(classifyIntent('Can you tell me how to export my data?').intent).toBe('question');
    expect(classifyIntent('请问怎么注销账号').intent).toBe('question');
  });

  it('asks about the policy’s deadline (question), not about the person’s ticket (request_status)', () => {
    expect(classifyIntent('多久能处理完删除请求？').intent).toBe('question');
    expect(classifyIntent('How long does it take to handle a request?').intent).toBe('question');
    expect(classifyIntent('我提交的删除请求处理好了没').intent).toBe('request_status');
    expect(classifyIntent('Has my request been handled yet?').intent).toBe('request_status');
  });
});

describe('classifyIntent: negation', () => {
  it.each([
    ['我不想删除', 'other'],
    ['我不想删除我的信息', 'other'],
    ['千万别删我的资料', 'other'],
    ["Please don't delete my data", 'other'],
    ["I don't want to close my account", 'other'],
    ['我暂时不想注销账号', 'other'],
  ] as const)('%s is not a request (%s)', (text, intent) => {
    expect(classifyIntent(text).intent).toBe(intent);
  });

  it('keeps the unnegated action of a mixed message', () => {
    expect(classifyIntent('我想删除我的数据，但不想注销账号').intent).toBe('delete_data');
    expect(classifyIntent('Delete my data but do not close my account').intent).toBe('delete_data');
  });

  it('reads "stop using" and "do not share" as withdrawing consent, not as negated requests', () => {
    expect(classifyIntent('不要再使用我的个人信息').intent).toBe('withdraw_consent');
    expect(classifyIntent('Do not share my data with anyone').intent).toBe('withdraw_consent');
  });

  it('does not take an A-not-A question for a negation', () => {
    expect(classifyIntent('能不能帮我把资料删掉').intent).toBe('delete_data');
    expect(classifyIntent('你们会不会删除我的数据？').intent).toBe('question');
  });
});

describe('classifyIntent: form', () => {
  it('ignores full-width punctuation, letters and English casing', () => {
    expect(classifyIntent('ＰＬＥＡＳＥ　ＤＥＬＥＴＥ　ＭＹ　ＤＡＴＡ！').intent).toBe('delete_data');
    expect(classifyIntent('HOW DO I DELETE MY DATA？').intent).toBe('question');
    expect(classifyIntent('  Close   My   Account  ').intent).toBe('cancel_account');
  });

  it('classifies what follows a greeting', () => {
    expect(classifyIntent('你好，我要注销账号').intent).toBe('cancel_account');
    expect(classifyIntent('Hi! What data do you collect?').intent).toBe('question');
    expect(classifyIntent('您好，请问在吗？').intent).toBe('greeting');
    expect(classifyIntent('hello, human please').intent).toBe('human_agent');
  });

  it('counts thanks and goodbyes as greetings', () => {
    expect(classifyIntent('谢谢').intent).toBe('greeting');
    expect(classifyIntent('Thanks, bye!').intent).toBe('greeting');
  });

  it('reports the language and a confidence between 0.5 and 1', () => {
    const zh = classifyIntent('帮我删除我的个人信息');
    expect(zh.language).toBe('zh');
    expect(zh.confidence).toBeGreaterThan(0.5);
    expect(zh.confidence).toBeLessThanOrEqual(1);
    expect(classifyIntent('delete my data').language).toBe('en');
    expect(classifyIntent('').intent).toBe('other');
    // A clear case is more confident than a borderline one.
    expect(classifyIntent('转人工').confidence).toBeGreaterThan(classifyIntent('删了吧').confidence);
  });
});

describe('isChatHistoryErasure', () => {
  it.each([
    '删除我的聊天记录',
    '把我们刚才的对话清空',
    '帮我删掉和你的聊天内容',
    '忘掉我刚才说的话',
    'delete my conversation history',
    'Please clear our chat history',
    'forget what I told you',
    'erase this conversation',
  ])('recognises %s', (text) => {
    expect(isChatHistoryErasure(text)).toBe(true);
    expect(classifyIntent(text).intent).toBe('delete_data');
  });

  it.each([
    '删除我的个人信息',
    'delete my account',
    '你们会保存聊天记录吗？',
    'How do I delete my chat history?',
    '不要删除聊天记录',
    '我的聊天记录',
  ])('leaves %s alone', (text) => {
    expect(isChatHistoryErasure(text)).toBe(false);
  });
});

describe('the dev set', () => {
  it('classifies at least 95% of ../shared/eval/dev-intents.jsonl correctly', () => {
    const file = join(import.meta.dirname, '..', '..', '..', 'shared', 'eval', 'dev-intents.jsonl');
    const items = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { id: string; text: string; intent: Intent });
    expect(items.length).toBeGreaterThan(0);
    const wrong = items.filter((i) => classifyIntent(i.text).intent !== i.intent);
    const accuracy = (items.length - wrong.length) / items.length;
    expect(accuracy, wrong.map((w) => `${w.id} ${w.text} -> ${classifyIntent(w.text).intent}`).join('\n')).toBeGreaterThanOrEqual(0.95);
  });
});
