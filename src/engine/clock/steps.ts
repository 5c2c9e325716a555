import type { BusinessCalendar, Clock, LadderDefinition, Metric } from '../types.js';
import { breachVisibleAt } from './due.js';

/**
 * A step of a clock's SLA ladder: a warning threshold or the breach. `key` is stable per clock cycle
 * ("warning-75", "breach"), so that each step happens at most once per (ticket, metric, cycle, key).
 */
export interface ClockStep {
  metric: Metric;
  cycle: number;
  key: string;
  kind: 'warning' | 'breach' | 'escalation';
  percent: number | null;
  /** The instant the step falls due (a breach: one millisecond past the deadline, when it becomes visible). */
  at: number;
  deadline: number | null;
  /** Who the ladder says the step is for (opaque here); empty for a policy's plain warning threshold. */
  notify: unknown[];
}

/**
 * The steps a clock has reached or will reach, judged from its latest evaluation:
 * - a running clock: every warning and its breach, past or future;
 * - a breached clock (stopped late or still counting): its warnings and its breach, all reached;
 * - paused, met, cancelled and not-applicable clocks: none. A paused clock's instants are not due while it is
 *   paused (SEMANTICS 31); a clock that stopped in time never breaches (rule 4); a cancelled one is out (rule 16).
 */
export function clockSteps(
  clock: Clock,
  ladder?: LadderDefinition,
  calendar?: BusinessCalendar,
): ClockStep[] {
  if (clock.state !== 'running' && clock.state !== 'breached') return [];
  const base = {
    metric: clock.metric,
    cycle: clock.cycle,
    deadline: clock.deadline,
    notify: [] as unknown[],
  };
  const steps = new Map<string, ClockStep>();
  for (const w of clock.warnings) {
    if (clock.deadline !== null && w.at > clock.deadline) continue;
    steps.set(`warning-${w.percent}`, {
      ...base,
      key: `warning-${w.percent}`,
      kind: 'warning',
      percent: w.percent,
      at: w.at,
    });
  }
  const breachAt = breachVisibleAt(clock);
  if (breachAt !== null)
    steps.set('breach', { ...base, key: 'breach', kind: 'breach', percent: null, at: breachAt });
  for (const rung of ladder?.steps ?? []) {
    const step = ladderStep(clock, rung, calendar);
    if (step === null) continue;
    // A rung at the same point as a policy threshold (or the breach) is that step, with the rung's recipients.
    const existing = steps.get(step.key);
    steps.set(step.key, existing ? { ...existing, notify: [...existing.notify, ...step.notify] } : step);
  }
  return [...steps.values()].sort((a, b) => a.at - b.at);
}

/**
 * A ladder rung as a step of this clock: a % of the target is found on the clock's own counted spans (so pauses
 * and closed hours count as they do for the deadline); a time after the breach is counted from the deadline in the
 * metric's calendar ("business") or around the clock ("calendar"), and only while the clock still counts (a stop
 * ends the ladder, SEMANTICS 32). null when the rung does not apply.
 */
function ladderStep(
  clock: Clock,
  rung: LadderDefinition['steps'][number],
  calendar: BusinessCalendar | undefined,
): ClockStep | null {
  const base = { metric: clock.metric, cycle: clock.cycle, deadline: clock.deadline, notify: rung.notify };
  if (rung.percent !== undefined) {
    if (clock.targetMs === null) return null;
    const at = instantOfUsed(clock, (clock.targetMs * rung.percent) / 100);
    if (at === null) return null;
    return { ...base, key: `warning-${rung.percent}`, kind: 'warning', percent: rung.percent, at };
  }
  const breachAt = breachVisibleAt(clock);
  if (breachAt === null) return null;
  if (rung.breach) return { ...base, key: 'breach', kind: 'breach', percent: null, at: breachAt };
  if (rung.afterBreachMinutes === undefined || clock.deadline === null) return null;
  const offset = rung.afterBreachMinutes * 60_000;
  const at =
    rung.basis === 'calendar' || calendar === undefined
      ? clock.deadline + offset
      : calendar.addBusinessTime(clock.deadline, offset);
  if (at === null || (clock.stoppedAt !== null && at > clock.stoppedAt)) return null;
  return {
    ...base,
    key: `breach+${rung.afterBreachMinutes}m`,
    kind: 'escalation',
    percent: null,
    at: Math.max(at, breachAt),
  };
}

/** The instant at which the clock had used `ms` of business time, from its explanation's counted spans. */
function instantOfUsed(clock: Clock, ms: number): number | null {
  let left = Math.round(ms);
  for (const span of clock.explanation) {
    if (span.kind !== 'counted') continue;
    const length = span.to - span.from;
    if (left <= length) return span.from + left;
    left -= length;
  }
  return null;
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
 * of its steps recorded so far (withdrawn ones excluded, so that a breach that comes back is recorded again),
 * `acknowledged` whether its breach was acknowledged.
 */
export function planSteps(
  steps: readonly ClockStep[],
  breached: boolean,
  recorded: ReadonlySet<string>,
  now: number,
  acknowledged = false,
): StepPlan {
  const due: ClockStep[] = [];
  let nextAt: number | null = null;
  for (const step of steps) {
    if (recorded.has(step.key)) continue;
    // An acknowledged breach stops the rest of its ladder (the steps after the breach).
    if (acknowledged && step.key.startsWith('breach+')) continue;
    if (step.at <= now) due.push(step);
    else if (nextAt === null || step.at < nextAt) nextAt = step.at;
  }
  due.sort((a, b) => a.at - b.at);
  return { due, nextAt, withdrawBreach: recorded.has('breach') && !breached };
}
