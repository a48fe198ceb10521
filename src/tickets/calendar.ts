// Days as the requester and the tenant count them: the calendar day of an instant in the
// tenant's time zone, and China's official working days (public holidays off, 调休 make-up
// weekend days on) from the maintained `chinese-days` package, so a new year's schedule is a
// package update, not a code change.

import chineseDays from 'chinese-days';
import { BotError } from '../errors.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** True for a time zone name the runtime knows (IANA, e.g. "Asia/Shanghai"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(at: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    if (!isTimeZone(timeZone)) throw new BotError('invalid_config', `Unknown time zone "${timeZone}"; use an IANA name such as Asia/Shanghai.`);
    // en-CA writes dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

/** YYYY-MM-DD plus n calendar days (pure date arithmetic, no zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** An official working day in mainland China: Monday to Friday unless a holiday, or a make-up working weekend day. */
export function isChineseWorkday(day: string): boolean {
  return chineseDays.isWorkday(day);
}

/** The n-th working day after `day` (the day itself does not count, as a request received today starts counting tomorrow). */
export function addWorkdays(day: string, n: number): string {
  let current = day;
  let left = n;
  while (left > 0) {
    current = addDays(current, 1);
    if (isChineseWorkday(current)) left--;
  }
  return current;
}
