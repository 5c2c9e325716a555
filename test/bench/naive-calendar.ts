/**
 * A deliberately naive reference for business-calendar arithmetic, written independently of
 * src/engine/calendar: it walks UTC time minute by minute and asks luxon for the offset at every minute.
 *
 * Its definition of working time (equivalent to SEMANTICS §2, but derived differently): follow the local wall
 * clock forward and remember the latest wall time reached so far ("high-water mark"). A minute is working when
 * that mark lies inside a working interval of its own local date. During a fall-back overlap the wall clock
 * repeats an hour but the mark stands still, so an ambiguous local time counts at its first (earlier) occurrence;
 * a spring-forward gap is jumped over, so a local time inside it starts at the first instant after the gap.
 *
 * It only supports definitions whose times are whole minutes (all offsets and transitions of modern zones are
 * whole minutes too), so working status is constant within each UTC minute. Slow by design: use small samples.
 * To stay usable it asks luxon once per UTC quarter-hour: every zone change since the 1970s happens on a
 * quarter-hour of UTC (Lord_Howe 15:30Z, Chatham 14:00Z, St_Johns 05:30Z …).
 */
import { IANAZone } from 'luxon';
import type { CalendarDefinition } from '../../src/engine/types.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far back the walk starts, so the high-water mark is settled before the instant of interest. */
const WARM_UP = 3 * 3_600_000;

export class NaiveCalendar {
  private readonly zone: IANAZone;
  /** Per ISO weekday 1..7: [start, end) minutes-of-day ranges belonging to that day. */
  private readonly weekly: Array<Array<[number, number]>> = [[], [], [], [], [], [], [], []];

  constructor(private readonly def: CalendarDefinition) {
    this.zone = IANAZone.create(def.timeZone);
    for (const w of def.weekly) {
      const s = minutesOf(w.start);
      const e = minutesOf(w.end);
      if (e > s) this.weekly[w.day]!.push([s, e]);
      else {
        this.weekly[w.day]!.push([s, 1440]);
        if (e > 0) this.weekly[(w.day % 7) + 1]!.push([0, e]);
      }
    }
  }

  /** Business ms in [a, b) for a ≤ b. */
  between(a: number, b: number): number {
    let total = 0;
    this.walk(a, (from, to, working) => {
      if (from >= b) return true;
      if (working) total += Math.min(to, b) - from;
      return false;
    });
    return total;
  }

  /** The instant at which `ms` (> 0) business ms from `start` are used up; null after `maxDays` days. */
  add(start: number, ms: number, maxDays = 60): number | null {
    if (ms === 0) return start;
    let remaining = ms;
    let result: number | null = null;
    this.walk(start, (from, to, working) => {
      if (from >= start + maxDays * DAY) return true;
      if (!working) return false;
      if (remaining <= to - from) {
        result = from + remaining;
        return true;
      }
      remaining -= to - from;
      return false;
    });
    return result;
  }

  /** Close of the n-th working local day after the day on which counting starts (see the engine's rule). */
  addBusinessDays(start: number, n: number, maxDays = 120): number | null {
    let startDay: number | null = null;
    let counted = 0;
    let day: number | null = null;
    let dayClose: number | null = null;
    let result: number | null = null;
    this.walk(start, (from, to, working, localDay) => {
      if (from >= start + maxDays * DAY) return true;
      if (localDay !== day) {
        // The previous local day is complete: count it if it had working time and comes after the start day.
        if (day !== null && dayClose !== null && startDay !== null) {
          if (day > startDay) counted++;
          if (counted === n) {
            result = dayClose;
            return true;
          }
        }
        day = localDay;
        dayClose = null;
      }
      if (working) {
        if (startDay === null) startDay = localDay;
        dayClose = to;
      }
      return false;
    });
    return result;
  }

  /**
   * Calls visit(from, to, working, localDay) for consecutive pieces of UTC time from `start` on, one minute at a
   * time (the first piece starts at `start` itself), until visit returns true.
   */
  private walk(
    start: number,
    visit: (from: number, to: number, working: boolean, localDay: number) => boolean,
  ): void {
    let minute = Math.floor(start / MINUTE) * MINUTE - WARM_UP;
    let mark = Number.NEGATIVE_INFINITY;
    for (;;) {
      const wall = minute + this.offsetMinutes(minute) * MINUTE;
      mark = Math.max(mark, wall);
      const next = minute + MINUTE;
      if (next > start) {
        const localDay = Math.floor(mark / DAY);
        if (visit(Math.max(minute, start), next, this.isWorkingWall(mark), localDay)) return;
      }
      minute = next;
    }
  }

  private cachedQuarter = Number.NaN;
  private cachedOffset = 0;

  private offsetMinutes(minute: number): number {
    const quarter = Math.floor(minute / (15 * MINUTE));
    if (quarter !== this.cachedQuarter) {
      this.cachedQuarter = quarter;
      this.cachedOffset = this.zone.offset(quarter * 15 * MINUTE);
    }
    return this.cachedOffset;
  }

  private isWorkingWall(wall: number): boolean {
    const day = Math.floor(wall / DAY);
    const minuteOfDay = Math.floor((wall - day * DAY) / MINUTE);
    const date = new Date(day * DAY);
    const monthDay = `${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    const full = `${date.getUTCFullYear()}-${monthDay}`;
    const holiday =
      this.def.holidays.find((h) => h.date === full) ?? this.def.holidays.find((h) => h.date === monthDay);
    const ranges = holiday
      ? (holiday.intervals ?? []).map((r) => [minutesOf(r.start), minutesOf(r.end)] as [number, number])
      : this.weekly[((((day + 3) % 7) + 7) % 7) + 1]!;
    return ranges.some(([s, e]) => minuteOfDay >= s && minuteOfDay < e);
  }
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
