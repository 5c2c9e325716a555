import { describe, expect, it } from 'vitest';
import { compileCalendar, evaluate } from '../../src/engine/index.js';
import type { Clock, MetricTargets } from '../../src/engine/types.js';
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

const inBerlin = (targets: MetricTargets) => policy({ id: 'office', targets: everyPriority(targets) });
const office = inBerlin({
  reaction: { minutes: 30, calendarId: 'berlin', warnAtPercent: [50, 90] },
  first_response: { minutes: 60, calendarId: 'berlin' },
  resolution: { minutes: 16 * 60, calendarId: 'berlin' },
});

/** The explanation must tile [startedAt, end) without gaps or overlaps. */
function expectTiling(clock: Clock, end: number): void {
  const spans = clock.explanation;
  expect(spans.length).toBeGreaterThan(0);
  expect(spans[0].from).toBe(clock.startedAt);
  expect(spans[spans.length - 1].to).toBe(end);
  for (let i = 1; i < spans.length; i++) expect(spans[i].from).toBe(spans[i - 1].to);
  for (const span of spans) expect(span.to).toBeGreaterThan(span.from);
}

const counted = (clock: Clock) =>
  clock.explanation.filter((s) => s.kind === 'counted').reduce((sum, s) => sum + s.to - s.from, 0);

