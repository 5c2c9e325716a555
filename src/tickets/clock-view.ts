import { DateTime } from 'luxon';
import {
  ALWAYS_OPEN_CALENDAR_ID,
  type BusinessCalendar,
  type ClockState,
  type ExplanationSpan,
  type Metric,
  type TicketStatus,
} from '../engine/types.js';
import type { TicketClockEntity } from './entities/ticket-clock.entity.js';

/** A clock as the API returns it: instants as UTC ISO strings, live values as of the read. */
export interface ClockView {
  metric: Metric;
  cycle: number;
  state: ClockState;
  policyId: string | null;
  policyVersion: number | null;
  calendarId: string | null;
  timeZone: string;
  startedAt: string;
  deadline: string | null;
  /** The deadline in the calendar's zone, with its offset. */
  deadlineLocal: string | null;
  noDeadlineReason: string | null;
  notApplicableReason: string | null;
  stoppedAt: string | null;
  targetMs: number | null;
  usedMs: number;
  remainingMs: number | null;
  percentUsed: number | null;
  pausedIntervals: Array<{ from: string; to: string | null; status: TicketStatus }>;
  breachedAt: string | null;
  /** When the breach was first detected (kept as first recorded across re-evaluations). */
  breachDetectedAt: string | null;
  breachWithdrawnAt: string | null;
  warnings: Array<{ percent: number; at: string }>;
}

export interface ClockDetailView extends ClockView {
  explanation: Array<{ from: string; to: string; kind: ExplanationSpan['kind']; detail?: string }>;
}

/**
 * Computes a clock's live values at `now` from what the last evaluation stored. A counting clock
 * (running, or breached and not stopped) has `remaining = business time from now to the deadline`
 * in its calendar, negative once overdue; a running clock whose deadline has passed reads as
 * breached (breachedAt = deadline) even before a timer has recorded it. Paused and stopped clocks
 * do not move, so their stored values stand.
 */
export function toClockView(
  row: TicketClockEntity,
  now: number,
  calendarOf: (calendarId: string | null) => BusinessCalendar | undefined,
): ClockView {
  const targetMs = row.targetMs === null ? null : Number(row.targetMs);
  const deadline = row.deadline?.getTime() ?? null;
  let state = row.state;
  let usedMs = Number(row.usedMs);
  let remainingMs = row.remainingMs === null ? null : Number(row.remainingMs);
  let percentUsed = row.percentUsed;
  let breachedAt = row.breachedAt?.getTime() ?? null;
  const counting = row.stoppedAt === null && (state === 'running' || state === 'breached');
  if (counting && deadline !== null && targetMs !== null) {
    const live = liveRemaining(row, now, deadline, calendarOf);
    if (live !== null) {
      remainingMs = live;
      usedMs = targetMs - live;
      percentUsed = targetMs > 0 ? (usedMs / targetMs) * 100 : 100;
    }
    if (state === 'running' && now >= deadline) {
      state = 'breached';
      breachedAt = deadline;
    }
  }
  const zone = row.timeZone ?? 'UTC';
  return {
    metric: row.metric,
    cycle: row.cycle,
    state,
    policyId: row.policyId,
    policyVersion: row.policyVersion,
    calendarId: row.calendarId,
    timeZone: zone,
    startedAt: row.startedAt.toISOString(),
    deadline: iso(deadline),
    deadlineLocal: deadline === null ? null : localIso(deadline, zone),
    noDeadlineReason: row.noDeadlineReason,
    notApplicableReason: row.notApplicableReason,
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    targetMs,
    usedMs,
    remainingMs,
    percentUsed: percentUsed === null ? null : Math.round(percentUsed * 100) / 100,
    pausedIntervals: row.pausedIntervals.map((p) => ({
      from: isoMs(p.from),
      to: iso(p.to),
      status: p.status,
    })),
    breachedAt: iso(breachedAt),
    breachDetectedAt: (row.firstBreachDetectedAt ?? row.breachDetectedAt)?.toISOString() ?? null,
    breachWithdrawnAt: row.breachWithdrawnAt?.toISOString() ?? null,
    warnings: row.warnings.map((w) => ({ percent: w.percent, at: isoMs(w.at) })),
  };
}

export function toClockDetailView(
  row: TicketClockEntity,
  now: number,
  calendarOf: (calendarId: string | null) => BusinessCalendar | undefined,
): ClockDetailView {
  return {
    ...toClockView(row, now, calendarOf),
    explanation: row.explanation.map((s) => ({
      from: isoMs(s.from),
      to: isoMs(s.to),
      kind: s.kind,
      ...(s.detail !== undefined ? { detail: s.detail } : {}),
    })),
  };
}

/**
 * Business time from now to the deadline in the clock's calendar (24/7: elapsed time); null when
 * the calendar is no longer configured, in which case the stored values stand until re-evaluation.
 */
function liveRemaining(
  row: TicketClockEntity,
  now: number,
  deadline: number,
  calendarOf: (calendarId: string | null) => BusinessCalendar | undefined,
): number | null {
  if (row.calendarId === null || row.calendarId === ALWAYS_OPEN_CALENDAR_ID) return deadline - now;
  const calendar = calendarOf(row.calendarId);
  return calendar ? calendar.businessTimeBetween(now, deadline) : null;
}

/** The instant in the zone, with its offset; UTC (the common case, and 24/7) without the time-zone library. */
function localIso(ms: number, zone: string): string | null {
  return zone === 'UTC' ? isoMs(ms) : DateTime.fromMillis(ms, { zone }).toISO();
}

function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}
function iso(ms: number | null): string | null {
  return ms === null ? null : isoMs(ms);
}
