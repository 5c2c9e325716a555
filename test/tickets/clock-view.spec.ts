import { describe, expect, it } from 'vitest';
import { compileCalendar } from '../../src/engine/calendar/index.js';
import type { BusinessCalendar } from '../../src/engine/types.js';
import { toClockDetailView, toClockView } from '../../src/tickets/clock-view.js';
import type { TicketClockEntity } from '../../src/tickets/entities/ticket-clock.entity.js';

const HOUR = 3_600_000;
const berlin = compileCalendar({
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day: day as 1, start: '09:00', end: '17:00' })),
  holidays: [],
});
const calendars = (id: string | null): BusinessCalendar | undefined => (id === 'berlin' ? berlin : undefined);

function row(overrides: Partial<TicketClockEntity>): TicketClockEntity {
  return {
    ticketId: 't',
    metric: 'resolution',
    cycle: 0,
    state: 'running',
    policyId: 'p',
    policyVersion: 1,
    calendarId: 'berlin',
    timeZone: 'Europe/Berlin',
    startedAt: new Date('2026-11-20T08:00:00Z'),
    targetMs: String(8 * HOUR),
    // Friday 09:00 Berlin + 8 business hours = Friday 17:00 Berlin = 16:00Z
    deadline: new Date('2026-11-20T16:00:00Z'),
    noDeadlineReason: null,
    notApplicableReason: null,
    stoppedAt: null,
    usedMs: '0',
    remainingMs: String(8 * HOUR),
    percentUsed: 0,
    pausedIntervals: [],
    breachedAt: null,
    breachDetectedAt: null,
    firstBreachDetectedAt: null,
    breachWithdrawnAt: null,
    warnings: [{ percent: 75, at: Date.parse('2026-11-20T14:00:00Z') }],
    explanation: [
      { from: Date.parse('2026-11-20T08:00:00Z'), to: Date.parse('2026-11-20T16:00:00Z'), kind: 'counted' },
    ],
    evaluatedAt: new Date('2026-11-20T08:00:00Z'),
    fingerprint: null,
    ...overrides,
  };
}

describe('live clock values at read time', () => {
  it('counts remaining business time from now to the deadline in the calendar, with the local deadline', () => {
    const view = toClockView(row({}), Date.parse('2026-11-20T12:00:00Z'), calendars);
    expect(view).toMatchObject({
      state: 'running',
      deadline: '2026-11-20T16:00:00.000Z',
      deadlineLocal: '2026-11-20T17:00:00.000+01:00',
      timeZone: 'Europe/Berlin',
      remainingMs: 4 * HOUR,
      usedMs: 4 * HOUR,
      percentUsed: 50,
      warnings: [{ percent: 75, at: '2026-11-20T14:00:00.000Z' }],
    });
  });

  it('does not count closed hours: over the weekend remaining stays put', () => {
    const monday = row({ deadline: new Date('2026-11-23T12:00:00Z') }); // Monday 13:00 Berlin
    const saturday = toClockView(monday, Date.parse('2026-11-21T12:00:00Z'), calendars);
    const sunday = toClockView(monday, Date.parse('2026-11-22T20:00:00Z'), calendars);
    expect(saturday.remainingMs).toBe(4 * HOUR);
    expect(sunday.remainingMs).toBe(4 * HOUR);
  });

  it('reads a running clock past its deadline as breached, with negative remaining', () => {
    const view = toClockView(row({}), Date.parse('2026-11-23T09:00:00Z'), calendars); // Monday 10:00 Berlin
    expect(view).toMatchObject({
      state: 'breached',
      breachedAt: '2026-11-20T16:00:00.000Z',
      remainingMs: -HOUR,
    });
    expect(view.percentUsed).toBeCloseTo(112.5);
  });

  it('leaves paused and stopped clocks as stored', () => {
    const paused = toClockView(
      row({ state: 'paused', usedMs: String(HOUR), remainingMs: String(7 * HOUR), percentUsed: 12.5 }),
      Date.parse('2026-11-25T12:00:00Z'),
      calendars,
    );
    expect(paused).toMatchObject({ state: 'paused', usedMs: HOUR, remainingMs: 7 * HOUR, percentUsed: 12.5 });
    const met = toClockView(
      row({
        state: 'met',
        stoppedAt: new Date('2026-11-20T10:00:00Z'),
        usedMs: String(HOUR),
        remainingMs: String(7 * HOUR),
        percentUsed: 12.5,
      }),
      Date.parse('2026-11-25T12:00:00Z'),
      calendars,
    );
    expect(met).toMatchObject({ state: 'met', remainingMs: 7 * HOUR, stoppedAt: '2026-11-20T10:00:00.000Z' });
  });

  it('counts 24/7 clocks in elapsed time and renders them in UTC', () => {
    const view = toClockView(
      row({ calendarId: '24x7', timeZone: null }),
      Date.parse('2026-11-20T12:00:00Z'),
      calendars,
    );
    expect(view).toMatchObject({
      remainingMs: 4 * HOUR,
      timeZone: 'UTC',
      deadlineLocal: '2026-11-20T16:00:00.000Z',
    });
  });

  it('reports the first detection of a breach and renders the explanation in ISO', () => {
    const view = toClockDetailView(
      row({
        state: 'breached',
        breachedAt: new Date('2026-11-20T16:00:00Z'),
        breachDetectedAt: new Date('2026-11-21T00:00:00Z'),
        firstBreachDetectedAt: new Date('2026-11-20T16:00:05Z'),
      }),
      Date.parse('2026-11-21T12:00:00Z'),
      calendars,
    );
    expect(view.breachDetectedAt).toBe('2026-11-20T16:00:05.000Z');
    expect(view.explanation).toEqual([
      { from: '2026-11-20T08:00:00.000Z', to: '2026-11-20T16:00:00.000Z', kind: 'counted' },
    ]);
  });
});