describe('business calendar (Europe/Berlin, Mon–Fri 09:00–17:00)', () => {
  it('rule 3: a ticket created on Friday evening starts counting at Monday 09:00', () => {
    const created = at('2026-03-06T17:30:00Z'); // Fri 18:30 CET
    const t = new TicketScript(created).created();
    const result = evaluate(t.events, context([office], at('2026-03-07T12:00:00Z')));
    const firstResponse = clockOf(result, 'first_response');
    expect(firstResponse).toMatchObject({
      state: 'running',
      usedMs: 0,
      deadline: at('2026-03-09T09:00:00Z'),
      calendarId: 'berlin',
    });
    expect(clockOf(result, 'reaction').warnings).toEqual([
      { percent: 50, at: at('2026-03-09T08:15:00Z') },
      { percent: 90, at: at('2026-03-09T08:27:00Z') },
    ]);
    expectTiling(firstResponse, firstResponse.deadline!);
    expect(firstResponse.explanation).toEqual([
      { from: created, to: at('2026-03-09T08:00:00Z'), kind: 'out_of_hours' },
      { from: at('2026-03-09T08:00:00Z'), to: at('2026-03-09T09:00:00Z'), kind: 'counted' },
    ]);
  });

  it('a reply on Saturday to a Friday-evening ticket is met and used no business time', () => {
    const t = new TicketScript('2026-03-06T17:30:00Z').created().at('2026-03-07T10:00:00Z').reply();
    expect(
      clockOf(evaluate(t.events, context([office], at('2026-03-10T00:00:00Z'))), 'first_response'),
    ).toMatchObject({
      state: 'met',
      usedMs: 0,
      percentUsed: 0,
    });
  });

  it('rule 4: a target used up exactly at closing time is due at closing; a reply after closing is breached', () => {
    const created = at('2026-03-04T15:00:00Z'); // Wed 16:00 CET, 60 min → due 17:00 CET
    const onTime = new TicketScript(created).created().at('2026-03-04T16:00:00Z').reply();
    const late = new TicketScript(created).created().at('2026-03-04T16:30:00Z').reply();
    const now = at('2026-03-05T12:00:00Z');
    expect(clockOf(evaluate(onTime.events, context([office], now)), 'first_response')).toMatchObject({
      state: 'met',
      deadline: at('2026-03-04T16:00:00Z'),
    });
    expect(clockOf(evaluate(late.events, context([office], now)), 'first_response')).toMatchObject({
      state: 'breached',
      breachedAt: at('2026-03-04T16:00:00Z'),
      usedMs: HOUR,
      remainingMs: 0,
    });
  });

  it('pauses are excluded in business time only, and the explanation tiles [start, deadline] with a paused span', () => {
    // Wed 10:00 CET created; pending Wed 12:00 → Thu 11:00 (pause); 16 business hours of resolution.
    const t = new TicketScript('2026-03-04T09:00:00Z')
      .created()
      .at('2026-03-04T11:00:00Z')
      .status('pending')
      .at('2026-03-05T10:00:00Z')
      .status('open');
    const resolution = clockOf(
      evaluate(t.events, context([office], at('2026-03-05T12:00:00Z'))),
      'resolution',
    );
    // used: Wed 10–12 (2 h) + Thu 11–13 (2 h) = 4 h; 12 h left from Thu 13:00 → Thu 17:00 (4 h) + Fri 8 h → Fri 17:00.
    expect(resolution).toMatchObject({
      state: 'running',
      usedMs: 4 * HOUR,
      deadline: at('2026-03-06T16:00:00Z'),
    });
    expectTiling(resolution, resolution.deadline!);
    expect(counted(resolution)).toBe(16 * HOUR);
    expect(resolution.explanation.filter((s) => s.kind === 'paused')).toEqual([
      { from: at('2026-03-04T11:00:00Z'), to: at('2026-03-05T10:00:00Z'), kind: 'paused', detail: 'pending' },
    ]);
  });

  it('rule 12: a ticket solved on Friday with one minute left and reopened on Saturday is due Monday 09:01', () => {
    const t = new TicketScript('2026-03-05T08:00:00Z') // Thu 09:00
      .created()
      .at('2026-03-06T15:59:00Z')
      .status('solved') // Fri 16:59 → 15 h 59 min used
      .at('2026-03-07T10:00:00Z')
      .comment('customer', true, { status: 'open' });
    const resolution = clockOf(
      evaluate(t.events, context([office], at('2026-03-07T11:00:00Z'))),
      'resolution',
    );
    expect(resolution).toMatchObject({
      state: 'running',
      usedMs: 16 * HOUR - MIN,
      deadline: at('2026-03-09T08:01:00Z'),
    });
    expect(resolution.pausedIntervals).toEqual([
      { from: at('2026-03-06T15:59:00Z'), to: at('2026-03-07T10:00:00Z'), status: 'solved' },
    ]);
  });

  it('rule 2: across the spring-forward weekend the deadline follows local office hours', () => {
    // Fri 27 March 16:00 CET + 2 business hours → Mon 30 March 10:00 CEST = 08:00Z (not 09:00Z).
    const p = inBerlin({ first_response: { minutes: 120, calendarId: 'berlin' } });
    const t = new TicketScript('2026-03-27T15:00:00Z').created();
    expect(
      clockOf(evaluate(t.events, context([p], at('2026-03-28T00:00:00Z'))), 'first_response').deadline,
    ).toBe(at('2026-03-30T08:00:00Z'));
  });

  it('rule 2: across the fall-back weekend too (Fri 23 Oct 16:00 CEST + 2 h → Mon 26 Oct 10:00 CET = 09:00Z)', () => {
    const p = inBerlin({ first_response: { minutes: 120, calendarId: 'berlin' } });
    const t = new TicketScript('2026-10-23T14:00:00Z').created();
    const clock = clockOf(evaluate(t.events, context([p], at('2026-10-24T00:00:00Z'))), 'first_response');
    expect(clock.deadline).toBe(at('2026-10-26T09:00:00Z'));
    expect(counted(clock)).toBe(2 * HOUR);
  });

  it('rule 2: a 24/7 target is an absolute duration across a DST change', () => {
    const t = new TicketScript('2026-03-28T23:30:00Z').created();
    expect(
      clockOf(evaluate(t.events, context([policy()], at('2026-03-29T00:00:00Z'))), 'resolution').deadline,
    ).toBe(at('2026-03-29T07:30:00Z'));
  });

  it('rule 5: holidays (a part-day Christmas Eve, Christmas Day, Boxing Day) do not count and are named in the explanation', () => {
    const p = inBerlin({ first_response: { minutes: 240, calendarId: 'berlin' } });
    const t = new TicketScript('2026-12-24T09:00:00Z').created(); // Thu 24 Dec 10:00 CET; open 09:00–12:00 that day
    const clock = clockOf(evaluate(t.events, context([p], at('2026-12-24T10:00:00Z'))), 'first_response');
    expect(clock.deadline).toBe(at('2026-12-28T10:00:00Z')); // 2 h on the 24th, then Mon 28th 09:00–11:00 CET
    expectTiling(clock, clock.deadline!);
    expect(counted(clock)).toBe(4 * HOUR);
    const holidays = clock.explanation.filter((s) => s.kind === 'holiday').map((s) => s.detail);
    expect(holidays).toEqual(expect.arrayContaining(['Christmas Day', 'Boxing Day']));
  });

  it('rule 7: N business days are due at the close of the N-th working day after the start day', () => {
    const p = inBerlin({ resolution: { businessDays: 2, calendarId: 'berlin' } });
    const t = new TicketScript('2026-03-04T09:00:00Z').created(); // Wed 10:00 CET → Fri 17:00 CET
    const clock = clockOf(evaluate(t.events, context([p], at('2026-03-04T12:00:00Z'))), 'resolution');
    expect(clock).toMatchObject({ deadline: at('2026-03-06T16:00:00Z'), targetMs: 23 * HOUR });
  });

  it('rule 7: pauses shift a business-days deadline by the paused business time', () => {
    const p = inBerlin({ resolution: { businessDays: 2, calendarId: 'berlin' } });
    const t = new TicketScript('2026-03-04T09:00:00Z')
      .created()
      .at('2026-03-05T09:00:00Z')
      .status('pending') // Thu 10:00–12:00 CET: 2 business hours paused
      .at('2026-03-05T11:00:00Z')
      .status('open');
    const clock = clockOf(evaluate(t.events, context([p], at('2026-03-05T12:00:00Z'))), 'resolution');
    expect(clock.deadline).toBe(at('2026-03-09T10:00:00Z')); // Mon 11:00 CET
  });

  it('rule 8: no working time within the horizon → no deadline, with the reason, and never breached', () => {
    const p = inBerlin({ first_response: { minutes: 60, calendarId: 'never' } });
    const t = new TicketScript('2026-03-04T09:00:00Z').created();
    const clock = clockOf(evaluate(t.events, context([p], at('2027-03-04T09:00:00Z'))), 'first_response');
    expect(clock).toMatchObject({ state: 'running', deadline: null, usedMs: 0, warnings: [] });
    expect(clock.noDeadlineReason).toMatch(/no working time/);
  });

  it('rule 19 in business time: a priority raised on Monday breaches a Friday ticket at the stricter business deadline', () => {
    const p = policy({
      id: 'office',
      targets: {
        normal: { first_response: { minutes: 8 * 60, calendarId: 'berlin' } },
        urgent: { first_response: { minutes: 60, calendarId: 'berlin' } },
      },
    });
    const t = new TicketScript('2026-03-06T15:30:00Z') // Fri 16:30 CET
      .created()
      .at('2026-03-09T10:00:00Z')
      .priority('urgent', { by: 'system' }); // Mon 11:00 CET
    const clock = clockOf(evaluate(t.events, context([p], at('2026-03-09T10:05:00Z'))), 'first_response');
    // 30 min on Friday + 30 min on Monday → Mon 09:30 CET; detected when the change came in.
    expect(clock).toMatchObject({
      state: 'breached',
      breachedAt: at('2026-03-09T08:30:00Z'),
      breachDetectedAt: at('2026-03-09T10:00:00Z'),
      usedMs: 2 * HOUR + 35 * MIN, // Fri 16:30–17:00 + Mon 09:00–11:05
    });
  });

  it('rule 9: a calendar edit re-evaluates running clocks; with calendar versions, stopped clocks keep their outcome', () => {
    const EDIT = at('2026-03-04T12:00:00Z');
    // After the edit the office opens at 10:00 instead of 09:00 (Wed 09:00–10:00 CET no longer counts).
    const later = compileCalendar({
      id: 'berlin',
      timeZone: 'Europe/Berlin',
      weekly: ([1, 2, 3, 4, 5] as const).map((day) => ({ day, start: '10:00', end: '17:00' })),
      holidays: [],
    });
    const calendarsAt = (t: number) => new Map([['berlin', t < EDIT ? berlin : later]]);
    const p = inBerlin({ first_response: { minutes: 60, calendarId: 'berlin' } });
    const created = '2026-03-04T07:30:00Z'; // Wed 08:30 CET
    const replied = new TicketScript(created).created().at('2026-03-04T09:00:00Z').reply(); // 10:00 CET, stop known before the edit
    const open = new TicketScript(created).created();
    const ctx = context([p], at('2026-03-04T13:00:00Z'), {
      calendars: new Map([['berlin', later]]),
      calendarsAt,
    });
    expect(clockOf(evaluate(replied.events, ctx), 'first_response')).toMatchObject({
      state: 'met',
      deadline: at('2026-03-04T09:00:00Z'),
    });
    expect(clockOf(evaluate(open.events, ctx), 'first_response')).toMatchObject({
      state: 'breached',
      deadline: at('2026-03-04T10:00:00Z'),
    });
  });
});
