// When a rights request must be answered. The deadline is read from the tenant's own policy
// ("我们将在三十天内做出答复", "15个工作日内处理", "within 15 days ... respond") so a ticket's due
// date always rests on a clause we can cite; a tenant whose policy states none falls back to
// its configured default, and the ticket says so.

import type { Clause } from '../knowledge/parser.ts';
import { addDays, addWorkdays, dayIn, DEFAULT_TIME_ZONE } from './calendar.ts';

export interface ResponseDeadline {
  days: number;
  /** Calendar days, or official Chinese working days (holidays and make-up days included). */
  unit: 'calendar' | 'working';
}

export interface PolicyDeadline extends ResponseDeadline {
  clause: Clause;
  /** The sentence the deadline was read from. */
  sentence: string;
}

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** Parses "15", "十五", "三十", "二十五", "十" (the small numbers deadlines use). */
export function parseSmallNumber(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(text);
  if (m) return (m[1] ? DIGITS[m[1]]! : 1) * 10 + (m[2] ? DIGITS[m[2]]! : 0);
  if (text.length === 1 && text in DIGITS) return DIGITS[text]!;
  return null;
}

const NUMBER = '(\\d{1,3}|[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])';
/** "在三十天内做出答复", "15日内进行反馈", "15个工作日内处理". */
const ZH_DEADLINE = new RegExp(`${NUMBER}\\s*(?:个)?\\s*(工作日|自然日|天|日)(?:内|之内|以内)[^。；;]{0,20}?(答复|回复|反馈|处理|响应|回应|完成)`);
/** "we will respond within 15 days", "within fifteen (15) working days ... reply". */
const EN_DEADLINE = /within\s+(?:[a-z]+\s+)?\(?(\d{1,3})\)?\s+(working |business )?days?\b/i;
const EN_RESPONSE = /\b(respond|reply|answer|process|handle|complete)/i;
/** Words that tie a sentence or its clause to users' requests rather than, say, breach notices. */
const REQUEST_CONTEXT = /请求|申请|权利|要求|诉求|投诉|request|right/i;

/**
 * The response time the tenant's policies promise for users' requests: the first sentence, in
 * policy order, that names a number of days and a response, preferring those whose sentence
 * or clause speaks of requests or rights.
 */
export function extractResponseDeadline(clauses: Clause[]): PolicyDeadline | null {
  const found: (PolicyDeadline & { context: boolean })[] = [];
  for (const clause of clauses) {
    if (clause.kind === 'contents') continue;
    for (const sentence of clause.text.replace(/\n/g, '').split(/(?<=[。；;！!？?])|(?<=\.)\s+/)) {
      const zh = ZH_DEADLINE.exec(sentence);
      const en = zh || !EN_RESPONSE.test(sentence) ? null : EN_DEADLINE.exec(sentence);
      let deadline: ResponseDeadline | null = null;
      if (zh) {
        const days = parseSmallNumber(zh[1]!);
        if (days) deadline = { days, unit: zh[2] === '工作日' ? 'working' : 'calendar' };
      } else if (en) {
        deadline = { days: Number(en[1]), unit: en[2] ? 'working' : 'calendar' };
      }
      if (!deadline || deadline.days > 120) continue;
      const context = REQUEST_CONTEXT.test(sentence) || REQUEST_CONTEXT.test(clause.headingPath.join(' '));
      found.push({ ...deadline, clause, sentence: sentence.trim(), context });
    }
  }
  const best = found.find((f) => f.context) ?? found[0];
  if (!best) return null;
  const { context: _context, ...deadline } = best;
  return deadline;
}

/** The calendar day (YYYY-MM-DD) of an instant in China time, where ticket numbers restart. */
export function chinaDay(at: Date): string {
  return dayIn(at, DEFAULT_TIME_ZONE);
}

/**
 * The due date of a request received at `received`: its day in the tenant's time zone plus
 * the deadline, counting official Chinese working days for a working-day deadline (holidays
 * skipped, make-up working weekends counted; see calendar.ts).
 */
export function dueDate(received: Date, deadline: ResponseDeadline, timeZone: string = DEFAULT_TIME_ZONE): string {
  const day = dayIn(received, timeZone);
  return deadline.unit === 'calendar' ? addDays(day, deadline.days) : addWorkdays(day, deadline.days);
}
