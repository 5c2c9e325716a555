import type { Clock, Metric } from '../types.js';
import { breachVisibleAt } from './due.js';

/**
 * A step of a clock's SLA ladder: a warning threshold or the breach. `key` is stable per clock cycle
 * ("warning-75", "breach"), so that each step happens at most once per (ticket, metric, cycle, key).
 */
export interface ClockStep {
  metric: Metric;
  cycle: number;
  key: string;
  kind: 'warning' | 'breach';
  percent: number | null;
  /** The instant the step falls due (a breach: one millisecond past the deadline, when it becomes visible). */
  at: number;
  deadline: number | null;
}

/**
 * The steps a clock has reached or will reach, judged from its latest evaluation:
 * - a running clock: every warning and its breach, past or future;
 * - a breached clock (stopped late or still counting): its warnings and its breach, all reached;
 * - paused, met, cancelled and not-applicable clocks: none. A paused clock's instants are not due while it is
 *   paused (SEMANTICS 31); a clock that stopped in time never breaches (rule 4); a cancelled one is out (rule 16).
 */
export function clockSteps(clock: Clock): ClockStep[] {
  if (clock.state !== 'running' && clock.state !== 'breached') return [];
  const base = { metric: clock.metric, cycle: clock.cycle, deadline: clock.deadline };
  const steps: ClockStep[] = clock.warnings
    .filter((w) => clock.deadline === null || w.at <= clock.deadline)
    .map((w) => ({ ...base, key: `warning-${w.percent}`, kind: 'warning', percent: w.percent, at: w.at }));
  const breachAt = breachVisibleAt(clock);
  if (breachAt !== null) steps.push({ ...base, key: 'breach', kind: 'breach', percent: null, at: breachAt });
  return steps;
}

/** What to do with a clock's steps at `now`, given the keys already recorded for its cycle. */
export interface StepPlan {
  /** Due and not yet recorded, earliest first. Only the last of them is to be sent (rules 19 and 26). */
  due: ClockStep[];
  /** The earliest instant at which a further step falls due; null when none will. */
  nextAt: number | null;
  /** Whether a recorded breach is no longer a breach (a late event, a replay or a policy change: rule 23). */
  withdrawBreach: boolean;
}

/**
 * Plans one clock cycle: `steps` are its clockSteps(), `breached` whether it is breached now, `recorded` the keys
 * of its steps recorded so far (withdrawn ones excluded, so that a breach that comes back is recorded again).
 */
export function planSteps(
  steps: readonly ClockStep[],
  breached: boolean,
  recorded: ReadonlySet<string>,
  now: number,
): StepPlan {
  const due: ClockStep[] = [];
  let nextAt: number | null = null;
  for (const step of steps) {
    if (recorded.has(step.key)) continue;
    if (step.at <= now) due.push(step);
    else if (nextAt === null || step.at < nextAt) nextAt = step.at;
  }
  due.sort((a, b) => a.at - b.at);
  return { due, nextAt, withdrawBreach: recorded.has('breach') && !breached };
}
