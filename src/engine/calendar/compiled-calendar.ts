/**
 * BusinessCalendar over a WorkingTimeIndex. Every query is a couple of binary searches over typed arrays;
 * the index is extended (with luxon, off the hot path) only when a query reaches beyond what is covered.
 */
import type { BusinessCalendar, CalendarSpan } from '../types.js';
import { WORKING_TIME_HORIZON_DAYS } from '../types.js';
import { DAY_MS } from './local-time.js';
import { firstEndingAfter } from './sorted-search.js';
import { tileSpans } from './spans.js';
import type { WorkingTimeIndex } from './working-time-index.js';

export const HORIZON_MS = WORKING_TIME_HORIZON_DAYS * DAY_MS;

export class CompiledCalendar implements BusinessCalendar {
  constructor(
    readonly id: string,
    readonly timeZone: string,
    private readonly index: WorkingTimeIndex,
  ) {}

  addBusinessTime(start: number, ms: number): number | null {
    if (ms === 0) return start;
    if (!(ms > 0))
      throw new RangeError(`Business time to add must be a non-negative number of ms, got ${ms}.`);
    const index = this.index;
    if (!(start >= index.coverFrom && start <= index.coverTo)) index.cover(start);
    const limit = start + HORIZON_MS;
    for (;;) {
      const { starts, ends, before, count } = index;
      const i = firstEndingAfter(ends, count, start);
      const target = (i < count ? before[i]! + Math.max(0, start - starts[i]!) : before[count]!) + ms;
      if (target <= before[count]!) {
        // Smallest k > i with before[k] >= target: the target is used up inside interval k - 1, possibly at its
        // very end (">=" makes a target that ends exactly at closing time due at that closing time).
        let lo = i;
        let hi = count;
        while (hi - lo > 1) {
          const mid = (lo + hi) >>> 1;
          if (before[mid]! >= target) hi = mid;
          else lo = mid;
        }
        const j = hi - 1;
        const due = starts[j]! + (target - before[j]!);
        return due <= limit ? due : null;
      }
      if (index.coverTo >= limit) return null;
      index.extendForward();
    }
  }

  businessTimeBetween(a: number, b: number): number {
    if (b < a) return 0 - this.businessTimeBetween(b, a); // 0 - x: never -0
    const index = this.index;
    if (!(a >= index.coverFrom && a <= index.coverTo)) index.cover(a);
    if (!(b >= index.coverFrom && b <= index.coverTo)) index.cover(b);
    return this.workedBefore(b) - this.workedBefore(a);
  }

  nextWorkingInstant(t: number): number | null {
    const index = this.index;
    index.cover(t);
    const limit = t + HORIZON_MS;
    for (;;) {
      const i = firstEndingAfter(index.ends, index.count, t);
      if (i < index.count) {
        const opening = Math.max(t, index.starts[i]!);
        return opening <= limit ? opening : null;
      }
      if (index.coverTo >= limit) return null;
      index.extendForward();
    }
  }

  /**
   * Business days (SEMANTICS §7), decided precisely:
   * - counting starts at s = nextWorkingInstant(start); D is the local day that s's working interval belongs to
   *   (an interval split at midnight belongs to the day of its part, so 00:30 inside a 22:00–06:00 shift is the
   *   later day);
   * - a working day is a local day with at least one working interval after holidays; its close is the end of
   *   its last interval (24:00 for an interval running to midnight, even when the next day continues at 00:00);
   * - the result is the close of the n-th working day after D (n = 0: the close of D itself);
   * - null when there is no working time within the horizon, or that close lies beyond it.
   * So a ticket created Friday 18:00 on a Mon–Fri 09:00–17:00 calendar counts from Monday 09:00 (D = Monday),
   * and 1 business day is due Tuesday 17:00; one created Monday 10:00 is due Tuesday 17:00 too.
   */
  addBusinessDays(start: number, n: number): number | null {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`Business days must be a whole number ≥ 0, got ${n}.`);
    const opening = this.nextWorkingInstant(start);
    if (opening === null) return null;
    const index = this.index;
    const limit = start + HORIZON_MS;
    for (;;) {
      const days = index.closes.length;
      const counted = index.workingDaysBefore;
      const startDay = index.dayIndexOf(opening);
      const wanted = counted[startDay + 1]! + n; // working days up to and including the answer day
      if (counted[days]! >= wanted) {
        // Smallest m with counted[m + 1] >= wanted; that day is a working day (its count just went up).
        let lo = startDay;
        let hi = days;
        while (hi - lo > 1) {
          const mid = (lo + hi) >>> 1;
          if (counted[mid]! >= wanted) hi = mid;
          else lo = mid;
        }
        const close = index.closes[hi - 1]!;
        return close <= limit ? close : null;
      }
      if (index.coverTo >= limit) return null;
      index.extendForward();
    }
  }

  spans(from: number, to: number): CalendarSpan[] {
    if (!(to > from)) return [];
    this.index.cover(from);
    this.index.cover(to);
    return tileSpans(this.index, from, to);
  }

  /** Working ms in the covered intervals before `t` (an offset, only differences are meaningful). */
  private workedBefore(t: number): number {
    const { starts, ends, before, count } = this.index;
    const i = firstEndingAfter(ends, count, t);
    return i < count ? before[i]! + Math.max(0, t - starts[i]!) : before[count]!;
  }
}
