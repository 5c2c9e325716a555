/**
 * Property tests: the algebra that add and between must obey, and agreement with a naive minute-by-minute
 * reference (test/bench/naive-calendar.ts) on random calendars — random zones (Lord_Howe's 30-minute shift,
 * Santiago's midnight change, Chatham's +12:45 …), random split and overnight intervals, random holidays —
 * at random instants clustered around DST changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCalendar } from '../../src/engine/calendar/index.js';
import type {
  BusinessCalendar,
  CalendarDefinition,
  HolidayDefinition,
  IsoWeekday,
  WeeklyInterval,
} from '../../src/engine/types.js';
import { NaiveCalendar } from '../bench/naive-calendar.js';
import { DAY, HOUR, MINUTE, MON_FRI, calendar, on, utc } from './calendar-fixtures.js';

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Pacific/Chatham',
  'America/St_Johns',
  'Asia/Kolkata',
  'UTC',
];

/** Around the 2026 DST changes of the zones above, and a few ordinary moments. */
const ANCHORS = [
  '2026-03-08T07:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-04-04T15:00:00Z',
  '2026-04-05T02:45:00Z',
  '2026-09-06T04:00:00Z',
  '2026-09-26T14:00:00Z',
  '2026-10-03T15:30:00Z',
  '2026-10-25T01:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-12-24T12:00:00Z',
  '2027-06-15T12:00:00Z',
].map(utc);

