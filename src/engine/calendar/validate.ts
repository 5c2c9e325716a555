/**
 * Validation of a CalendarDefinition for the admin API: every problem, each as a sentence saying how to fix it.
 * compileCalendar refuses definitions with problems, except "no working time at all", which it accepts so that
 * a stored calendar still evaluates (its clocks get no deadline, SEMANTICS §8); saving one is rejected here.
 */
import type { CalendarDefinition, TimeRange } from '../types.js';
import { DAY_MS, formatLocalTime, parseHolidayDate, parseLocalTime } from './local-time.js';
import { ZoneClock } from './zone-clock.js';

export interface CalendarProblem {
  code: 'time_zone' | 'shape' | 'time' | 'empty_interval' | 'overlap' | 'holiday_date' | 'no_working_time';
  message: string;
}

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function validateCalendarDefinition(def: CalendarDefinition): string[] {
  return findCalendarProblems(def).map((problem) => problem.message);
}

export function findCalendarProblems(def: CalendarDefinition): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  const add = (code: CalendarProblem['code'], message: string) => problems.push({ code, message });

  if (!def || typeof def !== 'object') {
    add('shape', 'The calendar definition must be an object with id, timeZone, weekly and holidays.');
    return problems;
  }
  if (typeof def.id !== 'string' || def.id.trim() === '') add('shape', 'Give the calendar a non-empty id.');
  if (!ZoneClock.isKnownZone(def.timeZone)) {
    add(
      'time_zone',
      `timeZone ${JSON.stringify(def.timeZone)} is not a known IANA time zone; use a name such as "Europe/Berlin", "America/New_York" or "UTC".`,
    );
  }
  if (def.alwaysOpen === true) return problems; // 24/7: weekly and holidays are ignored.

  if (!Array.isArray(def.weekly)) {
    add(
      'shape',
      'weekly must be a list of { day, start, end } working intervals (it may be empty only for a 24/7 calendar).',
    );
  } else {
    checkWeekly(def.weekly, add);
  }
  if (def.holidays !== undefined && !Array.isArray(def.holidays)) {
    add('shape', 'holidays must be a list of { date, name?, intervals? } entries.');
  } else {
    checkHolidays(def.holidays ?? [], add);
  }
  return problems;
}

type Report = (code: CalendarProblem['code'], message: string) => void;

/** A working interval after the midnight split, with where it came from, for overlap messages. */
interface Piece {
  start: number;
  end: number;
  label: string;
}

function checkWeekly(weekly: CalendarDefinition['weekly'], report: Report): void {
  const byDay: Piece[][] = [[], [], [], [], [], [], [], []];
  let entryProblems = 0;
  const add: Report = (code, message) => {
    entryProblems++;
    report(code, message);
  };
  weekly.forEach((interval, i) => {
    const where = `weekly[${i}]`;
    if (!interval || typeof interval !== 'object') {
      add('shape', `${where} must be an object { day, start, end }.`);
      return;
    }
    const dayOk = Number.isInteger(interval.day) && interval.day >= 1 && interval.day <= 7;
    if (!dayOk) {
      add(
        'shape',
        `${where}.day ${JSON.stringify(interval.day)} must be an ISO weekday from 1 (Monday) to 7 (Sunday).`,
      );
    }
    const range = checkRange(interval, where, add, { mayCrossMidnight: true });
    if (!range || !dayOk) return;
    const dayName = WEEKDAY_NAMES[interval.day]!;
    const label = `${where} (${dayName} ${interval.start}–${interval.end})`;
    if (range.end > range.start) {
      byDay[interval.day]!.push({ ...range, label });
    } else {
      byDay[interval.day]!.push({ start: range.start, end: DAY_MS, label });
      if (range.end > 0) {
        const next = (interval.day % 7) + 1;
        byDay[next]!.push({
          start: 0,
          end: range.end,
          label: `the part after midnight of ${label}, on ${WEEKDAY_NAMES[next]}`,
        });
      }
    }
  });
  for (let day = 1; day <= 7; day++) reportOverlaps(byDay[day]!, WEEKDAY_NAMES[day]!, add);
  // Only when nothing else is wrong: an entry with a typo already says what to fix.
  const anyWorking = byDay.some((pieces) => pieces.length > 0);
  if (!anyWorking && entryProblems === 0) {
    report(
      'no_working_time',
      'The calendar has no working interval; add at least one weekly interval (e.g. { day: 1, start: "09:00", end: "17:00" }) or set alwaysOpen: true for a 24/7 calendar.',
    );
  }
}

