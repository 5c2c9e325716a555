import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  alwaysOpenCalendar,
  businessTimeBetween,
  compileCalendar,
} from '../../src/engine/calendar/index.js';
import { ALWAYS_OPEN_CALENDAR_ID } from '../../src/engine/types.js';
import type { HolidayDefinition } from '../../src/engine/types.js';
import {
  DAY,
  HOUR,
  MINUTE,
  MON_FRI,
  calendar,
  iso,
  nineToFive,
  on,
  splitDay,
  utc,
} from './calendar-fixtures.js';

// January 2026 in Berlin is CET (UTC+1): local 09:00 = 08:00Z. 2026-01-05 is a Monday.
const berlin = nineToFive('Europe/Berlin');

describe('§1 zones', () => {
  it('reads working intervals as wall-clock times of the calendar zone', () => {
    const mondayMidnightUtc = utc('2026-01-05T00:00:00Z');
    expect(iso(nineToFive('Europe/Berlin').nextWorkingInstant(mondayMidnightUtc))).toBe(
      '2026-01-05T08:00:00.000Z',
    );
    expect(iso(nineToFive('America/New_York').nextWorkingInstant(mondayMidnightUtc))).toBe(
      '2026-01-05T14:00:00.000Z',
    );
    expect(iso(nineToFive('Asia/Kolkata').nextWorkingInstant(mondayMidnightUtc))).toBe(
      '2026-01-05T03:30:00.000Z',
    );
  });

  it('answers in epoch milliseconds (UTC) independent of the machine zone', () => {
    const due = berlin.addBusinessTime(utc('2026-01-05T08:00:00Z'), HOUR);
    expect(due).toBe(utc('2026-01-05T09:00:00Z'));
    expect(berlin.timeZone).toBe('Europe/Berlin');
  });
});

describe('§3 outside hours', () => {
  it('a clock started before opening counts from the opening', () => {
    expect(iso(berlin.addBusinessTime(utc('2026-01-05T06:00:00Z'), HOUR))).toBe('2026-01-05T09:00:00.000Z');
  });

  it('a ticket created Friday evening is due on Monday', () => {
    // Friday 2026-01-09 18:00 Berlin; 4 business hours → Monday 13:00 Berlin.
    expect(iso(berlin.addBusinessTime(utc('2026-01-09T17:00:00Z'), 4 * HOUR))).toBe(
      '2026-01-12T12:00:00.000Z',
    );
  });

  it('a clock started on Saturday counts from Monday opening', () => {
    expect(iso(berlin.nextWorkingInstant(utc('2026-01-10T12:00:00Z')))).toBe('2026-01-12T08:00:00.000Z');
    expect(iso(berlin.addBusinessTime(utc('2026-01-10T12:00:00Z'), 30 * MINUTE))).toBe(
      '2026-01-12T08:30:00.000Z',
    );
  });

  it('nextWorkingInstant returns the instant itself inside working time', () => {
    const t = utc('2026-01-05T10:11:12.345Z');
    expect(berlin.nextWorkingInstant(t)).toBe(t);
  });

  it('counts no business time outside hours', () => {
    expect(berlin.businessTimeBetween(utc('2026-01-09T16:00:00Z'), utc('2026-01-12T08:00:00Z'))).toBe(0);
  });
});

describe('§4 exact end', () => {
  it('a target used up exactly at closing time is due at closing time, not at the next opening', () => {
    expect(iso(berlin.addBusinessTime(utc('2026-01-05T08:00:00Z'), 8 * HOUR))).toBe(
      '2026-01-05T16:00:00.000Z',
    );
  });

  it('the morning block of a split day ends at 12:00, not at the 13:00 reopening', () => {
    const split = splitDay('Europe/Berlin');
    expect(iso(split.addBusinessTime(utc('2026-01-05T08:00:00Z'), 3 * HOUR))).toBe(
      '2026-01-05T11:00:00.000Z',
    );
  });

  it('one millisecond more than the day holds is due one millisecond after the next opening', () => {
    expect(iso(berlin.addBusinessTime(utc('2026-01-05T08:00:00Z'), 8 * HOUR + 1))).toBe(
      '2026-01-06T08:00:00.001Z',
    );
  });

  it('a zero target returns the start itself, even outside hours', () => {
    const sunday = utc('2026-01-04T03:04:05.678Z');
    expect(berlin.addBusinessTime(sunday, 0)).toBe(sunday);
  });

  it('is exact to the millisecond', () => {
    const start = utc('2026-01-05T08:00:00.123Z');
    const due = berlin.addBusinessTime(start, 7 * HOUR + 59 * MINUTE + 59_876)!;
    expect(iso(due)).toBe('2026-01-05T15:59:59.999Z');
    expect(berlin.businessTimeBetween(start, due)).toBe(7 * HOUR + 59 * MINUTE + 59_876);
  });

  it('rejects a negative target', () => {
    expect(() => berlin.addBusinessTime(0, -1)).toThrow(RangeError);
  });
});

