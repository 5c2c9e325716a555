/**
 * SEMANTICS §2 (DST): a local time inside a spring-forward gap maps to the first instant after the gap; an
 * ambiguous one inside a fall-back overlap maps to the earlier instant. Expected instants are written out in UTC.
 *
 * Changes used (all 2026):
 * - America/New_York: Sun 8 Mar 02:00 EST → 03:00 EDT (07:00Z); Sun 1 Nov 02:00 EDT → 01:00 EST (06:00Z).
 * - Europe/Berlin: Sun 29 Mar 02:00 CET → 03:00 CEST (01:00Z); Sun 25 Oct 03:00 CEST → 02:00 CET (01:00Z).
 * - Australia/Lord_Howe (30-minute shift, +10:30 / +11): Sun 5 Apr 02:00 → 01:30 (15:00Z on the 4th);
 *   Sun 4 Oct 02:00 → 02:30 (15:30Z on the 3rd).
 */
import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../../src/engine/types.js';
import { DAY, HOUR, MINUTE, calendar, iso, nineToFive, on, utc } from './calendar-fixtures.js';

const sunday = (timeZone: string, start: string, end: string): BusinessCalendar =>
  calendar(timeZone, [{ day: 7, start, end }]);

/** The working spans of one stretch, as [fromIso, toIso] pairs. */
const workingSpans = (cal: BusinessCalendar, from: string, to: string) =>
  cal
    .spans(utc(from), utc(to))
    .filter((s) => s.working)
    .map((s) => [iso(s.from), iso(s.to)]);

