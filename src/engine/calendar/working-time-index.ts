/**
 * A calendar expanded into UTC working intervals, kept in typed arrays with prefix sums of working time, so that
 * add / between become two binary searches (DESIGN: "expand once, cached, extended lazily").
 *
 * Coverage is a range of whole local days [dayLo, dayHi). It starts around the first instant asked about and
 * grows a year (CHUNK_DAYS) at a time in whichever direction a query needs. Intervals that touch (12:00–24:00,
 * then 00:00–06:00 the next day, or across a chunk boundary) are merged into one continuous working interval.
 * All luxon work happens here, while extending; queries only read the arrays.
 */
import { DAY_MS } from './local-time.js';
import type { DayPlanner } from './day-plan.js';
import type { ZoneClock } from './zone-clock.js';

const CHUNK_DAYS = 366;
/** The range of a JS Date; beyond it there are no local dates to expand. */
const MAX_INSTANT = 8.64e15;

interface DayRecord {
  /** The instant of local midnight starting this day. */
  midnight: number;
  /** Flat [start, end, start, end, …] UTC working intervals belonging to this day. */
  intervals: number[];
  holidayName?: string;
}

export interface HolidaySpan {
  from: number;
  to: number;
  name: string;
}

export class WorkingTimeIndex {
  /** Merged working intervals [starts[i], ends[i]) in UTC, ascending, disjoint and not touching. */
  starts = new Float64Array(0);
  ends = new Float64Array(0);
  /** before[i] = working ms in all intervals before i; before[count] = total. Length count + 1. */
  before = new Float64Array(1);
  count = 0;

  /** Instants covered: [coverFrom, coverTo] (local midnights of dayLo and dayHi). Empty until first use. */
  coverFrom = Number.POSITIVE_INFINITY;
  coverTo = Number.NEGATIVE_INFINITY;

  /** Per covered day k (epoch day dayLo + k): local midnight (length days + 1), close instant or NaN. */
  dayLo = 0;
  midnights = new Float64Array(1);
  closes = new Float64Array(0);
  /** workingDaysBefore[k] = number of working days among the first k covered days. Length days + 1. */
  workingDaysBefore = new Float64Array(1);
  holidays: HolidaySpan[] = [];

  private dayHi = 0;
  private days: DayRecord[] = [];

  constructor(
    private readonly zone: ZoneClock,
    private readonly planner: DayPlanner,
  ) {}

  /** Makes sure `instant` lies within [coverFrom, coverTo]. */
  cover(instant: number): void {
    if (instant >= this.coverFrom && instant <= this.coverTo) return;
    if (!Number.isFinite(instant) || Math.abs(instant) > MAX_INSTANT) {
      throw new RangeError(`Instant ${instant} is not a valid epoch-millisecond time.`);
    }
    const day = this.zone.epochDayOf(instant);
    if (this.days.length === 0) {
      this.expand(day - 1, day + CHUNK_DAYS);
    } else if (instant < this.coverFrom) {
      this.expand(Math.min(this.dayLo - CHUNK_DAYS, day - 1), this.dayHi);
    } else {
      this.expand(this.dayLo, Math.max(this.dayHi + CHUNK_DAYS, day + 2));
    }
  }

  /** Covers another chunk of days after the current coverage. */
  extendForward(): void {
    this.expand(this.dayLo, this.dayHi + CHUNK_DAYS);
  }

  /** Index of the covered day containing `instant` (which must be covered and before coverTo). */
  dayIndexOf(instant: number): number {
    const midnights = this.midnights;
    let lo = 0;
    let hi = midnights.length - 1; // midnights[hi] > instant is guaranteed for instant < coverTo
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (midnights[mid]! <= instant) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  private expand(newLo: number, newHi: number): void {
    const fresh = (from: number, to: number): DayRecord[] => {
      const records: DayRecord[] = [];
      for (let day = from; day < to; day++) records.push(this.recordFor(day));
      return records;
    };
    if (this.days.length === 0) {
      this.days = fresh(newLo, newHi);
    } else {
      this.days = [...fresh(newLo, this.dayLo), ...this.days, ...fresh(this.dayHi, newHi)];
    }
    this.dayLo = newLo;
    this.dayHi = newHi;
    this.rebuild();
  }

  private recordFor(day: number): DayRecord {
    const plan = this.planner.planFor(day);
    const wallMidnight = day * DAY_MS;
    const intervals: number[] = [];
    for (const [start, end] of plan.intervals) {
      const from = this.zone.instantOf(wallMidnight + start);
      const to = this.zone.instantOf(wallMidnight + end);
      // A DST gap can swallow an interval whole (02:00–02:30 on a spring-forward night): nothing to work.
      if (to > from) intervals.push(from, to);
    }
    return { midnight: this.zone.instantOf(wallMidnight), intervals, holidayName: plan.holiday?.name };
  }

  private rebuild(): void {
    const days = this.days;
    const starts: number[] = [];
    const ends: number[] = [];
    const dayCount = days.length;
    const midnights = new Float64Array(dayCount + 1);
    const closes = new Float64Array(dayCount);
    const workingDaysBefore = new Float64Array(dayCount + 1);
    const holidays: HolidaySpan[] = [];
    for (let k = 0; k < dayCount; k++) {
      const record = days[k]!;
      midnights[k] = record.midnight;
      const flat = record.intervals;
      for (let j = 0; j < flat.length; j += 2) {
        const last = ends.length - 1;
        if (last >= 0 && flat[j]! <= ends[last]!) ends[last] = Math.max(ends[last]!, flat[j + 1]!);
        else {
          starts.push(flat[j]!);
          ends.push(flat[j + 1]!);
        }
      }
      closes[k] = flat.length > 0 ? flat[flat.length - 1]! : Number.NaN;
      workingDaysBefore[k + 1] = workingDaysBefore[k]! + (flat.length > 0 ? 1 : 0);
    }
    midnights[dayCount] = this.zone.instantOf(this.dayHi * DAY_MS);
    for (let k = 0; k < dayCount; k++) {
      const name = days[k]!.holidayName;
      if (name !== undefined) holidays.push({ from: midnights[k]!, to: midnights[k + 1]!, name });
    }
    const before = new Float64Array(starts.length + 1);
    for (let i = 0; i < starts.length; i++) before[i + 1] = before[i]! + (ends[i]! - starts[i]!);

    this.starts = Float64Array.from(starts);
    this.ends = Float64Array.from(ends);
    this.before = before;
    this.count = starts.length;
    this.midnights = midnights;
    this.closes = closes;
    this.workingDaysBefore = workingDaysBefore;
    this.holidays = holidays;
    this.coverFrom = midnights[0]!;
    this.coverTo = midnights[dayCount]!;
  }
}