function checkHolidays(holidays: NonNullable<CalendarDefinition['holidays']>, add: Report): void {
  const seen = new Map<string, number>();
  holidays.forEach((holiday, i) => {
    const where = `holidays[${i}]`;
    if (!holiday || typeof holiday !== 'object') {
      add('shape', `${where} must be an object { date, name?, intervals? }.`);
      return;
    }
    if (!parseHolidayDate(holiday.date)) {
      add(
        'holiday_date',
        `${where}.date ${JSON.stringify(holiday.date)} is not a date; write "YYYY-MM-DD" for a one-off holiday or "MM-DD" for one that recurs every year (e.g. "2026-12-24" or "12-25").`,
      );
    } else if (seen.has(holiday.date)) {
      add(
        'holiday_date',
        `${where} repeats the date ${holiday.date} of holidays[${seen.get(holiday.date)}]; keep a single entry per date.`,
      );
    } else {
      seen.set(holiday.date, i);
    }
    if (holiday.name !== undefined && typeof holiday.name !== 'string')
      add('shape', `${where}.name must be text.`);
    if (holiday.intervals === undefined) return;
    if (!Array.isArray(holiday.intervals)) {
      add('shape', `${where}.intervals must be a list of { start, end } (leave it out for a whole day off).`);
      return;
    }
    const pieces: Piece[] = [];
    holiday.intervals.forEach((interval, j) => {
      const at = `${where}.intervals[${j}]`;
      const range = checkRange(interval, at, add, { mayCrossMidnight: false });
      if (range) pieces.push({ ...range, label: `${at} (${interval.start}–${interval.end})` });
    });
    reportOverlaps(pieces, `holiday ${holiday.date}`, add);
  });
}

function checkRange(
  range: TimeRange,
  where: string,
  add: Report,
  { mayCrossMidnight }: { mayCrossMidnight: boolean },
): { start: number; end: number } | undefined {
  if (!range || typeof range !== 'object') {
    add('shape', `${where} must be an object { start, end }.`);
    return undefined;
  }
  const start = parseLocalTime(range.start);
  const end = parseLocalTime(range.end);
  const fix = 'write a 24-hour local time "HH:mm" or "HH:mm:ss", e.g. "09:00" or "17:30"';
  if (start === null) add('time', `${where}.start ${JSON.stringify(range.start)} is not a time; ${fix}.`);
  else if (start === DAY_MS)
    add('time', `${where}.start cannot be "24:00"; start the interval at "00:00" of the next day.`);
  if (end === null)
    add(
      'time',
      `${where}.end ${JSON.stringify(range.end)} is not a time; ${fix} ("24:00" is allowed as an end).`,
    );
  if (start === null || end === null || start === DAY_MS) return undefined;
  if (start === end) {
    add(
      'empty_interval',
      `${where} starts and ends at ${formatLocalTime(start)}, so it is empty; for a whole day use "00:00"–"24:00", otherwise give a later end.`,
    );
    return undefined;
  }
  if (end < start && !mayCrossMidnight) {
    add(
      'time',
      `${where} ends (${range.end}) before it starts (${range.start}); a holiday's intervals must stay within its day: end at "24:00" and give the next day its own holiday entry.`,
    );
    return undefined;
  }
  return { start, end };
}

function reportOverlaps(pieces: Piece[], dayLabel: string, add: Report): void {
  const sorted = [...pieces].sort((a, b) => a.start - b.start);
  let reaching = sorted[0]; // the piece seen so far that reaches furthest
  for (let k = 1; k < sorted.length; k++) {
    const previous = reaching!;
    const current = sorted[k]!;
    if (current.end > previous.end) reaching = current;
    if (current.start < previous.end) {
      add(
        'overlap',
        `On ${dayLabel}, ${current.label} overlaps ${previous.label}; make the intervals not overlap (touching is fine) or merge them into one.`,
      );
    }
  }
}