describe('§5 holidays', () => {
  it('a one-off holiday closes its whole local day', () => {
    const cal = nineToFive('Europe/Berlin', [{ date: '2026-01-06', name: 'Epiphany' }]);
    // Monday 16:00 + 2 h: 1 h on Monday, Tuesday is off, 1 h on Wednesday.
    expect(iso(cal.addBusinessTime(utc('2026-01-05T15:00:00Z'), 2 * HOUR))).toBe('2026-01-07T09:00:00.000Z');
  });

  it('a one-off holiday applies to its year only', () => {
    const cal = nineToFive('Europe/Berlin', [{ date: '2026-01-06' }]);
    // 2027-01-06 is a Wednesday and a working day.
    expect(cal.businessTimeBetween(utc('2027-01-06T00:00:00Z'), utc('2027-01-07T00:00:00Z'))).toBe(8 * HOUR);
  });

  it('a recurring month-day holiday applies every year', () => {
    const cal = nineToFive('Europe/Berlin', [{ date: '01-06', name: 'Epiphany' }]);
    expect(cal.businessTimeBetween(utc('2026-01-06T00:00:00Z'), utc('2026-01-07T00:00:00Z'))).toBe(0);
    expect(cal.businessTimeBetween(utc('2027-01-06T00:00:00Z'), utc('2027-01-07T00:00:00Z'))).toBe(0);
    expect(cal.businessTimeBetween(utc('2030-01-06T00:00:00Z'), utc('2030-01-08T00:00:00Z'))).toBe(8 * HOUR);
  });

  it('a recurring 02-29 holiday applies in leap years only', () => {
    const cal = calendar('UTC', on([1, 2, 3, 4, 5, 6, 7], ['00:00', '24:00']), [{ date: '02-29' }]);
    expect(cal.businessTimeBetween(utc('2028-02-29T00:00:00Z'), utc('2028-03-01T00:00:00Z'))).toBe(0);
    expect(cal.businessTimeBetween(utc('2027-02-28T00:00:00Z'), utc('2027-03-01T00:00:00Z'))).toBe(DAY);
  });

  it('a part-day holiday replaces the day’s weekly intervals with its own (Christmas Eve 09:00–12:00)', () => {
    const eve: HolidayDefinition = {
      date: '2026-12-24',
      name: 'Christmas Eve',
      intervals: [{ start: '09:00', end: '12:00' }],
    };
    const cal = splitDay('Europe/Berlin', [eve, { date: '12-25', name: 'Christmas' }, { date: '12-26' }]);
    expect(cal.businessTimeBetween(utc('2026-12-24T00:00:00Z'), utc('2026-12-25T00:00:00Z'))).toBe(3 * HOUR);
    // Thursday 24th 11:00 + 2 h: 1 h until 12:00, then Friday 25th off → Monday 28th 10:00 Berlin.
    expect(iso(cal.addBusinessTime(utc('2026-12-24T10:00:00Z'), 2 * HOUR))).toBe('2026-12-28T09:00:00.000Z');
  });

  it('a holiday with intervals can open a normally closed day (a Saturday special opening)', () => {
    const cal = nineToFive('Europe/Berlin', [
      { date: '2026-01-10', name: 'Stocktaking', intervals: [{ start: '10:00', end: '14:00' }] },
    ]);
    expect(iso(cal.nextWorkingInstant(utc('2026-01-09T17:00:00Z')))).toBe('2026-01-10T09:00:00.000Z');
  });

  it('a one-off holiday wins over a recurring one on the same date', () => {
    const cal = nineToFive('Europe/Berlin', [
      { date: '12-24', name: 'Christmas Eve' },
      {
        date: '2026-12-24',
        name: 'Christmas Eve 2026 (morning)',
        intervals: [{ start: '09:00', end: '11:00' }],
      },
    ]);
    expect(cal.businessTimeBetween(utc('2026-12-24T00:00:00Z'), utc('2026-12-25T00:00:00Z'))).toBe(2 * HOUR);
    expect(cal.businessTimeBetween(utc('2027-12-24T00:00:00Z'), utc('2027-12-25T00:00:00Z'))).toBe(0);
  });

  it('spans name the holiday that closes a day', () => {
    const cal = nineToFive('Europe/Berlin', [{ date: '2026-01-06', name: 'Epiphany' }]);
    const spans = cal.spans(utc('2026-01-05T16:00:00Z'), utc('2026-01-07T09:00:00Z'));
    expect(spans.map((s) => [iso(s.from), iso(s.to), s.working, s.reason, s.holidayName])).toEqual([
      ['2026-01-05T16:00:00.000Z', '2026-01-05T23:00:00.000Z', false, 'closed', undefined],
      ['2026-01-05T23:00:00.000Z', '2026-01-06T23:00:00.000Z', false, 'holiday', 'Epiphany'],
      ['2026-01-06T23:00:00.000Z', '2026-01-07T08:00:00.000Z', false, 'closed', undefined],
      ['2026-01-07T08:00:00.000Z', '2026-01-07T09:00:00.000Z', true, undefined, undefined],
    ]);
  });
});

