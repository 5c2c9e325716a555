/**
 * Business calendars (SEMANTICS §1–9): compile a CalendarDefinition once into a BusinessCalendar whose
 * add / between / business-day queries are binary searches over expanded UTC working intervals.
 */
import type { BusinessCalendar, CalendarDefinition } from '../types.js';
import { AlwaysOpenCalendar, alwaysOpenCalendar } from './always-open.js';
import { CompiledCalendar } from './compiled-calendar.js';
import { DayPlanner } from './day-plan.js';
import { findCalendarProblems } from './validate.js';
import { WorkingTimeIndex } from './working-time-index.js';
import { ZoneClock } from './zone-clock.js';

export { alwaysOpenCalendar } from './always-open.js';
export { validateCalendarDefinition, findCalendarProblems, type CalendarProblem } from './validate.js';
export { importPublicHolidays, listHolidayCountries, type HolidayImportOptions } from './holiday-import.js';

/** Thrown by compileCalendar for a definition it cannot compute with; `problems` says what to fix. */
export class InvalidCalendarError extends Error {
  constructor(
    readonly calendarId: string,
    readonly problems: string[],
  ) {
    super(`Calendar "${calendarId}" is invalid: ${problems.join(' ')}`);
    this.name = 'InvalidCalendarError';
  }
}

/**
 * Compiles a definition. Throws InvalidCalendarError when it has problems (see validateCalendarDefinition),
 * except for "no working time at all": such a calendar compiles and simply never yields a deadline (§8).
 * The result caches its expansion, so keep one instance per calendar version and reuse it.
 */
export function compileCalendar(def: CalendarDefinition): BusinessCalendar {
  const problems = findCalendarProblems(def).filter((problem) => problem.code !== 'no_working_time');
  if (problems.length > 0)
    throw new InvalidCalendarError(
      String(def?.id),
      problems.map((problem) => problem.message),
    );
  if (def.alwaysOpen) return new AlwaysOpenCalendar(def.id, def.timeZone);
  const index = new WorkingTimeIndex(new ZoneClock(def.timeZone), new DayPlanner(def));
  return new CompiledCalendar(def.id, def.timeZone, index);
}

/** The instant at which `ms` of business time counted from `start` is used up (null beyond the horizon). */
export function addBusinessTime(calendar: BusinessCalendar, start: number, ms: number): number | null {
  return calendar.addBusinessTime(start, ms);
}

/** Business ms in [a, b); negative when b < a. */
export function businessTimeBetween(calendar: BusinessCalendar, a: number, b: number): number {
  return calendar.businessTimeBetween(a, b);
}

/** Whether a calendar counts plain elapsed time (24/7), i.e. targets on it are absolute durations. */
export function isAlwaysOpen(calendar: BusinessCalendar): boolean {
  return calendar instanceof AlwaysOpenCalendar || calendar === alwaysOpenCalendar;
}
