// Recognises "what changed in the privacy policy?" questions ("隐私政策最近改了什么",
// "政策更新了哪些内容", "what's new in your privacy policy"). Kept apart from the intent
// classifier on purpose: these are answered from a diff of policy versions, not by search.

const ZH_CHANGE = /(删除了|删掉了|新增了|增加了|加了|更正了|改了|改动|修改|修订|变了|变化|变更|更新|调整|有何不同|有什么不同|有啥不同|区别)/;
const ZH_WHAT = /(什么|哪些|哪里|哪儿|啥|多少|吗|么|？|\?)/;
const ZH_POLICY = /(隐私政策|政策|隐私条款|条款|隐私声明|个人信息处理规则|规则|协议)/;
const ZH_NOT_DATA = /(我的|个人信息|资料|手机号|信息有误|帮我|怎么|如何|通知|告知|提醒|公告|公示|征得|同意)/;
const EN = [
  /\bwhat(?:'s| is| has| have)?\s+(?:been\s+)?(?:changed|new|different|updated)\b/i,
  /\b(?:what|which)\s+(?:changes|updates)\b/i,
  /\bchanges?\s+(?:to|in)\s+(?:the|your|this)\s+(?:privacy\s+)?(?:policy|notice|terms)\b/i,
  /\bhow\s+(?:has|did)\s+(?:the|your)\s+(?:privacy\s+)?policy\s+change/i,
];
const EN_POLICY = /\b(privacy|policy|notice|terms)\b/i;
const EN_NOT = /\b(notify|notified|inform|tell me when|how will)\b/i;

export function isWhatChangedQuestion(text: string): boolean {
  const t = text.trim();
  if (/[\u3400-\u9fff]/.test(t)) {
    // "改了什么" about the policy, not "帮我修改个人信息" (a correction request) or "怎么修改".
    return ZH_POLICY.test(t) && ZH_CHANGE.test(t) && ZH_WHAT.test(t) && !ZH_NOT_DATA.test(t.replace(/个人信息处理规则/g, ''));
  }
  return EN_POLICY.test(t) && !EN_NOT.test(t) && EN.some((p) => p.test(t));
}
