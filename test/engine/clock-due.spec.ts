import { describe, expect, it } from 'vitest';
import { dueSteps, evaluate, nextDueInstant } from '../../src/engine/index.js';
import { HOUR, MIN, TicketScript, at, context, everyPriority, policy } from './evaluate-fixtures.js';

const T0 = at('2026-03-02T08:00:00Z');
const warned = policy({
  targets: everyPriority({
    first_response: { minutes: 60, warnAtPercent: [90, 50] },
    resolution: { minutes: 480, warnAtPercent: [75] },
  }),
});

describe('due instants for timers', () => {
  it('lists the future warnings and breaches of running clocks, earliest first (breach visible 1 ms after the deadline)', () => {
    const t = new TicketScript(T0).created();
    const evaluation = evaluate(t.events, context([warned], T0 + 40 * MIN));
    expect(dueSteps(evaluation, T0 + 40 * MIN)).toEqual([
      { metric: 'first_response', cycle: 0, kind: 'warning', percent: 90, at: T0 + 54 * MIN },
      { metric: 'first_response', cycle: 0, kind: 'breach', at: T0 + HOUR + 1 },
      { metric: 'resolution', cycle: 0, kind: 'warning', percent: 75, at: T0 + 6 * HOUR },
      { metric: 'resolution', cycle: 0, kind: 'breach', at: T0 + 8 * HOUR + 1 },
    ]);
    expect(nextDueInstant(evaluation, T0 + 40 * MIN)).toBe(T0 + 54 * MIN);
  });

  it('warnings are given for every threshold, sorted, including those already past', () => {
    const t = new TicketScript(T0).created();
    const evaluation = evaluate(t.events, context([warned], T0 + 40 * MIN));
    expect(evaluation.clocks.find((c) => c.metric === 'first_response')!.warnings).toEqual([
      { percent: 50, at: T0 + 30 * MIN },
      { percent: 90, at: T0 + 54 * MIN },
    ]);
  });

  it('paused, stopped and not_applicable clocks have nothing due', () => {
    const t = new TicketScript(T0).created().after(MIN).reply().after(MIN).status('pending');
    const evaluation = evaluate(t.events, context([warned], T0 + 10 * MIN));
    expect(evaluation.clocks.map((c) => c.state)).toEqual(['not_applicable', 'met', 'paused']); // no reaction target
    expect(nextDueInstant(evaluation, T0 + 10 * MIN)).toBeNull();
  });
});
