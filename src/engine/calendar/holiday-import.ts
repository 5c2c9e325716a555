/**
 * Public-holiday import from the `date-holidays` library (SEMANTICS §5: "importable for a country/region and year
 * range from a holidays library"). The result is plain one-off HolidayDefinitions ("YYYY-MM-DD" local dates with
 * names) to store in a calendar; imported days never change behind the admin's back.
 *
 * Decisions:
 * - Types default to ['public'] (legal days off). Substitute days the library lists (e.g. US "Juneteenth
 *   (substitute day)") are days off and are included.
 * - Part days: the library gives some holidays as starting part-way through a day (Christmas Eve and New Year's
 *   Eve from 14:00 in DE/AT, type 'bank', so only imported when asked for). A holiday replaces the day's weekly
 *   intervals, and the import does not know the calendar's hours, so:
 *     with `weekly` given, the day becomes a part-day holiday: that weekday's intervals cut off at the holiday's
 *     start (Thursday 09:00–12:00 + 13:00–17:30 with a 14:00 start → 09:00–12:00 + 13:00–14:00);
 *     without it, the day is closed all day (the helpdesk is off at least that afternoon; we would rather extend
 *     a deadline than invent working hours the calendar does not have).
 * - Two entries on one date are merged into one holiday named "A / B"; a whole day wins over a part day.
 * - `state` is the first-level subdivision (ISO 3166-2 suffix, e.g. "BY"), `region` a subdivision of that state.
 *   A `region` without a `state` is taken as the state (so { country: 'DE', region: 'BY' } works too).
 * - The library is loaded on first use (it weighs ~90 ms of start-up), keeping the calendar engine light.
 */
import { createRequire } from 'node:module';
import type HolidaysLibrary from 'date-holidays';
import type { HolidaysTypes } from 'date-holidays';
import type { HolidayDefinition, TimeRange, WeeklyInterval } from '../types.js';
import { DAY_MS, formatLocalTime, isoWeekdayOf, parseLocalTime } from './local-time.js';
import { splitAtMidnight } from './day-plan.js';

export type HolidayType = HolidaysTypes.HolidayType;

export interface HolidayImportOptions {
  /** ISO 3166-1 alpha-2 country code, e.g. "DE", "US". */
  country: string;
  /** First-level subdivision, e.g. "BY" (Bavaria) for DE, "CA" for US. */
  state?: string;
  /** Second-level region of the state, where the library has one. */
  region?: string;
  fromYear: number;
  toYear: number;
  /** Default ['public']. Add 'bank' for e.g. Christmas Eve afternoon in DE. */
  types?: HolidayType[];
  /** Language of the names (ISO 639-1); default: the country's first language. */
  language?: string;
  /** The calendar's weekly schedule: makes part-day holidays into intervals instead of whole days off. */
  weekly?: WeeklyInterval[];
}

type HolidaysConstructor = typeof HolidaysLibrary;
let library: HolidaysConstructor | undefined;

function loadLibrary(): HolidaysConstructor {
  library ??= createRequire(import.meta.url)('date-holidays') as HolidaysConstructor;
  return library;
}

/** Countries the library knows, as { code, name }, sorted by code. */
export function listHolidayCountries(language = 'en'): Array<{ code: string; name: string }> {
  const Holidays = loadLibrary();
  return toSortedList(new Holidays().getCountries(language));
}

/** First-level subdivisions (states) of a country, as { code, name }; empty when the library has none. */
export function listHolidayStates(country: string, language = 'en'): Array<{ code: string; name: string }> {
  const Holidays = loadLibrary();
  const code = resolveCountry(new Holidays(), country);
  return toSortedList(new Holidays().getStates(code, language) ?? {});
}

