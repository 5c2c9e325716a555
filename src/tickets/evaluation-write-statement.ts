import { RowSet } from '../database/row-set.js';
import { STEP_WRITE_CTES } from './step-recorder.js';
import type { ClockWriteRow } from './timeline-mapping.js';
import type { WriteDigest } from './write-digest.js';

/** The evaluation writer's statement (evaluation-writer.ts), and the row sets it takes. */

/** A clock row to upsert: what the evaluation decided, and when. */
export type ClockInputRow = ClockWriteRow & { ticket_id: string; evaluated_at: string; fingerprint: string };

export const CLOCK_ROWS = new RowSet<ClockInputRow>({
  ticket_id: 'uuid',
  metric: 'text',
  cycle: 'int',
  state: 'text',
  policy_id: 'text',
  policy_version: 'int',
  calendar_id: 'text',
  time_zone: 'text',
  started_at: 'timestamptz',
  target_ms: 'bigint',
  deadline: 'timestamptz',
  no_deadline_reason: 'text',
  not_applicable_reason: 'text',
  stopped_at: 'timestamptz',
  used_ms: 'bigint',
  remaining_ms: 'bigint',
  percent_used: 'float8',
  paused_intervals: 'jsonb',
  breached_at: 'timestamptz',
  breach_detected_at: 'timestamptz',
  warnings: 'jsonb',
  explanation: 'jsonb',
  evaluated_at: 'timestamptz',
  fingerprint: 'text',
});

/** A ticket row's new summary. */
export interface SummaryInputRow {
  ticket_id: string;
  evaluated_at: string;
  config_revision: number;
  status: string | null;
  priority: string | null;
  tier: string | null;
  policy_id: string | null;
  policy_version: number | null;
  removed: string | null;
  created_at: string | null;
  last_event_at: string | null;
  next_deadline: string | null;
  next_step_at: string | null;
  assignee_id: string | null;
  group_id: string | null;
  write_digest: WriteDigest;
}

export const SUMMARY_ROWS = new RowSet<SummaryInputRow>({
  ticket_id: 'uuid',
  evaluated_at: 'timestamptz',
  config_revision: 'int',
  status: 'text',
  priority: 'text',
  tier: 'text',
  policy_id: 'text',
  policy_version: 'int',
  removed: 'text',
  created_at: 'timestamptz',
  last_event_at: 'timestamptz',
  next_deadline: 'timestamptz',
  next_step_at: 'timestamptz',
  assignee_id: 'text',
  group_id: 'text',
  write_digest: 'json',
});

/**
 * The ticket ids also travel as an array ($3) and the vanished clocks as arrays ($4–$7): the planner
 * cannot estimate a row set, and arrays keep it on the indexes. The steps ($8, $9) are written after the
 * tickets' update, with the clock_version it returned; the statement returns the ticket rows and the step rows.
 * The clocks ($1), the summaries ($2) and the steps travel as row sets (database/row-set.ts).
 */
export const WRITE_SQL = `
  WITH input AS (
    SELECT * FROM ${CLOCK_ROWS.from('$1')} AS x
  ), summary AS (
    SELECT * FROM ${SUMMARY_ROWS.from('$2')} AS s
  ), upserted AS (
    INSERT INTO ticket_clocks AS c (
      ticket_id, metric, cycle, state, policy_id, policy_version, calendar_id, time_zone, started_at, target_ms,
      deadline, no_deadline_reason, not_applicable_reason, stopped_at, used_ms, remaining_ms, percent_used,
      paused_intervals, breached_at, breach_detected_at, first_breach_detected_at, warnings, explanation,
      evaluated_at, fingerprint)
    SELECT ticket_id, metric, cycle, state, policy_id, policy_version, calendar_id, time_zone, started_at, target_ms,
           deadline, no_deadline_reason, not_applicable_reason, stopped_at, used_ms, remaining_ms, percent_used,
           paused_intervals, breached_at, breach_detected_at, CASE WHEN state = 'breached' THEN breach_detected_at END,
           warnings, explanation, evaluated_at, fingerprint
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
      warnings = EXCLUDED.warnings, explanation = EXCLUDED.explanation, evaluated_at = EXCLUDED.evaluated_at,
      fingerprint = EXCLUDED.fingerprint
    RETURNING 1
  ), vanished AS (
    UPDATE ticket_clocks c SET
      state = 'not_applicable', not_applicable_reason = 'no longer produced by the timeline',
      deadline = NULL, remaining_ms = NULL, percent_used = NULL,
      warnings = '[]', evaluated_at = v.evaluated_at, fingerprint = NULL,
      breach_withdrawn_at = CASE WHEN c.state = 'breached' THEN v.evaluated_at ELSE c.breach_withdrawn_at END
    FROM unnest($4::uuid[], $5::text[], $6::int[], $7::timestamptz[]) AS v(ticket_id, metric, cycle, evaluated_at)
    WHERE c.ticket_id = v.ticket_id AND c.metric = v.metric AND c.cycle = v.cycle
    RETURNING 1
  ), updated AS (
    UPDATE tickets t SET
      status = s.status, priority = s.priority, tier = s.tier, policy_id = s.policy_id,
      policy_version = s.policy_version, removed = s.removed, created_at = s.created_at,
      last_event_at = s.last_event_at, next_deadline = s.next_deadline, next_step_at = s.next_step_at,
      assignee_id = s.assignee_id, group_id = s.group_id, write_digest = s.write_digest,
      config_revision = s.config_revision,
      evaluated_at = s.evaluated_at, updated_at = now(), clock_version = t.clock_version + 1
    FROM summary s
    WHERE t.id = ANY($3::uuid[]) AND t.id = s.ticket_id
    RETURNING t.id, t.clock_version, t.integration_id, t.external_id
  ), ${STEP_WRITE_CTES}
  SELECT 'ticket' AS row, id AS ticket_id, clock_version, integration_id, external_id, NULL::bigint AS id,
         NULL::varchar AS metric, NULL::int AS cycle, NULL::varchar AS step, NULL::varchar AS kind,
         NULL::varchar AS status, NULL::bigint AS lateness_ms, NULL::boolean AS late, NULL::boolean AS via_directory
  FROM updated
  UNION ALL
  SELECT 'step', ticket_id, NULL, NULL, NULL, id, metric, cycle, step, kind, status, lateness_ms, late, via_directory
  FROM withdrawn
  UNION ALL
  SELECT 'step', ticket_id, NULL, NULL, NULL, id, metric, cycle, step, kind, status, lateness_ms, late, via_directory
  FROM recorded`;

/** A ticket row the write updated. */
export interface WrittenRow {
  row: 'ticket';
  ticket_id: string;
  clock_version: number;
  integration_id: string;
  external_id: string;
}