const instantArb = fc
  .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -6 * DAY, max: 6 * DAY }))
  .map(([anchor, offset]) => anchor + offset);

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (minuteOfDay: number) => `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;

/** Minutes of the week that sit on or near DST changes (Saturday/Sunday, 00:00–04:00). */
const NEAR_CHANGES = [5, 6].flatMap((d) =>
  [0, 30, 60, 90, 105, 120, 135, 150, 165, 180, 240].map((m) => d * 1440 + m),
);

/** Weekly intervals from sorted, unique minutes of the week, paired up; none longer than a day. */
const weeklyArb: fc.Arbitrary<WeeklyInterval[]> = fc
  .uniqueArray(fc.oneof(fc.integer({ min: 0, max: 7 * 1440 - 1 }), fc.constantFrom(...NEAR_CHANGES)), {
    minLength: 2,
    maxLength: 14,
  })
  .map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const intervals: WeeklyInterval[] = [];
    for (let k = 0; k + 1 < sorted.length; k += 2) {
      const [a, b] = [sorted[k]!, sorted[k + 1]!];
      if (b - a >= 1440) continue;
      const day = (Math.floor(a / 1440) + 1) as IsoWeekday;
      const endsAtMidnight = b % 1440 === 0;
      intervals.push({ day, start: hhmm(a % 1440), end: endsAtMidnight ? '24:00' : hhmm(b % 1440) });
    }
    return intervals;
  })
  .filter((intervals) => intervals.length > 0);

const holidayArb: fc.Arbitrary<HolidayDefinition> = fc
  .record({
    day: fc.integer({ min: 0, max: 700 }),
    recurring: fc.boolean(),
    points: fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { maxLength: 4 }),
  })
  .map(({ day, recurring, points }) => {
    const date = new Date(Date.UTC(2026, 0, 1) + day * DAY).toISOString().slice(0, 10);
    const sorted = [...points].sort((a, b) => a - b);
    const intervals = [];
    for (let k = 0; k + 1 < sorted.length; k += 2) {
      intervals.push({
        start: hhmm(sorted[k]!),
        end: sorted[k + 1] === 1440 ? '24:00' : hhmm(sorted[k + 1]!),
      });
    }
    return {
      date: recurring ? date.slice(5) : date,
      name: `H${day}`,
      ...(intervals.length > 0 ? { intervals } : {}),
    };
  });

const definitionArb: fc.Arbitrary<CalendarDefinition> = fc.record({
  id: fc.constant('random'),
  timeZone: fc.constantFrom(...ZONES),
  weekly: weeklyArb,
  holidays: fc.uniqueArray(holidayArb, { maxLength: 5, selector: (h) => h.date }),
});

/** Fixed calendars for the algebraic laws, so many runs don't each pay for an expansion. */
const FIXED: BusinessCalendar[] = [
  calendar('Europe/Berlin', on(MON_FRI, ['09:00', '12:00'], ['13:00', '17:30']), [
    { date: '12-25', name: 'Christmas' },
    { date: '2026-12-24', intervals: [{ start: '09:00', end: '12:00' }] },
  ]),
  calendar('America/New_York', on(MON_FRI, ['09:00', '17:00'])),
  calendar('Australia/Lord_Howe', [
    ...on(MON_FRI, ['22:00', '06:00']),
    { day: 7, start: '01:00', end: '04:00' },
  ]),
  calendar('America/Santiago', [
    ...on([6, 7], ['00:00', '24:00']),
    { day: 3, start: '10:00:30', end: '10:00:45' },
  ]),
];

const fixedArb = fc.constantFrom(...FIXED.keys());
const msArb = fc.integer({ min: 1, max: 20 * DAY });
/** Runs against the naive reference; raise it (CALENDAR_NAIVE_RUNS=2000) for a soak run. */
const NAIVE_RUNS = Number(process.env.CALENDAR_NAIVE_RUNS ?? 150);
const NAIVE_TIMEOUT = 30_000 + NAIVE_RUNS * 100;

describe('business-time algebra (fixed calendars, many instants)', () => {
  it('add and between are inverse: between(t, add(t, ms)) === ms', () => {
    fc.assert(
      fc.property(fixedArb, instantArb, msArb, (c, t, ms) => {
        const cal = FIXED[c]!;
        const due = cal.addBusinessTime(t, ms);
        expect(due).not.toBeNull();
        expect(cal.businessTimeBetween(t, due!)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('add(t, between(t, u)) === u when u is in working time or at a closing time, else the last closing before u', () => {
    fc.assert(
      fc.property(fixedArb, instantArb, fc.integer({ min: 1, max: 30 * DAY }), (c, t, gap) => {
        const cal = FIXED[c]!;
        const u = t + gap;
        const worked = cal.businessTimeBetween(t, u);
        fc.pre(worked > 0);
        const due = cal.addBusinessTime(t, worked)!;
        // The millisecond before u was worked: u is inside working time or at a closing. An opening instant after
        // time off is neither (its business time was reached at the closing before).
        const workingOrClosing = cal.businessTimeBetween(u - 1, u) === 1;
        if (workingOrClosing) expect(due).toBe(u);
        else {
          expect(due).toBeLessThan(u);
          expect(cal.businessTimeBetween(due, u)).toBe(0);
        }
      }),
      {
        numRuns: 2000,
        // u at a Tuesday's 09:00 opening in Berlin: the answer is Monday's 17:30 closing.
        examples: [[0, 1772953200027, 30 * DAY - 27]],
      },
    );
  });

  it('add is strictly increasing in ms', () => {
    fc.assert(
      fc.property(fixedArb, instantArb, msArb, msArb, (c, t, a, b) => {
        fc.pre(a !== b);
        const cal = FIXED[c]!;
        const [small, large] = a < b ? [a, b] : [b, a];
        expect(cal.addBusinessTime(t, small)!).toBeLessThan(cal.addBusinessTime(t, large)!);
      }),
      { numRuns: 1000 },
    );
  });

  it('add composes: add(add(t, a), b) === add(t, a + b)', () => {
    fc.assert(
      fc.property(
        fixedArb,
        instantArb,
        fc.integer({ min: 0, max: 10 * DAY }),
        fc.integer({ min: 0, max: 10 * DAY }),
        (c, t, a, b) => {
          const cal = FIXED[c]!;
          expect(cal.addBusinessTime(cal.addBusinessTime(t, a)!, b)).toBe(cal.addBusinessTime(t, a + b));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('between is additive: between(a, b) + between(b, c) === between(a, c), in any order', () => {
    fc.assert(
      fc.property(fixedArb, instantArb, instantArb, instantArb, (c, a, b, d) => {
        const cal = FIXED[c]!;
        expect(cal.businessTimeBetween(a, b) + cal.businessTimeBetween(b, d)).toBe(
          cal.businessTimeBetween(a, d),
        );
        expect(cal.businessTimeBetween(b, a)).toBe(0 - cal.businessTimeBetween(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('spans tile [from, to) and their working part equals between', () => {
    fc.assert(
      fc.property(fixedArb, instantArb, fc.integer({ min: 1, max: 15 * DAY }), (c, from, length) => {
        const cal = FIXED[c]!;
        const spans = cal.spans(from, from + length);
        expect(spans[0]!.from).toBe(from);
        expect(spans.at(-1)!.to).toBe(from + length);
        spans.forEach((span, k) => k > 0 && expect(span.from).toBe(spans[k - 1]!.to));
        const worked = spans.filter((s) => s.working).reduce((sum, s) => sum + s.to - s.from, 0);
        expect(worked).toBe(cal.businessTimeBetween(from, from + length));
      }),
      { numRuns: 500 },
    );
  });
});

describe('agreement with the naive minute-by-minute reference (random calendars)', () => {
  /** Weekly working ms, to keep targets in reach of a walk of a few weeks. */
  const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const weeklyMs = (def: CalendarDefinition) =>
    def.weekly.reduce(
      (sum, w) => sum + ((minutes(w.end) - minutes(w.start) + 1440) % 1440 || 1440) * MINUTE,
      0,
    );

  it(
    'addBusinessTime agrees',
    () => {
      fc.assert(
        fc.property(
          definitionArb,
          instantArb,
          fc.double({ min: 0, max: 2, noNaN: true }),
          (def, t, share) => {
            const ms = Math.max(1, Math.round(weeklyMs(def) * share));
            const expected = new NaiveCalendar(def).add(t, ms, 40);
            fc.pre(expected !== null);
            expect(compileCalendar(def).addBusinessTime(t, ms)).toBe(expected);
          },
        ),
        { numRuns: NAIVE_RUNS },
      );
    },
    NAIVE_TIMEOUT,
  );

  it(
    'businessTimeBetween agrees',
    () => {
      fc.assert(
        fc.property(definitionArb, instantArb, fc.integer({ min: 0, max: 12 * DAY }), (def, t, gap) => {
          expect(compileCalendar(def).businessTimeBetween(t, t + gap)).toBe(
            new NaiveCalendar(def).between(t, t + gap),
          );
        }),
        { numRuns: NAIVE_RUNS },
      );
    },
    NAIVE_TIMEOUT,
  );

  it(
    'addBusinessDays agrees',
    () => {
      fc.assert(
        fc.property(definitionArb, instantArb, fc.integer({ min: 0, max: 4 }), (def, t, n) => {
          const expected = new NaiveCalendar(def).addBusinessDays(t, n, 40);
          fc.pre(expected !== null);
          expect(compileCalendar(def).addBusinessDays(t, n)).toBe(expected);
        }),
        { numRuns: NAIVE_RUNS },
      );
    },
    NAIVE_TIMEOUT,
  );

  it('agrees on a few hand-picked DST edges, to the minute', () => {
    const def: CalendarDefinition = {
      id: 'edges',
      timeZone: 'Australia/Lord_Howe',
      weekly: [
        { day: 7, start: '01:45', end: '02:15' },
        { day: 7, start: '02:20', end: '03:00' },
        { day: 6, start: '23:00', end: '01:30' },
      ],
      holidays: [],
    };
    const naive = new NaiveCalendar(def);
    const cal = compileCalendar(def);
    for (const anchor of ['2026-04-04T12:00:00Z', '2026-10-03T12:00:00Z']) {
      for (let t = utc(anchor); t < utc(anchor) + 6 * HOUR; t += 7 * MINUTE) {
        expect(cal.businessTimeBetween(t, t + 3 * HOUR)).toBe(naive.between(t, t + 3 * HOUR));
      }
    }
  });
});
