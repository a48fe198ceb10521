// What a message is about beyond the rights: small talk, customer-service matters this
// assistant does not handle (deliveries, refunds, passwords, orders), and the words of
// privacy itself, which make a statement a terse question for the policy.

import { terms } from './terms.ts';

export const CHIT_CHAT = terms(
  '天气', '笑话', '唱歌', '唱首歌', '讲故事', '讲个故事', '吃饭', '吃什么', '股票', '股市', '彩票', '电影', '音乐', '足球',
  '篮球', '比赛', '几点了', '几点', '几号', '星期几', '你是谁', '你叫什么', '你的名字', '你是机器人', '你几岁', '你多大', '男朋友',
  '女朋友', '做饭', '菜谱', '新闻', '作业', '写诗', '下雨', '旅游',
  'weather', 'joke', 'sing', 'story', 'recipe', 'stock*', 'lottery', 'movie*', 'music', 'song', 'football',
  'soccer', 'basketball', 'what time is it', 'who are you', 'your name', 'are you a bot', 'are you a robot',
  'are you human', 'how old are you', 'boyfriend', 'girlfriend', 'homework', 'poem', 'rain', 'holiday', 'vacation',
  'lunch', 'dinner', 'breakfast', 'pasta', 'pizza', 'favourite', 'favorite', 'colour', 'color', 'logo', '吃饭了吗', '周几', 'what day', '你会讲', '你会说', '讲英语', '说英语', '颜色', '你喜欢', 'speak english', 'capital of', 'tell me something', 'fun fact', /\d+ ?[+*/×÷] ?\d+/, /\d+ ?(?:times|plus|minus|divided by|乘以?|加上?|减去?|除以) ?\d+/, /\d+ ?- ?\d+ ?(?:=|等于)/,
);

export const SERVICE_TOPICS = ['delivery', 'refund', 'password', 'order'] as const;
export type ServiceTopic = (typeof SERVICE_TOPICS)[number];

/** Customer-service matters, each with the words that name it. */
export const SERVICE: [ServiceTopic, ReturnType<typeof terms>][] = [
  ['password', terms('密码', '登录不上', '登不上', '登陆不上', '无法登录', '不能登录', '登录不了', '登不了', 'password*', "can't log in", 'cannot log in', 'locked out', 'log in problem', 'login problem')],
  ['refund', terms('退款', '退货', '换货', '退钱', '退费', '钱退', '到账', 'refund*', 'money back', 'return this', 'return an item', 'return it', 'chargeback', 'reimburse*')],
  ['delivery', terms('快递', '物流', '发货', '配送', '包裹', '运单', '收货', '没到', '还没到', '派送', 'deliver*', 'package', 'parcel', 'shipping', 'shipment', 'courier', 'tracking number', 'arrived', 'dispatch*')],
  ['order', terms('订单', '优惠券', '发票', '会员费', '续费', '下单', '付款', '支付失败', 'my order', 'the order', 'order number', 'orders', 'coupon*', 'voucher*', 'invoice*', 'discount code', 'payment failed', 'subscription fee')],
];

/**
 * Privacy words that make a service word part of a privacy question ("你们会把我的收货地址给快递
 * 公司吗", "do you share my address with the courier?"): then the policy answers it.
 */
export const PRIVACY_CUES = terms(
  '信息', '数据', '资料', '隐私', '共享', '分享', '第三方', '收集', '采集', '个人', '泄露', '给商家', '提供给', '授权', '透露', /把.{1,12}(?:给|告诉|透露|提供)/,
  'data', 'information', 'info', 'privacy', 'personal', 'shar*', 'collect*', 'third part*', 'disclos*', 'details', 'sell*', 'pass on', 'give my', 'hand over',
);

/** Things a privacy policy is about: a statement naming one of these is a (terse) question. */
export const DOMAIN = terms(
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

export function serviceTopic(text: string): ServiceTopic | null {
  for (const [topic, words] of SERVICE) if (words.test(text)) return topic;
  return null;
}
