// The health report a privacy team can act on: for each element a policy must state under
// PIPL art. 17 and GB/T 35273-2020 (controller and contact, purposes, categories, retention,
// how to exercise each right, the response deadline, sharing and entrusted processing,
// cross-border transfer, children, how updates are announced) the clause that states it, or
// "missing". Also where two documents of one tenant say different things on the same topic
// (response deadlines, contacts, retention periods).

import { extractResponseDeadline } from '../tickets/deadline.ts';
import type { PolicyMeta } from './knowledge-base.ts';
import type { Clause } from './parser.ts';
import { stripWhitespace } from './text.ts';

export const ELEMENTS = [
  'controller',
  'contact',
  'purposes',
  'categories',
  'retention',
  'right_access',
  'right_correct',
  'right_delete',
  'right_withdraw',
  'right_close_account',
  'right_portability',
  'response_deadline',
  'sharing',
  'entrusted_processing',
  'cross_border',
  'children',
  'updates',
] as const;
export type PolicyElement = (typeof ELEMENTS)[number];

export const ELEMENT_LABELS: Record<PolicyElement, string> = {
  controller: 'controller name (个人信息处理者名称)',
  contact: 'controller contact (联系方式)',
  purposes: 'purposes of processing (处理目的)',
  categories: 'categories of personal information (个人信息种类)',
  retention: 'retention periods (保存期限)',
  right_access: 'how to access / copy (查阅、复制)',
  right_correct: 'how to correct / supplement (更正、补充)',
  right_delete: 'how to request deletion (删除)',
  right_withdraw: 'how to withdraw consent (撤回同意)',
  right_close_account: 'how to close the account (注销账户)',
  right_portability: 'how to transfer data to another controller (转移)',
  response_deadline: 'response deadline for requests (响应期限)',
  sharing: 'sharing with third parties (共享、转让、公开披露)',
  entrusted_processing: 'entrusted processing (委托处理)',
  cross_border: 'cross-border transfer (跨境传输 / 境内存储)',
  children: "children's personal information (儿童 / 未成年人)",
  updates: 'how updates are announced (政策更新与通知)',
};

/** How to tell someone how to use a right: a channel or a step, not just the right's name. */
const HOW = /(通过|联系|设置|路径|点击|进入|提交|申请|发送|拨打|邮件|邮箱|客服|操作|入口|contact|settings|request|e-?mail|submit|send|click|via|through)/i;
/** ... and says the person may do it. */
const MAY = /((您|用户|你).{0,12}(可以|可|有权|能够|享有)|(you|users?) (can|may|have the right|are entitled))/i;
const EXERCISE = [HOW, MAY];

interface Detector {
  /** Matched against a clause's headings and title: a clause about the element. */
  heading?: RegExp;
  /** Matched against the clause text. */
  text: RegExp;
  /** Also required in the same clause (e.g. how to exercise a right). */
  also?: RegExp[];
}

