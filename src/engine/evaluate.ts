import { alwaysOpenCalendar } from './calendar/index.js';
import { breachDetectedAt, type Judgement } from './clock/breach-detection.js';
import { type ClockRun, clockRuns } from './clock/clock-runs.js';
import { measureClock, type RunEnd } from './clock/measure-clock.js';
import { defaultPauseOn, pauseIntervals } from './clock/pauses.js';
import { buildTicketHistory, type TicketHistory } from './clock/ticket-history.js';
import { carryForwardSnapshots, normalizeTimeline } from './clock/timeline.js';
import { PolicySelector } from './policy/policy-selector.js';
import { targetFor } from './policy/select-policy.js';
import type {
  BusinessCalendar,
  Clock,
  EvaluationContext,
  PolicyVersion,
  TicketEvaluation,
  TimelineEvent,
} from './types.js';
import { ALWAYS_OPEN_CALENDAR_ID } from './types.js';

/**
 * The clocks of one ticket: a pure function of its timeline, the policy versions, the calendars and `now`.
 * Shuffled, replayed or duplicated deliveries give deep-equal results.
 */
export function evaluate(timeline: readonly TimelineEvent[], ctx: EvaluationContext): TicketEvaluation {
  const events = carryForwardSnapshots(normalizeTimeline(timeline));
  if (events.length === 0) return { ticketId: '', tier: null, priority: null, status: null, clocks: [] };
  const history = buildTicketHistory(events);
  const selector = new PolicySelector(ctx.policies, ctx);
  const latest = events[events.length - 1].ticket;
  const facts = selector.factsOf(latest);
  return {
    ticketId: latest.id,
    tier: facts.tier,
    priority: facts.priority,
    status: latest.status ?? null,
    clocks: clockRuns(history).map((run) => evaluateRun(run, history, selector, ctx)),
  };
}

/**
 * The calendar a target counts in (the 24/7 calendar when it names none): for a clock judged at an earlier
 * instant (stopped), the calendar version in force then, when the context can tell.
 */
export function resolveCalendar(
  calendarId: string | undefined,
  ctx: EvaluationContext,
  judgedAt = ctx.now,
): BusinessCalendar | undefined {
  const id = calendarId ?? ALWAYS_OPEN_CALENDAR_ID;
  const calendars =
    judgedAt !== ctx.now && ctx.calendarsAt !== undefined ? ctx.calendarsAt(judgedAt) : ctx.calendars;
  return calendars.get(id) ?? (id === ALWAYS_OPEN_CALENDAR_ID ? alwaysOpenCalendar : undefined);
}

/**
 * Which policy versions, applied to which ticket state, judge a clock. A stopped (or cancelled) clock: the versions
 * in force when its stop was received, applied to the state the clock ran under until then — so later edits and
 * priority changes leave its outcome alone (rules 4, 9). A clock that still runs: the versions in force at `now`,
 * applied to the ticket's current state (rule 18).
 */
function judgementPoint(
  run: ClockRun,
  history: TicketHistory,
  now: number,
): { at: number; snapshotIndex: number } {
  const judgedBy =
    run.stopIndex ?? (run.cancelled && history.removal !== null ? history.removal.eventIndex : null);
  if (judgedBy === null) return { at: now, snapshotIndex: history.events.length - 1 };
  return { at: history.events[judgedBy].receivedAt, snapshotIndex: Math.max(0, judgedBy - 1) };
}

function runEnd(run: ClockRun, history: TicketHistory): RunEnd & { endIndex: number } {
  if (run.stopIndex !== null)
    return { stoppedAt: history.at[run.stopIndex], cancelledAt: null, endIndex: run.stopIndex };
  if (run.cancelled && history.removal !== null) {
    return {
      stoppedAt: null,
      cancelledAt: history.at[history.removal.eventIndex],
      endIndex: history.removal.eventIndex,
    };
  }
  return { stoppedAt: null, cancelledAt: null, endIndex: -1 };
}

function notApplicable(run: ClockRun, end: RunEnd, reason: string, policy: PolicyVersion | null): Clock {
  return {
    metric: run.metric,
    cycle: run.cycle,
    state: 'not_applicable',
    policyId: policy?.policyId ?? null,
    policyVersion: policy?.version ?? null,
    calendarId: null,
    startedAt: run.startedAt,
    targetMs: null,
    deadline: null,
    notApplicableReason: reason,
    stoppedAt: end.stoppedAt ?? end.cancelledAt,
    usedMs: 0,
    remainingMs: null,
    percentUsed: null,
    pausedIntervals: [],
    breachedAt: null,
    breachDetectedAt: null,
    warnings: [],
    explanation: [],
  };
}

function evaluateRun(
  run: ClockRun,
  history: TicketHistory,
  selector: PolicySelector,
  ctx: EvaluationContext,
): Clock {
  const end = runEnd(run, history);
  if (run.notApplicableReason !== undefined) return notApplicable(run, end, run.notApplicableReason, null);

  const { at, snapshotIndex } = judgementPoint(run, history, ctx.now);
  const snapshot = history.events[snapshotIndex].ticket;
  const policy = selector.select(snapshot, at);
  if (policy === null) return notApplicable(run, end, 'no active policy matches the ticket', null);
  const { priority } = selector.factsOf(snapshot);
  const target = targetFor(policy, priority, run.metric);
  if (target === undefined) {
    return notApplicable(
      run,
      end,
      `policy "${policy.name}" has no ${run.metric} target for priority ${priority}`,
      policy,
    );
  }
  const calendarId = target.calendarId ?? ALWAYS_OPEN_CALENDAR_ID;
  const calendar = resolveCalendar(calendarId, ctx, at);
  if (calendar === undefined) return notApplicable(run, end, `unknown calendar "${calendarId}"`, policy);

  const windowEnd = end.stoppedAt ?? end.cancelledAt ?? Infinity;
  const pauses = pauseIntervals(
    history,
    run,
    target.pauseOn ?? defaultPauseOn(run.metric),
    windowEnd,
    end.endIndex,
  );
  const judgement: Judgement = { snapshotIndex, at, policy, priority };
  return measureClock({
    run,
    policyId: policy.policyId,
    policyVersion: policy.version,
    calendarId,
    end,
    pauses,
    target,
    calendar,
    now: ctx.now,
    detectedAt: (deadline) => breachDetectedAt(deadline, run, pauses, history, selector, judgement),
  });
}