export function importPublicHolidays(options: HolidayImportOptions): HolidayDefinition[] {
  const { fromYear, toYear } = options;
  if (
    !Number.isInteger(fromYear) ||
    !Number.isInteger(toYear) ||
    fromYear > toYear ||
    toYear - fromYear > 100
  ) {
    throw new Error(
      `Holiday years must be whole numbers with fromYear ≤ toYear (at most 100 years apart); got ${fromYear}–${toYear}.`,
    );
  }
  const Holidays = loadLibrary();
  const probe = new Holidays();
  const country = resolveCountry(probe, options.country);
  const state = options.state ?? options.region;
  const region = options.state !== undefined ? options.region : undefined;
  const stateCode =
    state === undefined
      ? undefined
      : resolveSubdivision(probe.getStates(country, 'en'), state, `state of ${country}`);
  const regionCode =
    region === undefined || stateCode === undefined
      ? undefined
      : resolveSubdivision(
          probe.getRegions(country, stateCode, 'en'),
          region,
          `region of ${country}-${stateCode}`,
        );

  const types = options.types ?? ['public'];
  const holidays = new Holidays(country, stateCode ?? '', regionCode ?? '', {
    types,
    ...(options.language ? { languages: options.language } : {}),
  });
  const weeklyByDay = options.weekly ? weeklyIntervalsByDay(options.weekly) : undefined;

  const byDate = new Map<string, HolidayDefinition>();
  for (let year = fromYear; year <= toYear; year++) {
    for (const entry of holidays.getHolidays(year)) {
      if (!types.includes(entry.type)) continue;
      const date = entry.date.slice(0, 10);
      const startsAt = parseLocalTime(entry.date.slice(11, 16)) ?? 0;
      const imported: HolidayDefinition = { date, name: entry.name };
      if (startsAt > 0) {
        imported.name = `${entry.name} (from ${formatLocalTime(startsAt)})`;
        if (weeklyByDay) imported.intervals = workingUntil(weeklyByDay, date, startsAt);
      }
      byDate.set(date, mergeSameDate(byDate.get(date), imported));
    }
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

function resolveCountry(probe: HolidaysLibrary, country: string): string {
  const countries = probe.getCountries('en');
  const code = typeof country === 'string' ? country.trim().toUpperCase() : '';
  if (!(code in countries)) {
    throw new Error(
      `Unknown holiday country ${JSON.stringify(country)}; use an ISO 3166-1 alpha-2 code the holidays library supports, such as "DE" or "US" (see listHolidayCountries()).`,
    );
  }
  return code;
}

function resolveSubdivision(known: Record<string, string> | undefined, wanted: string, what: string): string {
  const code = typeof wanted === 'string' ? wanted.trim().toUpperCase() : '';
  const options = Object.keys(known ?? {});
  if (!options.includes(code)) {
    const hint = options.length > 0 ? `one of ${options.join(', ')}` : 'none (leave it out)';
    throw new Error(`Unknown ${what}: ${JSON.stringify(wanted)}; use ${hint}.`);
  }
  return code;
}

/** The weekly intervals belonging to each ISO weekday (after the midnight split), in local ms. */
function weeklyIntervalsByDay(weekly: WeeklyInterval[]): Array<Array<[number, number]>> {
  const byDay: Array<Array<[number, number]>> = [[], [], [], [], [], [], [], []];
  for (const interval of weekly) {
    const { ownDay, nextDay } = splitAtMidnight(interval);
    if (ownDay) byDay[interval.day]?.push([ownDay[0], ownDay[1]]);
    if (nextDay) byDay[(interval.day % 7) + 1]?.push([nextDay[0], nextDay[1]]);
  }
  for (const intervals of byDay) intervals.sort((a, b) => a[0] - b[0]);
  return byDay;
}

/** That date's weekly intervals, cut off at `until`; an empty list (closed) when nothing is left. */
function workingUntil(byDay: Array<Array<[number, number]>>, date: string, until: number): TimeRange[] {
  const epochDay = Date.parse(`${date}T00:00:00Z`) / DAY_MS;
  return byDay[isoWeekdayOf(epochDay)]!.filter(([start]) => start < until).map(([start, end]) => ({
    start: formatLocalTime(start),
    end: formatLocalTime(Math.min(end, until)),
  }));
}

function mergeSameDate(existing: HolidayDefinition | undefined, next: HolidayDefinition): HolidayDefinition {
  if (!existing) return next;
  const name = existing.name === next.name ? existing.name : `${existing.name} / ${next.name}`;
  const wholeDay = !existing.intervals || !next.intervals;
  return wholeDay ? { date: next.date, name } : { date: next.date, name, intervals: existing.intervals };
}

function toSortedList(record: Record<string, string>): Array<{ code: string; name: string }> {
  return Object.entries(record)
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
