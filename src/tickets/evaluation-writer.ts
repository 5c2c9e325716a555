import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from './ticket-store.js';
import type { ClockWriteRow, TicketSummary } from './timeline-mapping.js';

/** One ticket's evaluation, ready to store. */
export interface TicketEvaluationWrite {
  ticketId: string;
  evaluatedAt: number;
  configRevision: number;
  clocks: ClockWriteRow[];
  summary: TicketSummary;
}

/**
 * Writes the evaluations of many tickets in one statement: upserts every clock that changed, marks clocks an
 * evaluation no longer produces as not_applicable, and updates the ticket rows (bumping clock_version).
 * first_breach_detected_at keeps the first value ever recorded; a breached clock that is no longer
 * breached gets breach_withdrawn_at (rule 23), cleared again if it breaches anew. The caller holds
 * the tickets' row locks. The ticket ids also travel as an array ($3): the planner cannot estimate a
 * jsonb recordset, and `= ANY(array)` keeps it on the indexes instead of scanning the tables.
 */
@Injectable()
export class EvaluationWriter {
  /** Returns each ticket's new clock_version. */
  async write(em: EntityManager, evaluations: TicketEvaluationWrite[]): Promise<Map<string, number>> {
    if (evaluations.length === 0) return new Map();
    const sorted = [...evaluations].sort((a, b) =>
      a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0,
    );
    const clocks = sorted.flatMap((e) =>
      e.clocks.map((c) => ({
        ...c,
        ticket_id: e.ticketId,
        evaluated_at: new Date(e.evaluatedAt).toISOString(),
      })),
    );
    const tickets = sorted.map((e) => ({
      ticket_id: e.ticketId,
      evaluated_at: new Date(e.evaluatedAt).toISOString(),
      config_revision: e.configRevision,
      status: e.summary.status,
      priority: e.summary.priority,
      tier: e.summary.tier,
      policy_id: e.summary.policyId,
      policy_version: e.summary.policyVersion,
      removed: e.summary.removed,
      created_at: e.summary.createdAt,
      last_event_at: e.summary.lastEventAt,
      next_deadline: e.summary.nextDeadline,
    }));
    const rows = returnedRows<{ id: string; clock_version: number }>(
      await em.query(WRITE_SQL, [
        JSON.stringify(clocks),
        JSON.stringify(tickets),
        sorted.map((e) => e.ticketId),
      ]),
    );
    return new Map(rows.map((r) => [r.id, r.clock_version]));
  }
}

