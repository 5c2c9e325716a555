/**
 * The working intervals of one local day, in local ms after midnight, from the weekly schedule and holidays.
 *
 * Rules (SEMANTICS §5–6):
 * - an interval whose end is earlier than its start (22:00–06:00) crosses midnight; it is split there and the part
 *   after midnight (00:00–06:00) belongs to the next day, so a holiday on that next day removes it;
 * - a holiday (one-off "YYYY-MM-DD" wins over recurring "MM-DD") replaces the whole day's weekly intervals: none
 *   (closed all day) or its own intervals (a part-day holiday). Holiday intervals stay within their day: one that
 *   would cross midnight is cut at 24:00 (validation reports it).
 */
import type { CalendarDefinition, HolidayDefinition, TimeRange } from '../types.js';
import { DAY_MS, dateKeysOf, isoWeekdayOf, parseLocalTime } from './local-time.js';

/** [start, end) in ms after local midnight, 0 ≤ start < end ≤ DAY_MS. */
export type LocalInterval = readonly [start: number, end: number];

export interface DayPlan {
  intervals: readonly LocalInterval[];
  /** Set when a holiday decides this day. */
  holiday?: { name: string };
}

export class DayPlanner {
  /** Index 1..7: intervals belonging to that ISO weekday, including the after-midnight parts of the day before. */
  private readonly weekly: LocalInterval[][] = [[], [], [], [], [], [], [], []];
  private readonly oneOff = new Map<string, HolidayDefinition>();
  private readonly recurring = new Map<string, HolidayDefinition>();

  constructor(def: Pick<CalendarDefinition, 'weekly' | 'holidays'>) {
    for (const interval of def.weekly ?? []) {
      if (!Number.isInteger(interval.day) || interval.day < 1 || interval.day > 7) continue;
      const { ownDay, nextDay } = splitAtMidnight(interval);
      if (ownDay) this.weekly[interval.day]!.push(ownDay);
      if (nextDay) this.weekly[(interval.day % 7) + 1]!.push(nextDay);
    }
    for (let day = 1; day <= 7; day++) this.weekly[day] = normalise(this.weekly[day]!);
    for (const holiday of def.holidays ?? []) {
      if (typeof holiday.date !== 'string') continue;
      const target = holiday.date.length === 5 ? this.recurring : this.oneOff;
      if (!target.has(holiday.date)) target.set(holiday.date, holiday);
    }
  }

  /** Whether the weekly schedule has any working time at all (holidays aside). */
  get hasWeeklyWorkingTime(): boolean {
    return this.weekly.some((intervals) => intervals.length > 0);
  }

  planFor(epochDay: number): DayPlan {
    const keys = dateKeysOf(epochDay);
    const holiday = this.oneOff.get(keys.full) ?? this.recurring.get(keys.monthDay);
    if (!holiday) return { intervals: this.weekly[isoWeekdayOf(epochDay)]! };
    const intervals = normalise((holiday.intervals ?? []).map(clipToDay).filter(isPresent));
    return { intervals, holiday: { name: holiday.name ?? 'Holiday' } };
  }
}

/** Splits a weekly interval at midnight; unparsable or empty ones yield nothing (validation reports them). */
export function splitAtMidnight(range: TimeRange): { ownDay?: LocalInterval; nextDay?: LocalInterval } {
  const start = parseLocalTime(range.start);
  const end = parseLocalTime(range.end);
  if (start === null || end === null || start >= DAY_MS || start === end) return {};
  if (end > start) return { ownDay: [start, end] };
  return { ownDay: [start, DAY_MS], nextDay: end > 0 ? [0, end] : undefined };
}

function clipToDay(range: TimeRange): LocalInterval | undefined {
  const start = parseLocalTime(range.start);
  const end = parseLocalTime(range.end);
  if (start === null || end === null || start >= DAY_MS || start === end) return undefined;
  return [start, end > start ? end : DAY_MS];
}

/** Sorted, with overlapping or touching intervals merged (tolerates definitions that skipped validation). */
function normalise(intervals: LocalInterval[]): LocalInterval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function isPresent<T>(value: T | undefined): value is T {
  return value !== undefined;
}
