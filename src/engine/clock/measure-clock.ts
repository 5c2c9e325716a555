import type { BusinessCalendar, Clock, TargetDefinition } from '../types.js';
import { WORKING_TIME_HORIZON_DAYS } from '../types.js';
import type { ClockRun } from './clock-runs.js';
import { CountingTimeline } from './counting-timeline.js';
import { explain } from './explanation.js';
import type { PauseInterval } from './pauses.js';

/** Where a run ends for good: its stop, else the ticket's removal, else nowhere yet. */
export interface RunEnd {
  stoppedAt: number | null;
  cancelledAt: number | null;
}

export interface MeasureInput {
  run: ClockRun;
  policyId: string;
  policyVersion: number;
  calendarId: string;
  end: RunEnd;
  pauses: PauseInterval[];
  target: TargetDefinition;
  calendar: BusinessCalendar;
  now: number;
  /** When a breach of `deadline` was (or could first be) known: the caller knows which events decided it. */
  detectedAt: (deadline: number) => number;
}

interface Target {
  targetMs: number | null;
  deadline: number | null;
}

/**
 * Minutes: the instant the target is used up on the unpaused timeline. Business days: the close of the n-th
 * working day after the start day; pauses shift it by the paused business time (it becomes a business-time
 * target of the business time between start and that close).
 */
function resolveTarget(input: MeasureInput, timeline: CountingTimeline): Target {
  const { target, calendar, run } = input;
  if (target.businessDays !== undefined) {
    const close = calendar.addBusinessDays(run.startedAt, target.businessDays);
    if (close === null) return { targetMs: null, deadline: null };
    const targetMs = calendar.businessTimeBetween(run.startedAt, close);
    const unpausedUntilClose = timeline.stretches[0] === run.startedAt && timeline.stretches[1] >= close;
    return { targetMs, deadline: unpausedUntilClose ? close : timeline.instantAfter(targetMs) };
  }
  const targetMs = Math.round((target.minutes ?? 0) * 60_000);
  return { targetMs, deadline: timeline.instantAfter(targetMs) };
}

const normalisedPercents = new WeakMap<readonly number[], readonly number[]>();

/** Thresholds sorted and de-duplicated, once per target definition. */
function thresholds(percents: readonly number[]): readonly number[] {
  let normalised = normalisedPercents.get(percents);
  if (normalised === undefined) {
    normalised = [...new Set(percents)].sort((a, b) => a - b);
    normalisedPercents.set(percents, normalised);
  }
  return normalised;
}

function warningsOf(
  input: MeasureInput,
  timeline: CountingTimeline,
  targetMs: number | null,
): Clock['warnings'] {
  const percents = input.target.warnAtPercent;
  if (targetMs === null || percents === undefined || percents.length === 0) return [];
  const warnings: Clock['warnings'] = [];
  for (const percent of thresholds(percents)) {
    const at = timeline.instantAfter(Math.round((targetMs * percent) / 100));
    if (at !== null) warnings.push({ percent, at });
  }
  return warnings;
}

/**
 * State: a stopped clock is met when it stopped at or before its deadline, else breached (and stays so, rule 15);
 * a removed ticket's unstopped clock is cancelled (rule 16); otherwise breached once `now` is past the deadline,
 * paused while a pause is open, running otherwise. Stopping exactly at the deadline is met.
 */
export function measureClock(input: MeasureInput): Clock {
  const { run, end, pauses, calendar, now } = input;
  const timeline = new CountingTimeline(calendar, run.startedAt, pauses, now);
  const { targetMs, deadline } = resolveTarget(input, timeline);

  const measuredUntil = end.stoppedAt ?? end.cancelledAt ?? now;
  const usedMs = measuredUntil > run.startedAt ? timeline.usedUntil(measuredUntil) : 0;
  const openPause =
    pauses.length > 0 && pauses[pauses.length - 1].to === null ? pauses[pauses.length - 1] : null;

  let state: Clock['state'];
  if (end.stoppedAt !== null) state = deadline !== null && end.stoppedAt > deadline ? 'breached' : 'met';
  else if (end.cancelledAt !== null) state = 'cancelled';
  else if (deadline !== null && now > deadline) state = 'breached';
  else state = openPause !== null && openPause.from <= now ? 'paused' : 'running';

  const breached = state === 'breached' && deadline !== null;
  const explanationEnd = Math.max(deadline ?? -Infinity, measuredUntil);
  return {
    metric: run.metric,
    cycle: run.cycle,
    state,
    policyId: input.policyId,
    policyVersion: input.policyVersion,
    calendarId: input.calendarId,
    startedAt: run.startedAt,
    targetMs,
    deadline,
    ...(deadline === null
      ? {
          noDeadlineReason: `no working time within ${WORKING_TIME_HORIZON_DAYS} days in calendar "${calendar.id}"`,
        }
      : {}),
    stoppedAt: end.stoppedAt ?? end.cancelledAt,
    usedMs,
    remainingMs: targetMs === null ? null : targetMs - usedMs,
    percentUsed: targetMs === null ? null : targetMs === 0 ? 100 : (usedMs / targetMs) * 100,
    pausedIntervals: pauses.map((p) => ({ from: p.from, to: p.to, status: p.status })),
    breachedAt: breached ? deadline : null,
    breachDetectedAt: breached ? input.detectedAt(deadline) : null,
    warnings: warningsOf(input, timeline, targetMs),
    explanation: explanationEnd > run.startedAt ? explain(calendar, timeline, explanationEnd) : [],
  };
}
