import type { ClockView } from './clock-view.js';

/** A warning or breach recorded for a clock cycle (a row of sla_steps), as the API shows it. */
export interface ClockStepView {
  id: string;
  step: string;
  kind: 'warning' | 'breach' | 'escalation';
  percent: number | null;
  status: 'recorded' | 'skipped' | 'withdrawn';
  dueAt: string;
  detectedAt: string;
  latenessMs: number;
  late: boolean;
  withdrawnAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export const CLOCK_LOG_EVENTS = [
  'started',
  'paused',
  'resumed',
  'warned',
  'breached',
  'escalated',
  'withdrawn',
  'acknowledged',
  'met',
  'stopped',
  'cancelled',
] as const;

export interface ClockLogEntry {
  at: string;
  event: (typeof CLOCK_LOG_EVENTS)[number];
  detail?: string;
}

/**
 * A clock's SLA event log in time order, derived from what is stored: its start, pauses and stop (the clock row)
 * and its recorded warnings, breaches, withdrawals and acknowledgements (its steps). Nothing extra is stored, so
 * the log cannot disagree with the clock.
 */
export function clockLog(clock: ClockView, steps: readonly ClockStepView[]): ClockLogEntry[] {
  const log: ClockLogEntry[] = [{ at: clock.startedAt, event: 'started' }];
  for (const pause of clock.pausedIntervals) {
    log.push({ at: pause.from, event: 'paused', detail: pause.status });
    if (pause.to !== null) log.push({ at: pause.to, event: 'resumed' });
  }
  for (const step of steps) {
    if (step.kind === 'warning') {
      const how = step.status === 'skipped' ? ', not sent: a later step was due at once' : '';
      log.push({ at: step.dueAt, event: 'warned', detail: `${step.percent} % of the target${how}` });
    } else if (step.kind === 'escalation') {
      log.push({ at: step.dueAt, event: 'escalated', detail: step.step });
    } else {
      const late = step.late ? `, recorded ${Math.round(step.latenessMs / 1000)} s late` : '';
      log.push({
        at: step.dueAt,
        event: 'breached',
        detail: `deadline ${clock.deadline ?? 'unknown'}${late}`,
      });
    }
    if (step.withdrawnAt)
      log.push({ at: step.withdrawnAt, event: 'withdrawn', detail: 'later history undid it' });
    if (step.acknowledgedAt)
      log.push({ at: step.acknowledgedAt, event: 'acknowledged', detail: step.acknowledgedBy ?? undefined });
  }
  if (clock.stoppedAt !== null) {
    const event = clock.state === 'met' ? 'met' : clock.state === 'cancelled' ? 'cancelled' : 'stopped';
    log.push({
      at: clock.stoppedAt,
      event,
      ...(event === 'stopped' ? { detail: 'after its deadline' } : {}),
    });
  }
  return log.sort((a, b) => a.at.localeCompare(b.at));
}
