/** Local wall-clock times ("HH:mm" / "HH:mm:ss") and local dates, as plain numbers. */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Milliseconds after local midnight for "HH:mm" or "HH:mm:ss" (24-hour clock), or null when malformed.
 * "24:00" (and "24:00:00") parse to DAY_MS; whether that is allowed (only as an end) is the caller's call.
 */
export function parseLocalTime(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = LOCAL_TIME.exec(text);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  const seconds = match[3] === undefined ? 0 : Number(match[3]);
  if (minutes > 59 || seconds > 59) return null;
  if (hours > 24 || (hours === 24 && (minutes > 0 || seconds > 0))) return null;
  return hours * HOUR_MS + minutes * MINUTE_MS + seconds * 1000;
}

/** "HH:mm" (or "HH:mm:ss" when there are seconds) for a number of ms after local midnight. */
export function formatLocalTime(msOfDay: number): string {
  const totalSeconds = Math.floor(msOfDay / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const hhmm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  return s === 0 ? hhmm : `${hhmm}:${String(s).padStart(2, '0')}`;
}

/** A local date as days since 1970-01-01 (the "epoch day"), the key of everything per-day. */
export function epochDayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of an epoch day; 1970-01-01 was a Thursday. */
export function isoWeekdayOf(epochDay: number): number {
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}

/** "YYYY-MM-DD" and "MM-DD" keys of an epoch day, for one-off and recurring holiday lookup. */
export function dateKeysOf(epochDay: number): { full: string; monthDay: string } {
  const date = new Date(epochDay * DAY_MS);
  const monthDay = `${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
  return { full: `${String(date.getUTCFullYear()).padStart(4, '0')}-${monthDay}`, monthDay };
}

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/** Whether a holiday date is a real "YYYY-MM-DD" date or a real "MM-DD" month-day (02-29 allowed). */
export function parseHolidayDate(text: unknown): { kind: 'one-off' | 'recurring' } | null {
  if (typeof text !== 'string') return null;
  const full = FULL_DATE.exec(text);
  if (full) {
    const [y, m, d] = [Number(full[1]), Number(full[2]), Number(full[3])];
    return isRealDate(y, m, d) ? { kind: 'one-off' } : null;
  }
  const monthDay = MONTH_DAY.exec(text);
  if (monthDay) {
    // 2000 is a leap year, so "02-29" is accepted; it applies in leap years only.
    return isRealDate(2000, Number(monthDay[1]), Number(monthDay[2])) ? { kind: 'recurring' } : null;
  }
  return null;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