const WRITE_SQL = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
      ticket_id uuid, metric text, cycle int, state text, policy_id text, policy_version int, calendar_id text,
      time_zone text, started_at timestamptz, target_ms bigint, deadline timestamptz, no_deadline_reason text,
      not_applicable_reason text, stopped_at timestamptz, used_ms bigint, remaining_ms bigint, percent_used float8,
      paused_intervals jsonb, breached_at timestamptz, breach_detected_at timestamptz, warnings jsonb,
      explanation jsonb, evaluated_at timestamptz)
  ), summary AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS s(
      ticket_id uuid, evaluated_at timestamptz, config_revision int, status text, priority text, tier text,
      policy_id text, policy_version int, removed text, created_at timestamptz, last_event_at timestamptz,
      next_deadline timestamptz)
  ), upserted AS (
    INSERT INTO ticket_clocks AS c (
      ticket_id, metric, cycle, state, policy_id, policy_version, calendar_id, time_zone, started_at, target_ms,
      deadline, no_deadline_reason, not_applicable_reason, stopped_at, used_ms, remaining_ms, percent_used,
      paused_intervals, breached_at, breach_detected_at, first_breach_detected_at, warnings, explanation,
      evaluated_at)
    SELECT ticket_id, metric, cycle, state, policy_id, policy_version, calendar_id, time_zone, started_at, target_ms,
           deadline, no_deadline_reason, not_applicable_reason, stopped_at, used_ms, remaining_ms, percent_used,
           paused_intervals, breached_at, breach_detected_at, CASE WHEN state = 'breached' THEN breach_detected_at END,
           warnings, explanation, evaluated_at
    FROM input
    ON CONFLICT (ticket_id, metric, cycle) DO UPDATE SET
      state = EXCLUDED.state, policy_id = EXCLUDED.policy_id, policy_version = EXCLUDED.policy_version,
      calendar_id = EXCLUDED.calendar_id, time_zone = EXCLUDED.time_zone, started_at = EXCLUDED.started_at,
      target_ms = EXCLUDED.target_ms, deadline = EXCLUDED.deadline,
      no_deadline_reason = EXCLUDED.no_deadline_reason, not_applicable_reason = EXCLUDED.not_applicable_reason,
      stopped_at = EXCLUDED.stopped_at,
      used_ms = EXCLUDED.used_ms, remaining_ms = EXCLUDED.remaining_ms, percent_used = EXCLUDED.percent_used,
      paused_intervals = EXCLUDED.paused_intervals, breached_at = EXCLUDED.breached_at,
      breach_detected_at = EXCLUDED.breach_detected_at,
      first_breach_detected_at = COALESCE(c.first_breach_detected_at, EXCLUDED.first_breach_detected_at),
      breach_withdrawn_at = CASE
        WHEN EXCLUDED.state = 'breached' THEN NULL
        WHEN c.state = 'breached' AND EXCLUDED.state IN ('met', 'running', 'paused', 'not_applicable') THEN EXCLUDED.evaluated_at
        ELSE c.breach_withdrawn_at END,
      warnings = EXCLUDED.warnings, explanation = EXCLUDED.explanation, evaluated_at = EXCLUDED.evaluated_at
    -- A clock the evaluation left as it was (stopped ones, mostly) is not rewritten: no new row version,
    -- no WAL. Its evaluated_at stays at the last change, which is when its values were computed. The live
    -- values (used, remaining, % used) of a counting clock with a deadline and a target move with the
    -- evaluation time alone and are recomputed at read time (clock-view.ts), so they do not count as a
    -- change: a running clock an event did not affect keeps its row, whose values hold as of its
    -- evaluated_at.
    WHERE (c.state, c.policy_id, c.policy_version, c.calendar_id, c.time_zone, c.started_at, c.target_ms, c.deadline,
           c.no_deadline_reason, c.not_applicable_reason, c.stopped_at, c.paused_intervals, c.breached_at,
           c.breach_detected_at, c.warnings, c.explanation)
      IS DISTINCT FROM
          (EXCLUDED.state, EXCLUDED.policy_id, EXCLUDED.policy_version, EXCLUDED.calendar_id, EXCLUDED.time_zone,
           EXCLUDED.started_at, EXCLUDED.target_ms, EXCLUDED.deadline, EXCLUDED.no_deadline_reason,
           EXCLUDED.not_applicable_reason, EXCLUDED.stopped_at, EXCLUDED.paused_intervals, EXCLUDED.breached_at,
           EXCLUDED.breach_detected_at, EXCLUDED.warnings, EXCLUDED.explanation)
      OR (NOT (EXCLUDED.stopped_at IS NULL AND EXCLUDED.state IN ('running', 'breached')
               AND EXCLUDED.deadline IS NOT NULL AND EXCLUDED.target_ms IS NOT NULL)
          AND (c.used_ms, c.remaining_ms, c.percent_used)
              IS DISTINCT FROM (EXCLUDED.used_ms, EXCLUDED.remaining_ms, EXCLUDED.percent_used))
    RETURNING 1
  ), vanished AS (
    UPDATE ticket_clocks c SET
      state = 'not_applicable', not_applicable_reason = 'no longer produced by the timeline',
      deadline = NULL, remaining_ms = NULL, percent_used = NULL,
      warnings = '[]', evaluated_at = s.evaluated_at,
      breach_withdrawn_at = CASE WHEN c.state = 'breached' THEN s.evaluated_at ELSE c.breach_withdrawn_at END
    FROM summary s
    WHERE c.ticket_id = ANY($3::uuid[]) AND c.ticket_id = s.ticket_id AND c.state <> 'not_applicable'
      AND NOT EXISTS (SELECT 1 FROM input i WHERE i.ticket_id = c.ticket_id AND i.metric = c.metric AND i.cycle = c.cycle)
    RETURNING 1
  )
  UPDATE tickets t SET
    status = s.status, priority = s.priority, tier = s.tier, policy_id = s.policy_id,
    policy_version = s.policy_version, removed = s.removed, created_at = s.created_at,
    last_event_at = s.last_event_at, next_deadline = s.next_deadline, config_revision = s.config_revision,
    evaluated_at = s.evaluated_at, updated_at = now(), clock_version = t.clock_version + 1
  FROM summary s
  WHERE t.id = ANY($3::uuid[]) AND t.id = s.ticket_id
  RETURNING t.id, t.clock_version`;
