import { createHash } from 'node:crypto';
import type { ClockWriteRow } from './timeline-mapping.js';

/**
 * A digest of what an evaluation decided about a clock: two evaluations with the same fingerprint would
 * store the same row, so the second one is not written (no new row version, no WAL, no row lock).
 *
 * The live values (used, remaining, % used) of a counting clock with a deadline and a target move with
 * the evaluation time alone and are recomputed at read time (clock-view.ts), so they are left out for
 * such a clock: a running clock an event did not affect keeps its row, whose values hold as of its
 * evaluated_at. For every other clock they are decided values and count.
 */
export function clockFingerprint(c: ClockWriteRow): string {
  const live =
    c.stopped_at === null &&
    (c.state === 'running' || c.state === 'breached') &&
    c.deadline !== null &&
    c.target_ms !== null;
  const decided = [
    c.state,
    c.policy_id,
    c.policy_version,
    c.calendar_id,
    c.time_zone,
    c.started_at,
    c.target_ms,
    c.deadline,
    c.no_deadline_reason,
    c.not_applicable_reason,
    c.stopped_at,
    c.paused_intervals,
    c.breached_at,
    c.breach_detected_at,
    c.warnings,
    c.explanation,
    live ? null : [c.used_ms, c.remaining_ms, c.percent_used],
  ];
  // 128 bits of SHA-1, base64url: 22 characters.
  return createHash('sha1').update(JSON.stringify(decided)).digest().subarray(0, 16).toString('base64url');
}
