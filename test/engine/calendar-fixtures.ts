/** Shared builders for the calendar specs. Instants are written as explicit UTC ISO strings in the specs. */
import { compileCalendar } from '../../src/engine/calendar/index.js';
import type {
  BusinessCalendar,
  CalendarDefinition,
  HolidayDefinition,
  IsoWeekday,
  WeeklyInterval,
} from '../../src/engine/types.js';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const utc = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad ISO instant in test: ${iso}`);
  return t;
};

export const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export const MON_FRI: IsoWeekday[] = [1, 2, 3, 4, 5];

/** The same ranges on each of the given days. */
export function on(days: IsoWeekday[], ...ranges: Array<[string, string]>): WeeklyInterval[] {
  return days.flatMap((day) => ranges.map(([start, end]) => ({ day, start, end })));
}

export function calendar(
  timeZone: string,
  weekly: WeeklyInterval[],
  holidays: HolidayDefinition[] = [],
  id = 'test',
): BusinessCalendar {
  const def: CalendarDefinition = { id, timeZone, weekly, holidays };
  return compileCalendar(def);
}

/** Mon–Fri 09:00–17:00. */
export const nineToFive = (timeZone: string, holidays: HolidayDefinition[] = []) =>
  calendar(timeZone, on(MON_FRI, ['09:00', '17:00']), holidays);

/** Mon–Fri 09:00–12:00 + 13:00–17:30 (7.5 h a day). */
export const splitDay = (timeZone: string, holidays: HolidayDefinition[] = []) =>
  calendar(timeZone, on(MON_FRI, ['09:00', '12:00'], ['13:00', '17:30']), holidays);