describe('America/New_York', () => {
  it('spring forward: 01:00–04:00 on the change night holds 2 real hours (01:00 EST → 04:00 EDT)', () => {
    const cal = sunday('America/New_York', '01:00', '04:00');
    expect(workingSpans(cal, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual([
      ['2026-03-08T06:00:00.000Z', '2026-03-08T08:00:00.000Z'],
    ]);
    expect(iso(cal.addBusinessTime(utc('2026-03-08T00:00:00Z'), HOUR))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(cal.addBusinessTime(utc('2026-03-08T00:00:00Z'), 2 * HOUR))).toBe('2026-03-08T08:00:00.000Z');
  });

  it('spring forward: a start inside the gap (02:30) opens at the first instant after it (03:00 EDT), not at 03:30 like luxon', () => {
    const cal = sunday('America/New_York', '02:30', '05:00');
    expect(iso(cal.nextWorkingInstant(utc('2026-03-08T00:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
    expect(cal.businessTimeBetween(utc('2026-03-08T00:00:00Z'), utc('2026-03-09T00:00:00Z'))).toBe(2 * HOUR);
  });

  it('fall back: 01:00–04:00 on the change night holds 4 real hours (01:00 EDT → 04:00 EST)', () => {
    const cal = sunday('America/New_York', '01:00', '04:00');
    expect(workingSpans(cal, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')).toEqual([
      ['2026-11-01T05:00:00.000Z', '2026-11-01T09:00:00.000Z'],
    ]);
  });

  it('fall back: an ambiguous start (01:30) is the earlier instant (EDT), and so is an ambiguous end', () => {
    expect(
      workingSpans(
        sunday('America/New_York', '01:30', '03:00'),
        '2026-11-01T00:00:00Z',
        '2026-11-02T00:00:00Z',
      ),
    ).toEqual([['2026-11-01T05:30:00.000Z', '2026-11-01T08:00:00.000Z']]);
    expect(
      workingSpans(
        sunday('America/New_York', '00:00', '01:30'),
        '2026-11-01T00:00:00Z',
        '2026-11-02T00:00:00Z',
      ),
    ).toEqual([['2026-11-01T04:00:00.000Z', '2026-11-01T05:30:00.000Z']]);
  });

  it('ordinary 09:00–17:00 across both changes (Friday 16:00 + 2 h → Monday 10:00 local)', () => {
    const cal = nineToFive('America/New_York');
    expect(iso(cal.addBusinessTime(utc('2026-03-06T21:00:00Z'), 2 * HOUR))).toBe('2026-03-09T14:00:00.000Z');
    expect(iso(cal.addBusinessTime(utc('2026-10-30T20:00:00Z'), 2 * HOUR))).toBe('2026-11-02T15:00:00.000Z');
    expect(cal.businessTimeBetween(utc('2026-03-06T14:00:00Z'), utc('2026-03-09T21:00:00Z'))).toBe(16 * HOUR);
  });
});

describe('Europe/Berlin', () => {
  it('spring forward: 01:00–04:00 holds 2 real hours', () => {
    expect(
      workingSpans(sunday('Europe/Berlin', '01:00', '04:00'), '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z'),
    ).toEqual([['2026-03-29T00:00:00.000Z', '2026-03-29T02:00:00.000Z']]);
  });

  it('spring forward: 02:30 does not exist and opens at 03:00 CEST (01:00Z)', () => {
    expect(
      iso(sunday('Europe/Berlin', '02:30', '05:00').nextWorkingInstant(utc('2026-03-28T12:00:00Z'))),
    ).toBe('2026-03-29T01:00:00.000Z');
  });

  it('fall back: 01:00–04:00 holds 4 real hours, and an ambiguous 02:30 start is the CEST one', () => {
    expect(
      workingSpans(sunday('Europe/Berlin', '01:00', '04:00'), '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z'),
    ).toEqual([['2026-10-24T23:00:00.000Z', '2026-10-25T03:00:00.000Z']]);
    expect(
      workingSpans(sunday('Europe/Berlin', '02:30', '04:00'), '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z'),
    ).toEqual([['2026-10-25T00:30:00.000Z', '2026-10-25T03:00:00.000Z']]);
  });

  it('ordinary 09:00–17:00 across both changes', () => {
    const cal = nineToFive('Europe/Berlin');
    expect(iso(cal.addBusinessTime(utc('2026-03-27T15:00:00Z'), 2 * HOUR))).toBe('2026-03-30T08:00:00.000Z');
    expect(iso(cal.addBusinessTime(utc('2026-10-23T14:00:00Z'), 2 * HOUR))).toBe('2026-10-26T09:00:00.000Z');
    expect(iso(cal.addBusinessDays(utc('2026-03-27T10:00:00Z'), 1))).toBe('2026-03-30T15:00:00.000Z');
  });

  it('a whole-day calendar has a 23-hour and a 25-hour Sunday', () => {
    const cal = calendar('Europe/Berlin', on([1, 2, 3, 4, 5, 6, 7], ['00:00', '24:00']));
    expect(cal.spans(utc('2026-03-28T23:00:00Z'), utc('2026-03-29T22:00:00Z'))).toHaveLength(1);
    const sundayMarch = cal.addBusinessDays(utc('2026-03-28T23:00:00Z'), 0)! - utc('2026-03-28T23:00:00Z');
    const sundayOctober = cal.addBusinessDays(utc('2026-10-24T22:00:00Z'), 0)! - utc('2026-10-24T22:00:00Z');
    expect([sundayMarch / HOUR, sundayOctober / HOUR]).toEqual([23, 25]);
  });
});

describe('Australia/Lord_Howe (30-minute shift)', () => {
  it('spring forward: 01:00–04:00 holds 2.5 real hours (01:00 +10:30 → 04:00 +11)', () => {
    const cal = sunday('Australia/Lord_Howe', '01:00', '04:00');
    expect(workingSpans(cal, '2026-10-03T00:00:00Z', '2026-10-04T00:00:00Z')).toEqual([
      ['2026-10-03T14:30:00.000Z', '2026-10-03T17:00:00.000Z'],
    ]);
    expect(iso(cal.addBusinessTime(utc('2026-10-03T00:00:00Z'), 150 * MINUTE))).toBe(
      '2026-10-03T17:00:00.000Z',
    );
  });

  it('spring forward: 02:15 does not exist and opens at 02:30 +11 (15:30Z)', () => {
    const cal = sunday('Australia/Lord_Howe', '02:15', '03:00');
    expect(iso(cal.nextWorkingInstant(utc('2026-10-03T00:00:00Z')))).toBe('2026-10-03T15:30:00.000Z');
    expect(cal.businessTimeBetween(utc('2026-10-03T00:00:00Z'), utc('2026-10-04T00:00:00Z'))).toBe(
      30 * MINUTE,
    );
  });

  it('spring forward: an interval wholly inside the gap (02:00–02:30) holds no time that night', () => {
    const cal = sunday('Australia/Lord_Howe', '02:00', '02:30');
    expect(cal.businessTimeBetween(utc('2026-10-03T00:00:00Z'), utc('2026-10-04T00:00:00Z'))).toBe(0);
    // The next Sunday is ordinary: 02:00 +11 = 15:00Z on Saturday the 10th.
    expect(iso(cal.nextWorkingInstant(utc('2026-10-03T00:00:00Z')))).toBe('2026-10-10T15:00:00.000Z');
  });

  it('fall back: 01:00–04:00 holds 3.5 real hours (01:00 +11 → 04:00 +10:30)', () => {
    expect(
      workingSpans(
        sunday('Australia/Lord_Howe', '01:00', '04:00'),
        '2026-04-04T00:00:00Z',
        '2026-04-05T00:00:00Z',
      ),
    ).toEqual([['2026-04-04T14:00:00.000Z', '2026-04-04T17:30:00.000Z']]);
  });

  it('fall back: ambiguous 01:45 is the earlier instant (+11) as start and as end', () => {
    expect(
      workingSpans(
        sunday('Australia/Lord_Howe', '01:45', '03:00'),
        '2026-04-04T00:00:00Z',
        '2026-04-05T00:00:00Z',
      ),
    ).toEqual([['2026-04-04T14:45:00.000Z', '2026-04-04T16:30:00.000Z']]);
    expect(
      workingSpans(
        sunday('Australia/Lord_Howe', '00:00', '01:45'),
        '2026-04-04T00:00:00Z',
        '2026-04-05T00:00:00Z',
      ),
    ).toEqual([['2026-04-04T13:00:00.000Z', '2026-04-04T14:45:00.000Z']]);
  });

  it('ordinary 09:00–17:00 across both changes', () => {
    const cal = nineToFive('Australia/Lord_Howe');
    expect(iso(cal.addBusinessTime(utc('2026-10-02T05:30:00Z'), 2 * HOUR))).toBe('2026-10-04T23:00:00.000Z');
    expect(iso(cal.addBusinessTime(utc('2026-04-03T05:00:00Z'), 2 * HOUR))).toBe('2026-04-05T23:30:00.000Z');
  });

  it('a whole-day calendar has a 23.5-hour and a 24.5-hour Sunday', () => {
    const cal = calendar('Australia/Lord_Howe', on([1, 2, 3, 4, 5, 6, 7], ['00:00', '24:00']));
    // Local midnights: Sun 4 Oct 00:00 +10:30 = 13:30Z on the 3rd; Sun 5 Apr 00:00 +11 = 13:00Z on the 4th.
    expect(cal.addBusinessDays(utc('2026-10-03T13:30:00Z'), 0)! - utc('2026-10-03T13:30:00Z')).toBe(
      23.5 * HOUR,
    );
    expect(cal.addBusinessDays(utc('2026-04-04T13:00:00Z'), 0)! - utc('2026-04-04T13:00:00Z')).toBe(
      24.5 * HOUR,
    );
    expect(cal.businessTimeBetween(utc('2026-04-01T00:00:00Z'), utc('2026-04-11T00:00:00Z'))).toBe(10 * DAY);
  });
});

describe('zones whose change happens at midnight', () => {
  it('America/Santiago: a day starting in the spring-forward gap starts at 01:00 (first instant after the gap)', () => {
    // Chile moves 00:00 → 01:00 on Sun 6 Sep 2026 (04:00Z); Saturday's 00:00–24:00 interval ends there too.
    const cal = calendar('America/Santiago', on([6, 7], ['00:00', '24:00']));
    expect(iso(cal.addBusinessDays(utc('2026-09-05T12:00:00Z'), 0))).toBe('2026-09-06T04:00:00.000Z');
    expect(cal.businessTimeBetween(utc('2026-09-05T04:00:00Z'), utc('2026-09-07T04:00:00Z'))).toBe(47 * HOUR);
  });
});
