// The company's own contact details as stated in its policy: email addresses, phone numbers,
// postal addresses and the promised response time, each with the clause that states it, so
// an answer (or `policy check`) can quote "邮箱：privacy@example.com [第9条]" instead of
// hoping retrieval ranks the right paragraph first. Only what the text states is returned.

import { extractResponseDeadline } from '../tickets/deadline.ts';
import { findTenant, type KnowledgeBase } from './knowledge-base.ts';
import type { Clause } from './parser.ts';

export type ContactFactKind = 'email' | 'phone' | 'address' | 'response-time';

export interface ContactFact {
  kind: ContactFactKind;
  /**
   * Normalised value: a lower-cased email; a phone number as written without spaces; an
   * address as written; a response time as "15 working days" or "30 days".
   */
  value: string;
  policyId: string;
  clauseId: string;
  /** The clause's number to cite ('' for an unnumbered clause). */
  number: string;
  /** The sentence the fact was read from. */
  sentence: string;
}

const EMAIL = /[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}/gi;
const HAS_EMAIL = new RegExp(EMAIL.source, 'i');
// A phone number is only taken where the text says it is one: "客服电话 400-820-0000",
// "拨打 (086)-0532-88888888", "Tel: 010-12345678", "热线95588".
const PHONE_CUE = /(电话|热线|客服|拨打|致电|来电|手机|联系方式|tel(?:ephone)?|phone|hotline|call)/i;
const PHONE =
  /(?:\+?86[-\s]?|\(\+?0?86\)[-\s]?)?(?:\(?0\d{2,3}\)?[-\s]?\d{7,8}(?:[-\s]?\d{1,4})?|[48]00[-\s]?\d{3}[-\s]?\d{4}|1[3-9]\d{9}|9\d{4}(?!\d))/g;
const ADDRESS = /(?:注册|办公|通讯|通信|联系|邮寄|公司|营业|住所)?地址\s*(?:为|是|在|：|:)\s*([^。；;\n]{6,100})/g;
const EN_ADDRESS = /\baddress(?:\s+is|:)\s*([^;\n]{10,120}?)(?:\.(?:\s|$)|;|$)/gi;
const PLACE = /[省市区县镇路街道号楼室]|\b(road|street|avenue|building|floor|district)\b/i;

function sentencesOf(text: string): string[] {
  return text
    .split(/\n|(?<=[。；;！!？?])|(?<=\.)\s+(?=[A-Z])/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Every contact detail the clauses state, first occurrence of each value first, in policy
 * order; the response time once (the one tickets use, see src/tickets/deadline.ts).
 */
export function extractContactFacts(clauses: Clause[]): ContactFact[] {
  const facts: ContactFact[] = [];
  const seen = new Set<string>();
  const add = (kind: ContactFactKind, value: string, clause: Clause, sentence: string): void => {
    const key = `${kind}\0${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    facts.push({ kind, value, policyId: clause.policyId, clauseId: clause.clauseId, number: clause.number, sentence });
  };
  for (const clause of clauses) {
    if (clause.kind === 'contents') continue;
    for (const sentence of sentencesOf(clause.text)) {
      for (const m of sentence.match(EMAIL) ?? []) add('email', m.toLowerCase(), clause, sentence);
      for (const m of sentence.matchAll(PHONE)) {
        const before = sentence.slice(Math.max(0, m.index - 24), m.index);
        if (!PHONE_CUE.test(before)) continue;
        // Not part of a longer number or a date ("2022年", an ID number).
        const next = sentence[m.index + m[0].length] ?? '';
        if (/\d/.test(next) || /[年月日]/.test(next)) continue;
        add('phone', m[0].replace(/\s/g, ''), clause, sentence);
      }
      for (const m of [...sentence.matchAll(ADDRESS), ...sentence.matchAll(EN_ADDRESS)]) {
        const value = m[1]!
          .replace(/[，,]\s*(?:邮编|邮政编码|postcode|zip).*$/i, '')
          .replace(/^【(.*)】$/, '$1')
          .trim();
        if (PLACE.test(value) && !HAS_EMAIL.test(value)) add('address', value, clause, sentence);
      }
    }
  }
  const deadline = extractResponseDeadline(clauses);
  if (deadline) {
    const value = `${deadline.days} ${deadline.unit === 'working' ? 'working days' : 'days'}`;
    add('response-time', value, deadline.clause, deadline.sentence);
  }
  return facts;
}

/** The contact facts of one tenant: those its policies state, in manifest order. */
export function tenantContactFacts(kb: KnowledgeBase, tenantId: string): ContactFact[] {
  const tenant = findTenant(kb, tenantId);
  const policies = new Set(kb.policies.filter((p) => p.tenant === tenant.id).map((p) => p.id));
  return extractContactFacts(kb.clauses.filter((c) => policies.has(c.policyId)));
}