const DETECTORS: Record<Exclude<PolicyElement, 'response_deadline'>, Detector> = {
  controller: { text: /(有限公司|有限责任公司|股份有限公司|集团|公司\)|Co\.,? ?Ltd|Inc\.|Limited|GmbH|LLC)/i },
  contact: {
    heading: /联系我们|联系方式|contact us/i,
    text: /[\w.+-]+@[\w-]+(\.[\w-]+)+|(电话|热线|客服|联系方式|phone|tel)[:：\s]*[+\d(（][\d\s()（）-]{6,}|\b400[-\s]?\d{3}[-\s]?\d{4}\b|(地址|address)[:：]/i,
  },
  purposes: { text: /(收集|使用|处理).{0,30}(目的|用途)|(目的|用途).{0,10}(收集|使用|处理)|用于(以下|下列)|purposes? (of|for)|we use (your )?(personal )?(data|information) (to|for)/i },
  categories: { text: /姓名|手机号|电话号码|身份证|位置信息|设备信息|设备标识|联系方式|name|phone number|email address|device (information|identifier)|location/i, also: [/收集|获取|提供|collect|obtain|provide/i] },
  retention: {
    heading: /保存|存储|留存|retention|retain/i,
    text: /保存期限|存储期限|保存期|保留期|(保存|存储|留存).{0,20}(最短|必要的?(期限|时间)|\d+\s*(年|个月|天|日))|retention period|retain .{0,60}(for|until|as long as)|stor(e|ed) .{0,40}(for|until) /i,
  },
  right_access: { heading: /权利|rights/i, text: /查阅|查询|访问|复制|副本|access|copy/i, also: EXERCISE },
  right_correct: { heading: /权利|rights/i, text: /更正|修改|补充|纠正|correct|rectif|amend/i, also: EXERCISE },
  right_delete: { heading: /权利|rights/i, text: /删除|delete|erase|erasure/i, also: EXERCISE },
  right_withdraw: { text: /撤回.{0,10}(同意|授权)|改变.{0,6}(授权|同意)(范围)?|withdraw (your )?consent|revoke/i, also: EXERCISE },
  right_close_account: { text: /注销.{0,6}(账号|账户|帐号|帐户)|(账号|账户|帐号|帐户)注销|(close|delete|cancel|deregister) (your |the )?account/i, also: EXERCISE },
  right_portability: { text: /(转移|转至|迁移).{0,20}(个人信息|数据)|(个人信息|数据).{0,10}(转移|可携)|portab|transfer .{0,30}(to another|other controller)/i },
  sharing: { heading: /共享|转让|披露|sharing|share|disclos/i, text: /共享|对外提供|share|disclose/i },
  entrusted_processing: { text: /委托.{0,10}处理|委托处理|受托|entrust|process(ing|ors?) on (our|its) behalf|data processors?/i },
  cross_border: { text: /境外|跨境|出境|中国境内|中华人民共和国境内|境内(存储|保存)|cross-border|outside (of )?(the )?(mainland|China|PRC|country)|transfer(red)? (abroad|overseas|internationally)/i },
  children: { text: /儿童|未成年|未满\s*1[48]|children|minors?|under (the age of )?1[3-8]/i },
  updates: {
    heading: /(政策|本政策|条款).{0,6}(更新|修订|变更)|(更新|修订|变更)|update|changes to/i,
    text: /本(隐私)?政策.{0,20}(更新|修订|变更|修改)|(更新|修订|变更|修改)(后的)?本(隐私)?政策|(update|change|revise|amend)s? (to )?this (privacy )?policy|this (privacy )?policy (may|will) (be )?(updated|changed|revised)/i,
  },
};

export interface ElementFinding {
  element: PolicyElement;
  label: string;
  status: 'present' | 'missing';
  /** The clause that states it (present only). */
  clause?: { clauseId: string; number: string; title: string };
  /** Why it counts as missing, or a warning about how it is stated. */
  note?: string;
}

export interface PolicyHealth {
  policyId: string;
  title: string;
  language: 'zh' | 'en';
  findings: ElementFinding[];
  missing: PolicyElement[];
  /** Chapters about an element that have a heading and nothing under it. */
  emptyChapters: { clauseId: string; number: string; title: string; element: PolicyElement }[];
}

const ref = (c: Clause) => ({ clauseId: c.clauseId, number: c.number, title: c.title || c.headingPath.at(-1) || '' });
const headings = (c: Clause) => `${c.headingPath.join(' ')} ${c.title}`;