describe('§6 split days and nights', () => {
  const split = splitDay('Europe/Berlin');

  it('a split day (09:00–12:00 + 13:00–17:30) skips the lunch break', () => {
    // Monday 11:00 Berlin + 2 h → 12:00, lunch, 13:00 + 1 h → 14:00 Berlin.
    expect(iso(split.addBusinessTime(utc('2026-01-05T10:00:00Z'), 2 * HOUR))).toBe(
      '2026-01-05T13:00:00.000Z',
    );
    expect(split.businessTimeBetween(utc('2026-01-05T00:00:00Z'), utc('2026-01-06T00:00:00Z'))).toBe(
      7.5 * HOUR,
    );
  });

  it('a ticket created during lunch counts from 13:00', () => {
    expect(iso(split.addBusinessTime(utc('2026-01-05T11:30:00Z'), 30 * MINUTE))).toBe(
      '2026-01-05T12:30:00.000Z',
    );
  });

  const nights = calendar('UTC', on(MON_FRI, ['22:00', '06:00']));

  it('an overnight interval 22:00–06:00 counts across midnight', () => {
    // Monday 23:00 + 5 h → Tuesday 04:00.
    expect(iso(nights.addBusinessTime(utc('2026-01-05T23:00:00Z'), 5 * HOUR))).toBe(
      '2026-01-06T04:00:00.000Z',
    );
  });

  it('Friday night’s shift runs into Saturday morning and Sunday night has none', () => {
    expect(iso(nights.addBusinessTime(utc('2026-01-09T22:00:00Z'), 8 * HOUR))).toBe(
      '2026-01-10T06:00:00.000Z',
    );
    expect(iso(nights.addBusinessTime(utc('2026-01-10T06:00:00Z'), HOUR))).toBe('2026-01-12T23:00:00.000Z');
  });

  it('the part after midnight belongs to the next day, so a holiday on that day removes it', () => {
    const cal = calendar('UTC', on(MON_FRI, ['22:00', '06:00']), [
      { date: '2026-01-06', name: 'Tuesday off' },
    ]);
    // Monday's shift stops at midnight; Tuesday (a holiday) has neither 00:00–06:00 nor 22:00–24:00.
    expect(cal.businessTimeBetween(utc('2026-01-05T00:00:00Z'), utc('2026-01-07T06:00:00Z'))).toBe(
      2 * HOUR + 6 * HOUR,
    );
  });

  it('touching intervals (12:00–24:00, then 00:00–06:00) are one continuous stretch of working time', () => {
    const cal = calendar('UTC', [
      { day: 1, start: '12:00', end: '24:00' },
      { day: 2, start: '00:00', end: '06:00' },
    ]);
    const spans = cal.spans(utc('2026-01-05T11:00:00Z'), utc('2026-01-06T07:00:00Z'));
    expect(spans.map((s) => [iso(s.from), iso(s.to), s.working])).toEqual([
      ['2026-01-05T11:00:00.000Z', '2026-01-05T12:00:00.000Z', false],
      ['2026-01-05T12:00:00.000Z', '2026-01-06T06:00:00.000Z', true],
      ['2026-01-06T06:00:00.000Z', '2026-01-06T07:00:00.000Z', false],
    ]);
    // 12 h used up exactly at midnight is due at midnight; the next ms goes straight on.
    expect(iso(cal.addBusinessTime(utc('2026-01-05T12:00:00Z'), 12 * HOUR))).toBe('2026-01-06T00:00:00.000Z');
    expect(iso(cal.addBusinessTime(utc('2026-01-05T12:00:00Z'), 12 * HOUR + 1))).toBe(
      '2026-01-06T00:00:00.001Z',
    );
  });

  it('times with seconds ("HH:mm:ss") are exact', () => {
    const cal = calendar('UTC', on(MON_FRI, ['09:00:30', '17:00:15']));
    expect(iso(cal.nextWorkingInstant(utc('2026-01-05T09:00:00Z')))).toBe('2026-01-05T09:00:30.000Z');
    expect(iso(cal.addBusinessTime(utc('2026-01-05T09:00:00Z'), 8 * HOUR - 15_000))).toBe(
      '2026-01-05T17:00:15.000Z',
    );
  });
});

