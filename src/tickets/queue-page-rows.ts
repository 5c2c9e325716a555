import type { TicketClockEntity } from './entities/ticket-clock.entity.js';
import type { TicketEntity } from './entities/ticket.entity.js';

/**
 * The tickets of a queue page (ids picked by the keyset query, in its order) with their clocks, in one round trip:
 * only the columns the queue shows (not a clock's explanation), instants as epoch milliseconds. Read raw rather
 * than through the ORM: hydrating two entity sets cost more than the query on a 50-ticket page. The statement is
 * the same for every page (ids as one array), so it stays short to send and quick to plan.
 */
export const QUEUE_PAGE_SQL = `
  SELECT t.id, t.integration_id, t.external_id, t.status, t.priority, t.tier, t.removed, t.policy_id,
         t.policy_version, t.clock_version, ${ms('t.created_at')}, ${ms('t.last_event_at')},
         ${ms('t.next_deadline')}, ${ms('t.evaluated_at')},
         c.metric AS c_metric, c.cycle AS c_cycle, c.state AS c_state, c.policy_id AS c_policy_id,
         c.policy_version AS c_policy_version, c.calendar_id AS c_calendar_id, c.time_zone AS c_time_zone,
         c.target_ms::float8 AS c_target_ms, c.used_ms::float8 AS c_used_ms,
         c.remaining_ms::float8 AS c_remaining_ms, c.percent_used AS c_percent_used,
         c.no_deadline_reason AS c_no_deadline_reason, c.not_applicable_reason AS c_not_applicable_reason,
         c.paused_intervals AS c_paused_intervals, c.warnings AS c_warnings,
         ${ms('c.started_at', 'c_started_at')}, ${ms('c.deadline', 'c_deadline')},
         ${ms('c.stopped_at', 'c_stopped_at')}, ${ms('c.breached_at', 'c_breached_at')},
         ${ms('c.breach_detected_at', 'c_breach_detected_at')},
         ${ms('c.first_breach_detected_at', 'c_first_breach_detected_at')},
         ${ms('c.breach_withdrawn_at', 'c_breach_withdrawn_at')}
  FROM tickets t LEFT JOIN ticket_clocks c ON c.ticket_id = t.id
  WHERE t.id = ANY($1::uuid[])`;

function ms(column: string, alias = column.slice(2)): string {
  return `(EXTRACT(EPOCH FROM ${column}) * 1000)::float8 AS ${alias}`;
}

type Row = Record<string, unknown>;

/** The page's tickets in the order of `ids`, each with its clock rows (unsorted), from the joined rows. */
export function groupQueuePage(
  ids: string[],
  rows: Row[],
): Array<{ ticket: TicketEntity; clocks: TicketClockEntity[] }> {
  const byId = new Map<string, { ticket: TicketEntity; clocks: TicketClockEntity[] }>();
  for (const row of rows) {
    let entry = byId.get(row.id as string);
    if (!entry) byId.set(row.id as string, (entry = { ticket: ticketOf(row), clocks: [] }));
    if (row.c_metric !== null) entry.clocks.push(clockOf(row));
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

const date = (value: unknown): Date | null => (value === null ? null : new Date(value as number));
const bigint = (value: unknown): string | null => (value === null ? null : String(value));

/** The fields of a ticket that the queue reads; the rest stay unset. */
function ticketOf(r: Row): TicketEntity {
  return {
    id: r.id,
    integrationId: r.integration_id,
    externalId: r.external_id,
    status: r.status,
    priority: r.priority,
    tier: r.tier,
    removed: r.removed,
    policyId: r.policy_id,
    policyVersion: r.policy_version,
    clockVersion: r.clock_version,
    createdAt: date(r.created_at),
    lastEventAt: date(r.last_event_at),
    nextDeadline: date(r.next_deadline),
    evaluatedAt: date(r.evaluated_at),
  } as TicketEntity;
}

/** The fields of a clock that toClockView reads (not its explanation). */
function clockOf(r: Row): TicketClockEntity {
  return {
    ticketId: r.id,
    metric: r.c_metric,
    cycle: r.c_cycle,
    state: r.c_state,
    policyId: r.c_policy_id,
    policyVersion: r.c_policy_version,
    calendarId: r.c_calendar_id,
    timeZone: r.c_time_zone,
    startedAt: date(r.c_started_at),
    targetMs: bigint(r.c_target_ms),
    deadline: date(r.c_deadline),
    noDeadlineReason: r.c_no_deadline_reason,
    notApplicableReason: r.c_not_applicable_reason,
    stoppedAt: date(r.c_stopped_at),
    usedMs: bigint(r.c_used_ms),
    remainingMs: bigint(r.c_remaining_ms),
    percentUsed: r.c_percent_used,
    pausedIntervals: r.c_paused_intervals,
    breachedAt: date(r.c_breached_at),
    breachDetectedAt: date(r.c_breach_detected_at),
    firstBreachDetectedAt: date(r.c_first_breach_detected_at),
    breachWithdrawnAt: date(r.c_breach_withdrawn_at),
    warnings: r.c_warnings,
  } as TicketClockEntity;
}
