// Messages typed in toneless pinyin ("shanchu wo de geren xinxi", "zhuan rengong") read as
// the Chinese they spell. Only a message made entirely of known pinyin words is converted,
// so English is never touched; the table holds the words people use with this bot.

const WORDS: Record<string, string> = {
  // people, particles, everyday verbs
  wo: '我', women: '我们', ni: '你', nin: '您', nimen: '你们', de: '的', le: '了', ma: '吗', ne: '呢', ba: '吧',
  yao: '要', xiang: '想', bang: '帮', bangwo: '帮我', qing: '请', zhao: '找', gei: '给', kan: '看', cha: '查', fa: '发',
  neng: '能', keyi: '可以', nengbuneng: '能不能', bu: '不', buyao: '不要', mei: '没', meiyou: '没有', you: '有', shi: '是',
  zai: '在', jiu: '就', zhe: '这', zhege: '这个', ge: '个', yixia: '一下', xia: '下', mafan: '麻烦', hao: '好', haode: '好的',
  hui: '会', dou: '都', na: '哪', yong: '用', bie: '别', ta: '他', tamen: '他们', dui: '对', hen: '很', ye: '也', huan: '换',
  a: '啊', ya: '呀', xie: '谢', zenme: '怎么', zenmeyang: '怎么样', ruhe: '如何', naxie: '哪些', shenme: '什么', duojiu: '多久', weishenme: '为什么',
  // greetings and thanks
  nihao: '你好', ninhao: '您好', xiexie: '谢谢', duoxie: '多谢', ganxie: '感谢', zaijian: '再见', baibai: '拜拜',
  // data and the rights
  geren: '个人', xinxi: '信息', gerenxinxi: '个人信息', shuju: '数据', ziliao: '资料', jilu: '记录', yinsi: '隐私',
  zhanghao: '账号', zhanghu: '账户', zhuxiao: '注销', shanchu: '删除', shan: '删', diao: '掉', qingchu: '清除',
  chakan: '查看', chaxun: '查询', daochu: '导出', fuben: '副本', xiugai: '修改', gengzheng: '更正', gaicuo: '改错',
  shoujihao: '手机号', dianhua: '电话', dizhi: '地址', mingzi: '名字', youxiang: '邮箱', zhuanyi: '转移', qianyi: '迁移',
  chehui: '撤回', chexiao: '撤销', tongyi: '同意', shouquan: '授权', quxiao: '取消', guanbi: '关闭', gexinghua: '个性化',
  guanggao: '广告', tuisong: '推送', tuijian: '推荐', shouji: '收集', baocun: '保存', gongxiang: '共享', disanfang: '第三方',
  weizhi: '位置', liaotian: '聊天', tousu: '投诉', jubao: '举报', zhengce: '政策',
  // people and tickets
  rengong: '人工', kefu: '客服', zhuan: '转', zhuanjie: '转接', zhenren: '真人', jiqiren: '机器人',
  shenqing: '申请', jindu: '进度', zhuangtai: '状态', chuli: '处理', gongdan: '工单',
  // service words
  mima: '密码', kuaidi: '快递', tuikuan: '退款', dingdan: '订单', wuliu: '物流',
};

const LONGEST = Math.max(...Object.keys(WORDS).map((w) => w.length));

/** One token as pinyin words, longest first; null when some part is not a known word. */
function segment(token: string): string | null {
  let out = '';
  let i = 0;
  while (i < token.length) {
    let found = false;
    for (let len = Math.min(LONGEST, token.length - i); len > 0; len--) {
      const word = WORDS[token.slice(i, i + len)];
      if (word) {
        out += word;
        i += len;
        found = true;
        break;
      }
    }
    if (!found) return null;
  }
  return out;
}

/** The Chinese a pinyin message spells, or null when the message is not pinyin. */
export function fromPinyin(text: string): string | null {
  if (!/^[a-z\s,.!?']+$/.test(text)) return null;
  const tokens = text.split(/[\s,.!?']+/).filter((t) => t !== '');
  if (tokens.length === 0) return null;
  const parts = tokens.map(segment);
  if (parts.some((p) => p === null)) return null;
  // A lone short word ("you", "ma") is not enough to call a message pinyin.
  if (tokens.length === 1 && tokens[0]!.length < 5) return null;
  return parts.join('');
}