describe('§7 business days', () => {
  it('N business days are due at the close of the N-th working day after the day counting starts', () => {
    // Monday 10:00 Berlin → close of Tuesday (17:00 Berlin).
    expect(iso(berlin.addBusinessDays(utc('2026-01-05T09:00:00Z'), 1))).toBe('2026-01-06T16:00:00.000Z');
    expect(iso(berlin.addBusinessDays(utc('2026-01-05T09:00:00Z'), 5))).toBe('2026-01-12T16:00:00.000Z');
  });

  it('a ticket created Friday evening starts counting on Monday, so 1 business day is Tuesday’s close', () => {
    expect(iso(berlin.addBusinessDays(utc('2026-01-09T17:00:00Z'), 1))).toBe('2026-01-13T16:00:00.000Z');
  });

  it('a ticket created before opening counts that day as the start day', () => {
    expect(iso(berlin.addBusinessDays(utc('2026-01-05T05:00:00Z'), 1))).toBe('2026-01-06T16:00:00.000Z');
  });

  it('a ticket created exactly at closing starts counting the next working day', () => {
    expect(iso(berlin.addBusinessDays(utc('2026-01-05T16:00:00Z'), 1))).toBe('2026-01-07T16:00:00.000Z');
  });

  it('weekends and holidays are not working days', () => {
    const cal = nineToFive('Europe/Berlin', [{ date: '2026-01-09', name: 'Bridge day' }]);
    // Thursday → Friday is a holiday → Monday's close, then Tuesday's.
    expect(iso(cal.addBusinessDays(utc('2026-01-08T09:00:00Z'), 1))).toBe('2026-01-12T16:00:00.000Z');
    expect(iso(cal.addBusinessDays(utc('2026-01-08T09:00:00Z'), 2))).toBe('2026-01-13T16:00:00.000Z');
  });

  it('the close of a split day is the end of its last interval', () => {
    expect(iso(splitDay('Europe/Berlin').addBusinessDays(utc('2026-01-05T09:00:00Z'), 1))).toBe(
      '2026-01-06T16:30:00.000Z',
    );
  });

  it('a part-day holiday is a working day that closes at the end of its own intervals', () => {
    const cal = nineToFive('Europe/Berlin', [
      { date: '2026-01-06', intervals: [{ start: '09:00', end: '12:00' }] },
    ]);
    expect(iso(cal.addBusinessDays(utc('2026-01-05T09:00:00Z'), 1))).toBe('2026-01-06T11:00:00.000Z');
  });

  it('0 business days is the close of the day counting starts', () => {
    expect(iso(berlin.addBusinessDays(utc('2026-01-05T09:00:00Z'), 0))).toBe('2026-01-05T16:00:00.000Z');
  });

  it('30 business days skip six weekends', () => {
    expect(iso(berlin.addBusinessDays(utc('2026-01-05T09:00:00Z'), 30))).toBe('2026-02-16T16:00:00.000Z');
  });

  it('on a night shift, a day whose last interval runs to midnight closes at 24:00', () => {
    const nights = calendar('UTC', on(MON_FRI, ['22:00', '06:00']));
    // Monday 23:00 (start day Monday) → Tuesday's intervals are 00:00–06:00 and 22:00–24:00 → Wednesday 00:00.
    expect(iso(nights.addBusinessDays(utc('2026-01-05T23:00:00Z'), 1))).toBe('2026-01-07T00:00:00.000Z');
  });

  it('24/7 business days end at local midnight of the zone', () => {
    const cal = compileCalendar({
      id: 'berlin-24x7',
      timeZone: 'Europe/Berlin',
      alwaysOpen: true,
      weekly: [],
      holidays: [],
    });
    expect(iso(cal.addBusinessDays(utc('2026-01-05T12:00:00Z'), 1))).toBe('2026-01-06T23:00:00.000Z');
    expect(iso(alwaysOpenCalendar.addBusinessDays(utc('2026-01-05T12:00:00Z'), 2))).toBe(
      '2026-01-08T00:00:00.000Z',
    );
  });
});

