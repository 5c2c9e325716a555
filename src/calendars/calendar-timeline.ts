import { alwaysOpenCalendar } from '../engine/calendar/index.js';
import { ALWAYS_OPEN_CALENDAR_ID, type BusinessCalendar } from '../engine/types.js';

/** One version of a calendar as the timeline needs it; `calendar` null: it could not be compiled (left out). */
export interface TimelineVersion {
  validFrom: number;
  calendar: BusinessCalendar | null;
}

/**
 * Which compiled calendars were in force at an instant (SEMANTICS 9). `at()` runs once per stopped clock per
 * evaluation, so it is one binary search: the change instants of every calendar, merged and sorted, cut time into
 * segments in which no calendar changes, and each segment's map is built once, when first asked for. Instants at or
 * after the last change get the current map itself. Before a calendar's first version, that first version applies
 * (a clock cannot have used a calendar that did not exist; this keeps old tickets evaluable).
 */
export class CalendarTimeline {
  /** The current version of every calendar, plus the built-in 24/7 one. */
  readonly current: ReadonlyMap<string, BusinessCalendar>;
  /** Calendars with more than one version: only they can differ from `current`. */
  private readonly changing: Array<{
    id: string;
    starts: number[];
    calendars: Array<BusinessCalendar | null>;
  }>;
  /** Sorted, distinct instants at which some calendar's later version begins. */
  private readonly changes: number[];
  private readonly segments: Array<ReadonlyMap<string, BusinessCalendar> | undefined>;

  /** `versions`: each calendar's versions in order (ascending validFrom), the last one current. */
  constructor(versions: ReadonlyMap<string, readonly TimelineVersion[]>) {
    const current = new Map<string, BusinessCalendar>([[ALWAYS_OPEN_CALENDAR_ID, alwaysOpenCalendar]]);
    this.changing = [];
    const changes = new Set<number>();
    for (const [id, list] of versions) {
      const latest = list.at(-1);
      if (latest?.calendar) current.set(id, latest.calendar);
      if (list.length < 2) continue;
      this.changing.push({
        id,
        starts: list.map((v) => v.validFrom),
        calendars: list.map((v) => v.calendar),
      });
      for (const v of list.slice(1)) changes.add(v.validFrom);
    }
    this.current = current;
    this.changes = [...changes].sort((a, b) => a - b);
    this.segments = new Array<undefined>(this.changes.length);
  }

  /** Bound, so that it can be handed to the engine as `calendarsAt`. */
  readonly at = (instant: number): ReadonlyMap<string, BusinessCalendar> => {
    const segment = countAtOrBefore(this.changes, instant);
    if (segment === this.changes.length) return this.current;
    return (this.segments[segment] ??= this.build(segment === 0 ? -Infinity : this.changes[segment - 1]));
  };

  private build(instant: number): ReadonlyMap<string, BusinessCalendar> {
    const map = new Map(this.current);
    for (const { id, starts, calendars } of this.changing) {
      // Before the first version: the first version.
      const calendar = calendars[Math.max(0, countAtOrBefore(starts, instant) - 1)];
      if (calendar) map.set(id, calendar);
      else map.delete(id);
    }
    return map;
  }
}

/** How many of the ascending `values` are ≤ `x` (binary search). */
function countAtOrBefore(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
