import type { Clock, Metric, TicketEvaluation, TimelineEvent } from '../engine/types.js';
import { METRICS } from '../engine/types.js';
import type { NormalisedEvent } from '../webhooks/providers/provider-adapter.js';

/** Rule 25: a timestamp further than this in the future of the receipt is not believed. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** One event as the insert statement takes it (a row set): instants as ISO strings. */
export interface EventInsertRow {
  event_id: string;
  type: string;
  occurred_at: string;
  reported_occurred_at: string | null;
  sequence: number | null;
  received_at: string;
  snapshot: unknown;
  comment: unknown;
  actor: unknown;
  clock_skew: boolean;
  inbox_id: string | null;
}

/** A stored ticket_events row as pg returns it. */
export interface StoredEventRow {
  id: string;
  event_id: string;
  type: TimelineEvent['type'];
  occurred_at: Date;
  sequence: string | null;
  received_at: Date;
  snapshot: TimelineEvent['ticket'];
  comment: TimelineEvent['comment'] | null;
  actor: TimelineEvent['actor'] | null;
}

export function toEventInsertRow(
  event: NormalisedEvent,
  receivedAt: number,
  inboxId?: string,
): EventInsertRow {
  const skewed = event.occurredAt > receivedAt + MAX_CLOCK_SKEW_MS;
  return {
    event_id: event.id,
    type: event.type,
    occurred_at: iso(skewed ? receivedAt : event.occurredAt),
    reported_occurred_at: skewed ? iso(event.occurredAt) : null,
    sequence: event.sequence ?? null,
    received_at: iso(receivedAt),
    snapshot: event.ticket,
    comment: event.comment ?? null,
    actor: event.actor ?? null,
    clock_skew: skewed,
    inbox_id: inboxId ?? null,
  };
}

/** Timeline order (rule 22): when it happened, then the provider's sequence, then arrival. */
export function compareStoredEvents(a: StoredEventRow, b: StoredEventRow): number {
  return (
    a.occurred_at.getTime() - b.occurred_at.getTime() ||
    compareNullableBigint(a.sequence, b.sequence) ||
    compareNullableBigint(a.id, b.id)
  );
}

function compareNullableBigint(a: string | null, b: string | null): number {
  // NULLS LAST, as Postgres orders ascending.
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const d = BigInt(a) - BigInt(b);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/**
 * A stored row as the engine takes it. A snapshot without a priority stays without one: the engine carries the
 * last priority forward (a partial payload) and applies the integration's default only to a ticket that never had
 * one (rule 21, `EvaluationContext.defaultPriority`).
 */
export function toTimelineEvent(row: StoredEventRow): TimelineEvent {
  const ticket = row.snapshot;
  const event: TimelineEvent = {
    id: row.event_id,
    type: row.type,
    occurredAt: row.occurred_at.getTime(),
    arrival: Number(row.id),
    receivedAt: row.received_at.getTime(),
    ticket,
  };
  if (row.sequence !== null) event.sequence = Number(row.sequence);
  if (row.comment) event.comment = row.comment;
  if (row.actor) event.actor = row.actor;
  return event;
}

/** One clock as the upsert statement takes it (a row set). */
export interface ClockWriteRow {
  metric: Metric;
  cycle: number;
  state: Clock['state'];
  policy_id: string | null;
  policy_version: number | null;
  calendar_id: string | null;
  time_zone: string | null;
  started_at: string;
  target_ms: number | null;
  deadline: string | null;
  no_deadline_reason: string | null;
  not_applicable_reason: string | null;
  stopped_at: string | null;
  used_ms: number;
  remaining_ms: number | null;
  percent_used: number | null;
  paused_intervals: Clock['pausedIntervals'];
  breached_at: string | null;
  breach_detected_at: string | null;
  warnings: Clock['warnings'];
  explanation: Clock['explanation'];
}

export function toClockWriteRow(
  clock: Clock,
  zoneOf: (calendarId: string | null) => string | null,
): ClockWriteRow {
  return {
    metric: clock.metric,
    cycle: clock.cycle,
    state: clock.state,
    policy_id: clock.policyId,
    policy_version: clock.policyVersion,
    calendar_id: clock.calendarId,
    time_zone: zoneOf(clock.calendarId),
    started_at: iso(clock.startedAt),
    target_ms: roundOrNull(clock.targetMs),
    deadline: isoOrNull(clock.deadline),
    no_deadline_reason: clock.noDeadlineReason ?? null,
    not_applicable_reason: clock.notApplicableReason ?? null,
    stopped_at: isoOrNull(clock.stoppedAt),
    used_ms: Math.round(clock.usedMs),
    remaining_ms: roundOrNull(clock.remainingMs),
    percent_used: clock.percentUsed,
    paused_intervals: clock.pausedIntervals,
    breached_at: isoOrNull(clock.breachedAt),
    breach_detected_at: isoOrNull(clock.breachDetectedAt),
    warnings: clock.warnings,
    explanation: clock.explanation,
  };
}

/** What the ticket row keeps from an evaluation. */
export interface TicketSummary {
  status: string | null;
  priority: string | null;
  tier: string | null;
  policyId: string | null;
  policyVersion: number | null;
  removed: string | null;
  createdAt: string | null;
  lastEventAt: string | null;
  nextDeadline: string | null;
  assigneeId: string | null;
  groupId: string | null;
}

export function summarise(evaluation: TicketEvaluation, timeline: TimelineEvent[]): TicketSummary {
  const last = timeline.at(-1);
  // The ticket's policy is the one its clocks run under now: clocks still open are judged under the
  // current selection, stopped ones under the versions in force when they stopped (so prefer open).
  const withPolicy = evaluation.clocks
    .filter((c) => c.policyId !== null && c.state !== 'not_applicable')
    .sort(
      (a, b) =>
        Number(a.stoppedAt !== null) - Number(b.stoppedAt !== null) ||
        METRICS.indexOf(a.metric) - METRICS.indexOf(b.metric) ||
        b.cycle - a.cycle,
    )[0];
  return {
    status: evaluation.status,
    priority: evaluation.priority,
    tier: evaluation.tier,
    policyId: withPolicy?.policyId ?? null,
    policyVersion: withPolicy?.policyVersion ?? null,
    removed: last?.ticket.removed ?? null,
    // The earliest creation any event reports, as the clocks use it: an ids-only deletion (Intercom) can only
    // date the ticket at the notification.
    createdAt: last ? iso(timeline.reduce((min, e) => Math.min(min, e.ticket.createdAt), Infinity)) : null,
    lastEventAt: last ? iso(last.occurredAt) : null,
    nextDeadline: isoOrNull(nextDeadline(evaluation.clocks)),
    assigneeId: last?.ticket.assigneeId ?? null,
    groupId: last?.ticket.groupId ?? null,
  };
}

/**
 * The queue's sort key: the earliest deadline among clocks still counting. A clock that is still
 * counting past its deadline (breached, not stopped) keeps its deadline, so overdue tickets sort
 * first. Paused clocks have no meaningful deadline while paused.
 */
export function nextDeadline(clocks: Clock[]): number | null {
  let earliest: number | null = null;
  for (const c of clocks) {
    const counting = c.stoppedAt === null && (c.state === 'running' || c.state === 'breached');
    if (counting && c.deadline !== null && (earliest === null || c.deadline < earliest))
      earliest = c.deadline;
  }
  return earliest;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : iso(ms);
}
function roundOrNull(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms);
}