describe('§8 no working time', () => {
  it('a calendar without working intervals compiles but gives no deadline', () => {
    const cal = calendar('Europe/Berlin', []);
    const t = utc('2026-01-05T09:00:00Z');
    expect(cal.addBusinessTime(t, HOUR)).toBeNull();
    expect(cal.addBusinessDays(t, 1)).toBeNull();
    expect(cal.nextWorkingInstant(t)).toBeNull();
    expect(cal.businessTimeBetween(t, t + 30 * DAY)).toBe(0);
  });

  it('holidays that close every day give a null deadline, quickly (400-day horizon, no endless loop)', () => {
    const everyDay: HolidayDefinition[] = [];
    for (let d = Date.UTC(2000, 0, 1); d < Date.UTC(2001, 0, 1); d += DAY) {
      everyDay.push({ date: new Date(d).toISOString().slice(5, 10), name: 'Closed' });
    }
    const cal = nineToFive('Europe/Berlin', everyDay);
    const began = performance.now();
    expect(cal.addBusinessTime(utc('2026-01-05T09:00:00Z'), HOUR)).toBeNull();
    expect(cal.addBusinessDays(utc('2026-01-05T09:00:00Z'), 1)).toBeNull();
    expect(cal.nextWorkingInstant(utc('2026-01-05T09:00:00Z'))).toBeNull();
    expect(performance.now() - began).toBeLessThan(2_000);
  });

  it('working time beyond 400 days does not count; within 400 days it does', () => {
    const start = utc('2026-01-01T00:00:00Z');
    const openOnlyOn = (date: string) =>
      calendar('UTC', [], [{ date, name: 'Only day', intervals: [{ start: '10:00', end: '11:00' }] }]);
    // 2026-01-01 + 399 days = 2027-02-04; + 400 days = 2027-02-05 00:00 (the horizon's end).
    expect(iso(openOnlyOn('2027-02-04').addBusinessTime(start, HOUR))).toBe('2027-02-04T11:00:00.000Z');
    expect(openOnlyOn('2027-02-05').addBusinessTime(start, HOUR)).toBeNull();
    expect(openOnlyOn('2027-02-05').nextWorkingInstant(start)).toBeNull();
    expect(openOnlyOn('2027-02-05').addBusinessDays(start, 0)).toBeNull();
  });

  it('a target needing more working time than 400 days hold is null', () => {
    expect(berlin.addBusinessTime(utc('2026-01-05T08:00:00Z'), 400 * 8 * HOUR)).toBeNull();
    expect(berlin.addBusinessTime(utc('2026-01-05T08:00:00Z'), 200 * 8 * HOUR)).not.toBeNull();
  });
});

