// When a tenant's agents are at work, from the manifest's `businessHours`: a time zone, the
// working weekdays and the opening hours, with the official Chinese calendar (chinese-days:
// public holidays closed, 调休 make-up working days open) unless switched off. Without
// `businessHours` a tenant's agents are always reachable.

// chinese-days is CommonJS: its functions hang off the default export under Node's ESM loader.
import chineseDays from 'chinese-days';
import { z } from 'zod';
import type { Language } from '../knowledge/text.ts';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export const BusinessHoursSchema = z
  .object({
    timeZone: z
      .string()
      .default('Asia/Shanghai')
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'timeZone must be an IANA time zone such as Asia/Shanghai'),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
    open: z.string().regex(TIME, 'open is HH:MM (24-hour)').default('09:00'),
    close: z.string().regex(TIME, 'close is HH:MM (24-hour)').default('18:00'),
    /** Chinese public holidays are closed and 调休 make-up days open (chinese-days). */
    chineseHolidays: z.boolean().default(true),
  })
  .refine((h) => h.open < h.close, { message: 'close must be later than open', path: ['close'] });
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
  /** HH:MM */
  time: string;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function localTime(at: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0, time: `${parts.hour}:${parts.minute}` };
}

/** Whether agents are at work at `at`. */
export function isWithinBusinessHours(hours: BusinessHours | undefined, at: Date): boolean {
  if (!hours) return true;
  const local = localTime(at, hours.timeZone);
  if (local.time < hours.open || local.time >= hours.close) return false;
  if (hours.chineseHolidays) {
    if (chineseDays.getHolidaysInRange(local.date, local.date, false).length > 0) return false; // a public holiday
    if (local.weekday >= 6 && chineseDays.isWorkday(local.date)) return true; // a 调休 make-up working day
  }
  return hours.days.includes(local.weekday);
}

const DAY_NAMES: Record<Language, string[]> = {
  zh: ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  en: ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
};

/** "周一至周五 09:00–18:00（法定节假日除外）" / "Mon–Fri 09:00–18:00 (China time), public holidays excepted". */
export function describeBusinessHours(hours: BusinessHours, language: Language): string {
  const names = DAY_NAMES[language];
  const days = [...new Set(hours.days)].sort();
  const contiguous = days.every((d, i) => i === 0 || d === days[i - 1]! + 1);
  const dayText =
    contiguous && days.length > 2
      ? `${names[days[0]!]}${language === 'zh' ? '至' : '–'}${names[days.at(-1)!]}`
      : days.map((d) => names[d]).join(language === 'zh' ? '、' : ', ');
  const zone = hours.timeZone === 'Asia/Shanghai' ? (language === 'zh' ? '北京时间' : 'China time') : hours.timeZone;
  if (language === 'zh') return `${dayText} ${hours.open}–${hours.close}（${zone}${hours.chineseHolidays ? '，法定节假日除外' : ''}）`;
  return `${dayText} ${hours.open}–${hours.close} (${zone}${hours.chineseHolidays ? ', public holidays excepted' : ''})`;
}
