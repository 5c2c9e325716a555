import { describe, expect, it } from 'vitest';
import { CalendarTimeline } from '../../src/calendars/calendar-timeline.js';
import { compileCalendar, evaluate } from '../../src/engine/index.js';
import type { BusinessCalendar, HolidayDefinition, MetricTargets } from '../../src/engine/types.js';
import {
  HOUR,
  MIN,
  TicketScript,
  at,
  berlin,
  clockOf,
  context,
  everyPriority,
  policy,
} from './evaluate-fixtures.js';

/**
 * Rule 9 with calendar versions: an edit re-evaluates clocks that still run from their whole timeline, while a
 * stopped clock keeps the outcome and deadline it had under the calendar in force when its stop became known. The
 * versions come from the same CalendarTimeline that EvaluationConfigService hands to the engine.
 */

const mondayToFriday = (start: string, end: string) =>
  ([1, 2, 3, 4, 5] as const).map((day) => ({ day, start, end }));

function berlinVersion(
  weekly: ReturnType<typeof mondayToFriday>,
  holidays: HolidayDefinition[],
): BusinessCalendar {
  return compileCalendar({ id: 'berlin', timeZone: 'Europe/Berlin', weekly, holidays });
}

/** `berlin` (Mon–Fri 09:00–17:00) until `edit`, then `next`: what EvaluationConfig.calendarsAt returns. */
function versions(edit: number, next: BusinessCalendar): CalendarTimeline {
  return new CalendarTimeline(
    new Map([
      [
        'berlin',
        [
          { validFrom: at('2026-01-01T00:00:00Z'), calendar: berlin },
          { validFrom: edit, calendar: next },
        ],
      ],
    ]),
  );
}

const inBerlin = (targets: MetricTargets) => policy({ id: 'office', targets: everyPriority(targets) });

describe('rule 9: a calendar edit does not re-judge stopped clocks', () => {
  // Monday 2 March 2026 (CET, UTC+1). From Monday 14:00 the office works 09:00–12:00 only.
  const EDIT = at('2026-03-02T13:00:00Z');
  const timeline = versions(EDIT, berlinVersion(mondayToFriday('09:00', '12:00'), []));
  const office = inBerlin({
    first_response: { minutes: 4 * 60, calendarId: 'berlin' },
    resolution: { minutes: 8 * 60, calendarId: 'berlin' },
  });
  const ticket = new TicketScript('2026-03-02T08:00:00Z') // Mon 09:00 CET
    .created()
    .at('2026-03-02T11:30:00Z') // Mon 12:30 CET: known before the edit
    .reply();
  const NOW = at('2026-03-03T10:00:00Z'); // Tue 11:00 CET

  it('shorter hours: the met clock keeps its deadline and used time; the running clock takes the new hours', () => {
    const ctx = context([office], NOW, { calendars: timeline.current, calendarsAt: timeline.at });
    const result = evaluate(ticket.events, ctx);
    expect(clockOf(result, 'first_response')).toMatchObject({
      state: 'met',
      deadline: at('2026-03-02T12:00:00Z'), // Mon 13:00 CET under 09:00–17:00
      usedMs: 3.5 * HOUR,
      calendarId: 'berlin',
    });
    // Under 09:00–12:00 from the start (Monday included): 3 h Mon + 3 h Tue + 2 h Wed → Wed 11:00 CET.
    expect(clockOf(result, 'resolution')).toMatchObject({
      state: 'running',
      deadline: at('2026-03-04T10:00:00Z'),
      usedMs: 3 * HOUR + 2 * HOUR, // Mon 09:00–12:00 + Tue 09:00–11:00
    });
  });

  it('without calendar versions the stopped clock would be re-judged (the gap calendarsAt closes)', () => {
    const result = evaluate(ticket.events, context([office], NOW, { calendars: timeline.current }));
    expect(clockOf(result, 'first_response')).toMatchObject({
      state: 'met',
      deadline: at('2026-03-03T09:00:00Z'), // Tue 10:00 CET: rewritten by the edit
      usedMs: 3 * HOUR,
    });
  });
});

describe('rule 9: an edit that would turn a met clock into a breach leaves it met', () => {
  // Friday 1 May 2026 (Labour Day) was a holiday; on Monday the admin removes it, effective from then on.
  const EDIT = at('2026-05-04T12:00:00Z');
  const timeline = versions(EDIT, berlinVersion(mondayToFriday('09:00', '17:00'), []));
  const office = inBerlin({ first_response: { minutes: 60, calendarId: 'berlin' } });
  const created = '2026-04-30T14:30:00Z'; // Thu 16:30 CEST: 30 min on Thursday, then the holiday
  const NOW = at('2026-05-05T08:00:00Z');
  const ctx = context([office], NOW, { calendars: timeline.current, calendarsAt: timeline.at });

  it('a reply on Monday 09:15, known before the edit, stays met at the Monday 09:30 deadline', () => {
    const t = new TicketScript(created).created().at('2026-05-04T07:15:00Z').reply();
    expect(clockOf(evaluate(t.events, ctx), 'first_response')).toMatchObject({
      state: 'met',
      deadline: at('2026-05-04T07:30:00Z'),
      usedMs: 45 * MIN,
    });
    // Without versions the same reply would now count as a breach of Friday 09:30.
    const unversioned = context([office], NOW, { calendars: timeline.current });
    expect(clockOf(evaluate(t.events, unversioned), 'first_response')).toMatchObject({
      state: 'breached',
      breachedAt: at('2026-05-01T07:30:00Z'),
    });
  });

  it('the still-running clock of an unanswered ticket is re-evaluated under the edited calendar', () => {
    const t = new TicketScript(created).created();
    expect(clockOf(evaluate(t.events, ctx), 'first_response')).toMatchObject({
      state: 'breached',
      deadline: at('2026-05-01T07:30:00Z'), // Fri 09:30 CEST: Friday is a working day now
    });
  });

  it('a stop that became known only after the edit (late delivery) is judged under the edited calendar', () => {
    const late = new TicketScript(created)
      .created()
      .at('2026-05-04T07:15:00Z')
      .reply({ receivedAt: at('2026-05-04T13:00:00Z') });
    expect(clockOf(evaluate(late.events, ctx), 'first_response')).toMatchObject({
      state: 'breached',
      deadline: at('2026-05-01T07:30:00Z'),
    });
  });
});