describe('24/7', () => {
  it('the always-open calendar counts absolute durations', () => {
    expect(alwaysOpenCalendar.id).toBe(ALWAYS_OPEN_CALENDAR_ID);
    expect(alwaysOpenCalendar.timeZone).toBe('UTC');
    const t = utc('2026-03-29T00:30:00Z'); // across Berlin's DST change, irrelevant for 24/7
    expect(alwaysOpenCalendar.addBusinessTime(t, 8 * HOUR)).toBe(t + 8 * HOUR);
    expect(alwaysOpenCalendar.businessTimeBetween(t, t + 5 * DAY)).toBe(5 * DAY);
    expect(alwaysOpenCalendar.businessTimeBetween(t + 5, t)).toBe(-5);
    expect(alwaysOpenCalendar.nextWorkingInstant(t)).toBe(t);
    expect(alwaysOpenCalendar.spans(t, t + HOUR)).toEqual([{ from: t, to: t + HOUR, working: true }]);
  });

  it('a weekly 00:00–24:00 calendar behaves like 24/7 for add and between', () => {
    const cal = calendar('Europe/Berlin', on([1, 2, 3, 4, 5, 6, 7], ['00:00', '24:00']));
    const t = utc('2026-03-28T12:00:00Z');
    expect(cal.addBusinessTime(t, 3 * DAY)).toBe(t + 3 * DAY);
    expect(cal.businessTimeBetween(t, t + 10 * DAY)).toBe(10 * DAY);
  });
});

describe('between and spans', () => {
  it('between is negative when b < a', () => {
    const a = utc('2026-01-05T08:00:00Z');
    const b = utc('2026-01-07T12:00:00Z');
    expect(berlin.businessTimeBetween(a, b)).toBe(8 * HOUR + 8 * HOUR + 4 * HOUR);
    expect(berlin.businessTimeBetween(b, a)).toBe(-(20 * HOUR));
    expect(berlin.businessTimeBetween(a, a)).toBe(0);
  });

  it('spans tile [from, to) exactly, alternating working and non-working', () => {
    const cal = splitDay('Europe/Berlin', [{ date: '2026-01-06', name: 'Epiphany' }]);
    const from = utc('2026-01-02T10:17:00Z');
    const to = utc('2026-01-14T03:00:00Z');
    const spans = cal.spans(from, to);
    expect(spans[0]!.from).toBe(from);
    expect(spans.at(-1)!.to).toBe(to);
    for (let k = 1; k < spans.length; k++) {
      expect(spans[k]!.from).toBe(spans[k - 1]!.to);
      expect(spans[k]!.from).toBeLessThan(spans[k]!.to);
      if (spans[k]!.working) expect(spans[k - 1]!.working).toBe(false);
    }
    const worked = spans.filter((s) => s.working).reduce((sum, s) => sum + (s.to - s.from), 0);
    expect(worked).toBe(cal.businessTimeBetween(from, to));
    expect(spans.filter((s) => s.reason === 'holiday').map((s) => s.holidayName)).toEqual(['Epiphany']);
    expect(cal.spans(to, from)).toEqual([]);
  });

  it('module-level helpers delegate to the calendar', () => {
    const t = utc('2026-01-05T08:00:00Z');
    expect(addBusinessTime(berlin, t, HOUR)).toBe(t + HOUR);
    expect(businessTimeBetween(berlin, t, t + HOUR)).toBe(HOUR);
  });

  it('answers for instants far before and after the first one asked about (the index grows both ways)', () => {
    const cal = nineToFive('Europe/Berlin');
    expect(cal.businessTimeBetween(utc('2026-01-05T00:00:00Z'), utc('2026-01-06T00:00:00Z'))).toBe(8 * HOUR);
    expect(cal.businessTimeBetween(utc('2019-01-07T00:00:00Z'), utc('2019-01-08T00:00:00Z'))).toBe(8 * HOUR);
    expect(cal.businessTimeBetween(utc('2031-01-06T00:00:00Z'), utc('2031-01-07T00:00:00Z'))).toBe(8 * HOUR);
    expect(iso(cal.addBusinessTime(utc('2018-12-31T08:00:00Z'), 8 * HOUR))).toBe('2018-12-31T16:00:00.000Z');
  });
});
