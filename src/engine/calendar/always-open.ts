/**
 * 24/7 calendars: every instant is working time and targets are absolute durations (SEMANTICS §2).
 * Business days are local calendar days of the zone: n days after the day counting starts, at local midnight.
 */
import type { BusinessCalendar, CalendarSpan } from '../types.js';
import { ALWAYS_OPEN_CALENDAR_ID } from '../types.js';
import { HORIZON_MS } from './compiled-calendar.js';
import { DAY_MS } from './local-time.js';
import { ZoneClock } from './zone-clock.js';

export class AlwaysOpenCalendar implements BusinessCalendar {
  private readonly zone: ZoneClock;

  constructor(
    readonly id: string,
    readonly timeZone: string,
  ) {
    this.zone = new ZoneClock(timeZone);
  }

  /** Like every calendar, it gives up beyond the horizon: a 24/7 target longer than 400 days has no deadline. */
  addBusinessTime(start: number, ms: number): number | null {
    if (ms === 0) return start;
    if (!(ms > 0))
      throw new RangeError(`Business time to add must be a non-negative number of ms, got ${ms}.`);
    return ms <= HORIZON_MS ? start + ms : null;
  }

  businessTimeBetween(a: number, b: number): number {
    return b - a;
  }

  nextWorkingInstant(t: number): number | null {
    return t;
  }

  /** The end (next local midnight) of the n-th local day after the day of `start`; n = 0: the end of that day. */
  addBusinessDays(start: number, n: number): number | null {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`Business days must be a whole number ≥ 0, got ${n}.`);
    const close = this.zone.instantOf((this.zone.epochDayOf(start) + n + 1) * DAY_MS);
    return close <= start + HORIZON_MS ? close : null;
  }

  spans(from: number, to: number): CalendarSpan[] {
    return to > from ? [{ from, to, working: true }] : [];
  }
}

export const alwaysOpenCalendar: BusinessCalendar = new AlwaysOpenCalendar(ALWAYS_OPEN_CALENDAR_ID, 'UTC');
