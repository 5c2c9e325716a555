import { describe, expect, it } from 'vitest';
import { clockSteps, planSteps } from '../../src/engine/index.js';
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
