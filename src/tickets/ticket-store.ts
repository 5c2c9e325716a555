import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Priority } from '../engine/types.js';
import type { ClockWriteRow, EventInsertRow, StoredEventRow, TicketSummary } from './timeline-mapping.js';

/**
 * The SQL of the write path. Each method is one round trip; callers run them inside one
 * transaction per ticket. Rows travel as one jsonb parameter (jsonb_to_recordset), so a batch
 * costs the same number of round trips as a single row.
 */
@Injectable()
export class TicketStore {
  /**
   * Creates the ticket if needed and takes its row lock (ON CONFLICT DO UPDATE locks the row like
   * SELECT … FOR UPDATE), so concurrent deliveries for one ticket run one after the other.
   */
  async upsertAndLock(
    em: EntityManager,
    integrationId: string,
    externalId: string,
    defaultPriority: Priority,
  ): Promise<string> {
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO tickets (integration_id, external_id, default_priority)
       VALUES ($1, $2, $3)
       ON CONFLICT (integration_id, external_id) DO UPDATE SET default_priority = EXCLUDED.default_priority
       RETURNING id`,
      [integrationId, externalId, defaultPriority],
    );
    return rows[0].id;
  }

  /** Locks an existing ticket; null when it does not exist. */
  async lock(
    em: EntityManager,
    ticketId: string,
  ): Promise<{ integrationId: string; defaultPriority: Priority } | null> {
    const rows: Array<{ integration_id: string; default_priority: Priority }> = await em.query(
      `SELECT integration_id, default_priority FROM tickets WHERE id = $1 FOR UPDATE`,
      [ticketId],
    );
    return rows[0]
      ? { integrationId: rows[0].integration_id, defaultPriority: rows[0].default_priority }
      : null;
  }

  /**
   * Appends the events (duplicates skipped) and returns the ticket's whole timeline in the same
   * statement: the rows stored before (visible in the statement's snapshot) plus the rows just
   * inserted (from RETURNING). The caller sorts.
   */
  async appendAndLoad(
    em: EntityManager,
    ticketId: string,
    integrationId: string,
    events: EventInsertRow[],
  ): Promise<{ timeline: StoredEventRow[]; inserted: number }> {
    const rows: Array<StoredEventRow & { is_new: boolean }> = await em.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(
           event_id text, type text, occurred_at timestamptz, reported_occurred_at timestamptz, sequence bigint,
           received_at timestamptz, snapshot jsonb, comment jsonb, actor jsonb, clock_skew boolean, inbox_id text)
       ), inserted AS (
         INSERT INTO ticket_events (ticket_id, integration_id, event_id, type, occurred_at, reported_occurred_at,
                                    sequence, received_at, snapshot, comment, actor, clock_skew, inbox_id)
         SELECT $1::uuid, $2::varchar, event_id, type, occurred_at, reported_occurred_at,
                sequence, received_at, snapshot, comment, actor, clock_skew, inbox_id
         FROM input ORDER BY occurred_at, sequence NULLS LAST
         ON CONFLICT (integration_id, event_id) DO NOTHING
         RETURNING id, event_id, type, occurred_at, sequence, received_at, snapshot, comment, actor
       )
       SELECT true AS is_new, * FROM inserted
       UNION ALL
       SELECT false, id, event_id, type, occurred_at, sequence, received_at, snapshot, comment, actor
       FROM ticket_events WHERE ticket_id = $1`,
      [ticketId, integrationId, JSON.stringify(events)],
    );
    return { timeline: rows, inserted: rows.filter((r) => r.is_new).length };
  }

  async loadTimeline(em: EntityManager, ticketId: string): Promise<StoredEventRow[]> {
    return em.query(
      `SELECT id, event_id, type, occurred_at, sequence, received_at, snapshot, comment, actor
       FROM ticket_events WHERE ticket_id = $1
       ORDER BY occurred_at, sequence NULLS LAST, id`,
      [ticketId],
    );
  }

  /**
   * Writes one evaluation in one statement: upserts every clock, marks clocks the evaluation no
   * longer produces as not_applicable, and updates the ticket row (bumping clock_version).
   * first_breach_detected_at keeps the first value ever recorded; a breached clock that is no
   * longer breached gets breach_withdrawn_at (rule 23), cleared again if it breaches anew.
   */
  async writeEvaluation(
    em: EntityManager,
    ticketId: string,
    evaluatedAt: number,
    configRevision: number,
    clocks: ClockWriteRow[],
    summary: TicketSummary,
  ): Promise<number> {
    const rows: Array<{ clock_version: number }> = await em.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(
           metric text, cycle int, state text, policy_id text, policy_version int, calendar_id text, time_zone text,
           started_at timestamptz, target_ms bigint, deadline timestamptz, no_deadline_reason text, not_applicable_reason text,
           stopped_at timestamptz, used_ms bigint, remaining_ms bigint, percent_used float8, paused_intervals jsonb,
           breached_at timestamptz, breach_detected_at timestamptz, warnings jsonb, explanation jsonb)
       ), upserted AS (
         INSERT INTO ticket_clocks AS c (
           ticket_id, metric, cycle, state, policy_id, policy_version, calendar_id, time_zone, started_at, target_ms,
           deadline, no_deadline_reason, not_applicable_reason, stopped_at, used_ms, remaining_ms, percent_used,
           paused_intervals, breached_at, breach_detected_at, first_breach_detected_at, warnings, explanation,
           evaluated_at)
         SELECT $1::uuid, metric, cycle, state, policy_id, policy_version, calendar_id, time_zone, started_at, target_ms,
                deadline, no_deadline_reason, not_applicable_reason, stopped_at, used_ms, remaining_ms, percent_used,
                paused_intervals, breached_at, breach_detected_at, CASE WHEN state = 'breached' THEN breach_detected_at END,
                warnings, explanation, $3::timestamptz
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
             WHEN c.state = 'breached' AND EXCLUDED.state IN ('met', 'running', 'paused', 'not_applicable') THEN $3::timestamptz
             ELSE c.breach_withdrawn_at END,
           warnings = EXCLUDED.warnings, explanation = EXCLUDED.explanation, evaluated_at = EXCLUDED.evaluated_at
         RETURNING 1
       ), vanished AS (
         UPDATE ticket_clocks c SET
           state = 'not_applicable', not_applicable_reason = 'no longer produced by the timeline',
           deadline = NULL, remaining_ms = NULL, percent_used = NULL,
           warnings = '[]', evaluated_at = $3::timestamptz,
           breach_withdrawn_at = CASE WHEN c.state = 'breached' THEN $3::timestamptz ELSE c.breach_withdrawn_at END
         WHERE c.ticket_id = $1 AND c.state <> 'not_applicable'
           AND NOT EXISTS (SELECT 1 FROM input i WHERE i.metric = c.metric AND i.cycle = c.cycle)
         RETURNING 1
       )
       UPDATE tickets SET
         status = $5, priority = $6, tier = $7, policy_id = $8, policy_version = $9, removed = $10,
         created_at = $11, last_event_at = $12, next_deadline = $13, config_revision = $4,
         evaluated_at = $3::timestamptz, updated_at = now(), clock_version = clock_version + 1
       WHERE id = $1
       RETURNING clock_version`,
      [
        ticketId,
        JSON.stringify(clocks),
        new Date(evaluatedAt).toISOString(),
        configRevision,
        summary.status,
        summary.priority,
        summary.tier,
        summary.policyId,
        summary.policyVersion,
        summary.removed,
        summary.createdAt,
        summary.lastEventAt,
        summary.nextDeadline,
      ],
    );
    return rows[0].clock_version;
  }
}
