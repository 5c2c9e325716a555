import { describe, expect, it } from 'vitest';
import {
  InvalidCalendarError,
  compileCalendar,
  validateCalendarDefinition,
} from '../../src/engine/calendar/index.js';
import type { CalendarDefinition } from '../../src/engine/types.js';
import { MON_FRI, on } from './calendar-fixtures.js';

const valid: CalendarDefinition = {
  id: 'support-berlin',
  timeZone: 'Europe/Berlin',
  weekly: on(MON_FRI, ['09:00', '12:00'], ['13:00', '17:30']),
  holidays: [
    { date: '12-25', name: 'Christmas' },
    { date: '2026-12-24', intervals: [{ start: '09:00', end: '12:00' }] },
  ],
};

const problemsOf = (patch: Partial<CalendarDefinition>) => validateCalendarDefinition({ ...valid, ...patch });

describe('validateCalendarDefinition', () => {
  it('accepts a sound calendar, overnight intervals and touching intervals included', () => {
    expect(validateCalendarDefinition(valid)).toEqual([]);
    expect(
      problemsOf({
        weekly: [
          { day: 5, start: '22:00', end: '06:00' },
          { day: 6, start: '06:00', end: '10:00' },
        ],
      }),
    ).toEqual([]);
    expect(
      problemsOf({
        weekly: [
          { day: 1, start: '00:00', end: '24:00' },
          { day: 2, start: '08:00:30', end: '08:00:45' },
        ],
      }),
    ).toEqual([]);
  });

  it('rejects an unknown IANA zone and says what to use', () => {
    const [problem, ...rest] = problemsOf({ timeZone: 'Europe/Berln' });
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /"Europe\/Berln" is not a known IANA time zone; use a name such as "Europe\/Berlin"/,
    );
  });

  it('rejects malformed times with the expected format', () => {
    const problems = problemsOf({ weekly: [{ day: 1, start: '9:00', end: '17:60' }] });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /weekly\[0\]\.start "9:00" is not a time; write a 24-hour local time "HH:mm" or "HH:mm:ss"/,
    );
    expect(problems[1]).toMatch(/weekly\[0\]\.end "17:60" is not a time/);
    expect(problemsOf({ weekly: [{ day: 1, start: '24:00', end: '10:00' }] })[0]).toMatch(
      /start cannot be "24:00"/,
    );
  });

  it('rejects an interval whose start equals its end', () => {
    expect(problemsOf({ weekly: [{ day: 2, start: '09:00', end: '09:00' }] })).toEqual([
      'weekly[0] starts and ends at 09:00, so it is empty; for a whole day use "00:00"–"24:00", otherwise give a later end.',
    ]);
  });

  it('rejects a weekday outside 1..7', () => {
    expect(
      problemsOf({ weekly: [{ day: 8 as 1, start: '09:00', end: '17:00' }, ...valid.weekly] })[0],
    ).toMatch(/weekly\[0\]\.day 8 must be an ISO weekday from 1 \(Monday\) to 7 \(Sunday\)/);
  });

  it('rejects overlapping intervals on a day, naming both', () => {
    const problems = problemsOf({
      weekly: [
        { day: 1, start: '09:00', end: '13:00' },
        { day: 1, start: '12:00', end: '17:00' },
      ],
    });
    expect(problems).toEqual([
      'On Monday, weekly[1] (Monday 12:00–17:00) overlaps weekly[0] (Monday 09:00–13:00); make the intervals not overlap (touching is fine) or merge them into one.',
    ]);
  });

  it('rejects an overnight interval whose part after midnight overlaps the next day', () => {
    const problems = problemsOf({
      weekly: [
        { day: 1, start: '22:00', end: '06:00' },
        { day: 2, start: '05:00', end: '10:00' },
      ],
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /On Tuesday, .*the part after midnight of weekly\[0\] \(Monday 22:00–06:00\)/,
    );
  });

  it('rejects bad holiday dates, duplicates and holiday intervals that cross midnight', () => {
    const problems = problemsOf({
      holidays: [
        { date: '2026-02-30' },
        { date: '12/25' },
        { date: '12-25' },
        { date: '12-25' },
        { date: '2026-12-31', intervals: [{ start: '20:00', end: '02:00' }] },
      ],
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(
      /holidays\[0\]\.date "2026-02-30" is not a date; write "YYYY-MM-DD" for a one-off holiday or "MM-DD"/,
    );
    expect(problems[1]).toMatch(/holidays\[1\]\.date "12\/25" is not a date/);
    expect(problems[2]).toMatch(
      /holidays\[3\] repeats the date 12-25 of holidays\[2\]; keep a single entry per date/,
    );
    expect(problems[3]).toMatch(
      /holidays\[4\]\.intervals\[0\] ends \(02:00\) before it starts \(20:00\); .* end at "24:00"/,
    );
  });

  it('accepts a recurring 02-29 holiday (leap years only)', () => {
    expect(problemsOf({ holidays: [{ date: '02-29' }] })).toEqual([]);
  });

  it('rejects a calendar without any working interval unless it is 24/7', () => {
    expect(problemsOf({ weekly: [] })).toHaveLength(1);
    expect(problemsOf({ weekly: [] })).toEqual([
      'The calendar has no working interval; add at least one weekly interval (e.g. { day: 1, start: "09:00", end: "17:00" }) or set alwaysOpen: true for a 24/7 calendar.',
    ]);
    expect(problemsOf({ weekly: [], alwaysOpen: true })).toEqual([]);
  });

  it('reports every problem at once', () => {
    const problems = validateCalendarDefinition({
      id: '',
      timeZone: 'Mars/Olympus',
      weekly: [{ day: 1, start: 'noon', end: '17:00' }],
      holidays: [{ date: 'tomorrow' }],
    });
    expect(problems).toHaveLength(4); // id, zone, time, holiday date
    expect(problems[0]).toMatch(/non-empty id/);
  });
});

describe('compileCalendar refuses what it cannot compute with', () => {
  it('throws InvalidCalendarError listing the problems', () => {
    expect(() => compileCalendar({ ...valid, timeZone: 'Nowhere/Special' })).toThrow(InvalidCalendarError);
    try {
      compileCalendar({ ...valid, weekly: [{ day: 1, start: '25:00', end: '26:00' }] });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidCalendarError).problems.length).toBeGreaterThan(0);
    }
  });

  it('compiles a calendar without working time (it just has no deadlines, §8)', () => {
    expect(compileCalendar({ ...valid, weekly: [], holidays: [] }).addBusinessTime(0, 1)).toBeNull();
  });
});