function findElement(clauses: Clause[], d: Detector): Clause | null {
  let best: Clause | null = null;
  let bestScore = 0;
  for (const c of clauses) {
    if (c.kind === 'contents') continue;
    if (!d.text.test(c.text)) continue;
    if (d.also && !d.also.every((r) => r.test(c.text))) continue;
    const score = 1 + (d.heading?.test(headings(c)) ? 2 : 0);
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  return best;
}

/** The clause a chapter about rights starts with, when nothing (or only an intro ending in ":") is under it. */
function emptyRightsChapters(clauses: Clause[]): Clause[] {
  const children = new Set(clauses.map((c) => c.parentId));
  return clauses.filter((c) => {
    if (c.kind === 'contents' || c.depth > 1 || !/权利|your rights/i.test(c.title)) return false;
    const body = stripWhitespace(c.text.slice(c.title.length));
    return !children.has(c.clauseId) && (body.length < 80 || /[:：]$/.test(body));
  });
}

export function checkPolicy(meta: PolicyMeta, clauses: Clause[]): PolicyHealth {
  const findings: ElementFinding[] = [];
  const empty = emptyRightsChapters(clauses);
  for (const element of ELEMENTS) {
    const label = ELEMENT_LABELS[element];
    if (element === 'response_deadline') {
      const deadline = extractResponseDeadline(clauses);
      findings.push(
        deadline
          ? { element, label, status: 'present', clause: ref(deadline.clause), note: `${deadline.days} ${deadline.unit === 'working' ? 'working days' : 'days'}` }
          : { element, label, status: 'missing', note: 'no clause states how many days a request takes; tickets fall back to the tenant\'s defaultResponseDays' },
      );
      continue;
    }
    const named = element === 'controller' && meta.company ? (clauses.find((c) => c.text.includes(meta.company!)) ?? null) : null;
    const found = named ?? findElement(clauses, DETECTORS[element]);
    const emptyNote = element.startsWith('right_') && empty.length > 0 ? `the rights chapter ${empty.map((c) => `${c.number} ${c.title}`.trim()).join(', ')} is empty` : undefined;
    findings.push(found ? { element, label, status: 'present', clause: ref(found), ...(emptyNote && { note: `stated outside ${emptyNote.slice(4)}` }) } : { element, label, status: 'missing', ...(emptyNote && { note: emptyNote }) });
  }
  return {
    policyId: meta.id,
    title: meta.title,
    language: meta.language,
    findings,
    missing: findings.filter((f) => f.status === 'missing').map((f) => f.element),
    emptyChapters: empty.map((c) => ({ ...ref(c), element: 'right_access' as const })),
  };
}

// Overlaps between two documents of one tenant ------------------------------------------------

export type OverlapTopic = 'response_deadline' | 'contact' | 'retention';

export interface OverlapSide {
  policyId: string;
  values: string[];
  clause: { clauseId: string; number: string; title: string } | null;
}

export interface Overlap {
  topic: OverlapTopic;
  /** True when both documents state the topic but with different values. */
  differs: boolean;
  sides: [OverlapSide, OverlapSide];
}

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const PHONE = /(?<![\d-])(?:400[-\s]?\d{3}[-\s]?\d{4}|0\d{2,3}[-\s]?\d{7,8}|1[3-9]\d{9})(?![\d-])/g;
const DURATION = /(\d+|[一二两三四五六七八九十]+)\s*(?:个)?\s*(年|月|日|天|工作日|years?|months?|days?)/g;

function contactValues(clauses: Clause[]): OverlapSide['values'] & { clause?: Clause } {
  const values = new Set<string>();
  let first: Clause | undefined;
  for (const c of clauses) {
    const found = [...(c.text.match(EMAIL) ?? []), ...(c.text.match(PHONE) ?? []).map((p) => p.replace(/[-\s]/g, ''))];
    if (found.length > 0) first ??= c;
    for (const v of found) values.add(v.toLowerCase());
  }
  return Object.assign([...values].sort(), { clause: first });
}

function retentionValues(clauses: Clause[]): OverlapSide['values'] & { clause?: Clause } {
  const d = DETECTORS.retention;
  const values = new Set<string>();
  let first: Clause | undefined;
  for (const c of clauses) {
    if (c.kind === 'contents' || !d.text.test(c.text)) continue;
    for (const sentence of c.text.split(/(?<=[。；;])/)) {
      if (!/(保存|存储|留存|retain|retention|store)/i.test(sentence)) continue;
      for (const m of sentence.matchAll(DURATION)) {
        first ??= c;
        values.add(`${m[1]}${m[2]}`);
      }
    }
  }
  return Object.assign([...values].sort(), { clause: first });
}

function side(policyId: string, values: string[] & { clause?: Clause }): OverlapSide {
  return { policyId, values: [...values], clause: values.clause ? ref(values.clause) : null };
}

/** Topics two documents of one tenant both state, and whether they state them differently. */
export function findOverlaps(a: { meta: PolicyMeta; clauses: Clause[] }, b: { meta: PolicyMeta; clauses: Clause[] }): Overlap[] {
  const overlaps: Overlap[] = [];
  const da = extractResponseDeadline(a.clauses);
  const db = extractResponseDeadline(b.clauses);
  if (da && db) {
    const fmt = (d: typeof da) => `${d.days} ${d.unit === 'working' ? 'working days' : 'days'}`;
    overlaps.push({
      topic: 'response_deadline',
      differs: fmt(da) !== fmt(db),
      sides: [
        { policyId: a.meta.id, values: [fmt(da)], clause: ref(da.clause) },
        { policyId: b.meta.id, values: [fmt(db)], clause: ref(db.clause) },
      ],
    });
  }
  for (const [topic, extract] of [
    ['contact', contactValues],
    ['retention', retentionValues],
  ] as const) {
    const va = extract(a.clauses);
    const vb = extract(b.clauses);
    if (va.length === 0 || vb.length === 0) continue;
    overlaps.push({ topic, differs: va.join('|') !== vb.join('|'), sides: [side(a.meta.id, va), side(b.meta.id, vb)] });
  }
  return overlaps;
}
