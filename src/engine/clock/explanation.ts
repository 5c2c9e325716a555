import type { BusinessCalendar, CalendarSpan, ExplanationSpan } from '../types.js';
import type { CountingTimeline } from './counting-timeline.js';

function fromCalendarSpan(span: CalendarSpan): ExplanationSpan {
  if (span.working) return { from: span.from, to: span.to, kind: 'counted' };
  if (span.reason === 'holiday') {
    return span.holidayName === undefined
      ? { from: span.from, to: span.to, kind: 'holiday' }
      : { from: span.from, to: span.to, kind: 'holiday', detail: span.holidayName };
  }
  return { from: span.from, to: span.to, kind: 'out_of_hours' };
}

function push(spans: ExplanationSpan[], span: ExplanationSpan): void {
  if (span.to <= span.from) return;
  const last = spans[spans.length - 1];
  if (last !== undefined && last.to === span.from && last.kind === span.kind && last.detail === span.detail) {
    last.to = span.to;
  } else {
    spans.push(span);
  }
}

/**
 * Spans that exactly tile [timeline.start, end): the calendar's working (counted), closed (out_of_hours) and
 * holiday spans within counting stretches, and one `paused` span per pause (detail: the pausing status).
 */
export function explain(
  calendar: BusinessCalendar,
  timeline: CountingTimeline,
  end: number,
): ExplanationSpan[] {
  const spans: ExplanationSpan[] = [];
  const s = timeline.stretches;
  const pauses = timeline.pauses;
  let p = 0;
  for (let i = 0; i < s.length; i += 2) {
    const from = s[i];
    // The pauses that lie before this stretch (adjacent pauses, e.g. pending then solved, each get their own span).
    while (p < pauses.length && pauses[p].from < from) {
      const pause = pauses[p++];
      const to = Math.min(pause.to ?? from, from, end);
      push(spans, { from: Math.max(pause.from, timeline.start), to, kind: 'paused', detail: pause.status });
    }
    if (from >= end) break;
    for (const span of calendar.spans(from, Math.min(s[i + 1], end))) push(spans, fromCalendarSpan(span));
  }
  return spans;
}
