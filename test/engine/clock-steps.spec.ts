import { describe, expect, it } from 'vitest';
import { clockSteps, compileCalendar, planSteps } from '../../src/engine/index.js';
import type { Clock } from '../../src/engine/types.js';

const clock = (over: Partial<Clock>): Clock => ({
  metric: 'first_response',
  cycle: 0,
  state: 'running',
  policyId: 'p',
  policyVersion: 1,
  calendarId: '24x7',
  startedAt: 0,
  targetMs: 1000,
  deadline: 1000,
  stoppedAt: null,
  usedMs: 0,
  remainingMs: 1000,
  percentUsed: 0,
  pausedIntervals: [],
  breachedAt: null,
  breachDetectedAt: null,
  warnings: [
    { percent: 75, at: 750 },
    { percent: 90, at: 900 },
  ],
  explanation: [],
  ...over,
});

describe('clock steps', () => {
  it('a running clock has its warnings and its breach, one millisecond past the deadline', () => {
    expect(clockSteps(clock({})).map((s) => [s.key, s.at])).toEqual([
      ['warning-75', 750],
      ['warning-90', 900],
      ['breach', 1001],
    ]);
  });

  it('paused, met, cancelled and not-applicable clocks have no steps due (SEMANTICS 4, 16, 31)', () => {
    for (const state of ['paused', 'met', 'cancelled', 'not_applicable'] as const)
      expect(clockSteps(clock({ state }))).toEqual([]);
  });

  it('a breached clock, even one stopped late, has every step reached', () => {
    const steps = clockSteps(clock({ state: 'breached', stoppedAt: 1500, breachedAt: 1000 }));
    expect(steps.map((s) => s.key)).toEqual(['warning-75', 'warning-90', 'breach']);
  });

  it('plans the due steps not yet recorded, earliest first, and the next instant', () => {
    const steps = clockSteps(clock({}));
    expect(planSteps(steps, false, new Set(['warning-75']), 950)).toEqual({
      due: [expect.objectContaining({ key: 'warning-90' })],
      nextAt: 1001,
      withdrawBreach: false,
    });
    expect(planSteps(steps, false, new Set(['warning-75', 'warning-90']), 950).due).toEqual([]);
  });

  it('several steps due at once come out together, the latest last (only it is sent: rule 26)', () => {
    const steps = clockSteps(clock({ state: 'breached', breachedAt: 1000 }));
    const plan = planSteps(steps, true, new Set(), 5000);
    expect(plan.due.map((s) => s.key)).toEqual(['warning-75', 'warning-90', 'breach']);
    expect(plan.nextAt).toBeNull();
  });

  it('withdraws a recorded breach the clock no longer has (rule 23), and re-plans it if it comes back', () => {
    const met = planSteps(
      clockSteps(clock({ state: 'met', stoppedAt: 900 })),
      false,
      new Set(['breach']),
      2000,
    );
    expect(met.withdrawBreach).toBe(true);
    const again = planSteps(
      clockSteps(clock({ state: 'breached', breachedAt: 1000 })),
      true,
      new Set(),
      2000,
    );
    expect(again.due.map((s) => s.key)).toContain('breach');
  });
});

describe('ladder steps', () => {
  const rung = (r: object) => ({ id: 'l', version: 1, steps: [{ notify: ['x'], ...r }] });

  it('finds a % of the target on the counted spans, so closed hours and pauses count as for the deadline', () => {
    // 1000 ms target: 400 counted, a pause of 500, then 600 counted; 50 % is 100 ms into the second span.
    const c = clock({
      deadline: 1500,
      warnings: [],
      explanation: [
        { from: 0, to: 400, kind: 'counted' },
        { from: 400, to: 900, kind: 'paused', detail: 'pending' },
        { from: 900, to: 1500, kind: 'counted' },
      ],
    });
    expect(clockSteps(c, rung({ percent: 50 }))).toEqual([
      expect.objectContaining({ key: 'warning-50', at: 1000, notify: ['x'] }),
      expect.objectContaining({ key: 'breach', at: 1501, notify: [] }),
    ]);
  });

  it('merges a rung at the breach into the breach step, with its recipients', () => {
    const steps = clockSteps(clock({}), rung({ breach: true }));
    expect(steps.filter((s) => s.key === 'breach')).toEqual([expect.objectContaining({ notify: ['x'] })]);
  });

  it("counts a time after the breach in the metric's calendar, or around the clock", () => {
    // Berlin office hours: a deadline at Friday 16:00 plus 2 business hours is Monday 10:00.
    const office = compileCalendar({
      id: 'office',
      timeZone: 'Europe/Berlin',
      weekly: ([1, 2, 3, 4, 5] as const).map((day) => ({ day, start: '09:00', end: '17:00' })),
      holidays: [],
    });
    const deadline = Date.parse('2026-11-20T15:00:00Z');
    const c = clock({ deadline, warnings: [] });
    const business = clockSteps(c, rung({ afterBreachMinutes: 120, basis: 'business' }), office);
    expect(business.at(-1)).toMatchObject({ key: 'breach+120m', kind: 'escalation' });
    expect(new Date(business.at(-1)!.at).toISOString()).toBe('2026-11-23T09:00:00.000Z');
    const calendar = clockSteps(c, rung({ afterBreachMinutes: 120, basis: 'calendar' }), office);
    expect(calendar.at(-1)!.at).toBe(deadline + 120 * 60_000);
  });

  it('a stop ends the ladder: steps after the stop are not reached (SEMANTICS 32)', () => {
    const c = clock({ state: 'breached', breachedAt: 1000, stoppedAt: 1000 + 30 * 60_000, warnings: [] });
    expect(clockSteps(c, rung({ afterBreachMinutes: 60, basis: 'calendar' })).map((s) => s.key)).toEqual([
      'breach',
    ]);
  });

  it('an acknowledged breach drops the steps after it from the plan', () => {
    const steps = clockSteps(clock({}), rung({ afterBreachMinutes: 1, basis: 'calendar' }));
    expect(planSteps(steps, false, new Set(), 0, true).nextAt).toBe(750);
    const plan = planSteps(steps, true, new Set(['warning-75', 'warning-90', 'breach']), 2000, true);
    expect(plan).toEqual({ due: [], nextAt: null, withdrawBreach: false });
  });
});
