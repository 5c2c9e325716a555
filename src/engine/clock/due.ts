import type { Clock, Metric, TicketEvaluation } from '../types.js';

/** Something a timer should look at: a warning threshold reached, or the breach of a deadline. */
export interface DueStep {
  metric: Metric;
  cycle: number;
  kind: 'warning' | 'breach' | 'escalation';
  /** For warnings: the threshold in percent. */
  percent?: number;
  /** The first instant at which re-evaluating shows the step as reached. */
  at: number;
}

/**
 * A clock is breached once `now` is *past* its deadline (a stop exactly at the deadline is met), so its breach
 * becomes visible one millisecond after the deadline; a warning is reached at its instant.
 */
export function breachVisibleAt(clock: Clock): number | null {
  return clock.deadline === null ? null : clock.deadline + 1;
}

/** The steps of running clocks that lie after `now`, earliest first (paused clocks have no fixed due instants). */
export function dueSteps(evaluation: TicketEvaluation, now: number): DueStep[] {
  const steps: DueStep[] = [];
  for (const clock of evaluation.clocks) {
    if (clock.state !== 'running') continue;
    for (const warning of clock.warnings) {
      if (warning.at > now)
        steps.push({
          metric: clock.metric,
          cycle: clock.cycle,
          kind: 'warning',
          percent: warning.percent,
          at: warning.at,
        });
    }
    const breachAt = breachVisibleAt(clock);
    if (breachAt !== null && breachAt > now)
      steps.push({ metric: clock.metric, cycle: clock.cycle, kind: 'breach', at: breachAt });
  }
  return steps.sort((a, b) => a.at - b.at);
}

/** The earliest future warning or breach instant across running clocks; null when nothing is due. */
export function nextDueInstant(evaluation: TicketEvaluation, now: number): number | null {
  let next: number | null = null;
  for (const step of dueSteps(evaluation, now)) if (next === null || step.at < next) next = step.at;
  return next;
}
