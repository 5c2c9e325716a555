/**
 * Tiling [from, to) into working and non-working spans, to explain deadlines ("why is this due Monday 13:30?").
 * Non-working time on a holiday's local day is reason 'holiday' (with its name), any other non-working time
 * 'closed'. Touching working intervals were merged by the index, so continuous working time is one span.
 */
import type { CalendarSpan } from '../types.js';
import { firstEndingAfter } from './sorted-search.js';
import type { WorkingTimeIndex } from './working-time-index.js';

export function tileSpans(index: WorkingTimeIndex, from: number, to: number): CalendarSpan[] {
  const { starts, ends, count } = index;
  const spans: CalendarSpan[] = [];
  let i = firstEndingAfter(ends, count, from);
  let cursor = from;
  while (cursor < to) {
    if (i < count && starts[i]! <= cursor) {
      const end = Math.min(ends[i]!, to);
      spans.push({ from: cursor, to: end, working: true });
      cursor = end;
      i++;
    } else {
      const end = i < count ? Math.min(starts[i]!, to) : to;
      pushNonWorking(index, spans, cursor, end);
      cursor = end;
    }
  }
  return spans;
}

/** Splits a non-working stretch at holiday-day boundaries, merging neighbours with the same reason and name. */
function pushNonWorking(index: WorkingTimeIndex, spans: CalendarSpan[], from: number, to: number): void {
  const holidays = index.holidays;
  let cursor = from;
  let h = firstHolidayEndingAfter(index, from);
  while (cursor < to) {
    const holiday = holidays[h];
    if (holiday && holiday.from <= cursor) {
      const end = Math.min(holiday.to, to);
      push(spans, { from: cursor, to: end, working: false, reason: 'holiday', holidayName: holiday.name });
      cursor = end;
      h++;
    } else {
      const end = holiday ? Math.min(holiday.from, to) : to;
      push(spans, { from: cursor, to: end, working: false, reason: 'closed' });
      cursor = end;
    }
  }
}

function firstHolidayEndingAfter(index: WorkingTimeIndex, t: number): number {
  const holidays = index.holidays;
  let lo = 0;
  let hi = holidays.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holidays[mid]!.to > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function push(spans: CalendarSpan[], span: CalendarSpan): void {
  if (span.to <= span.from) return;
  const last = spans[spans.length - 1];
  if (
    last &&
    !last.working &&
    !span.working &&
    last.reason === span.reason &&
    last.holidayName === span.holidayName
  ) {
    last.to = span.to;
    return;
  }
  spans.push(span);
}
