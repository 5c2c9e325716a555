import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClockStep } from '../engine/index.js';
import { clockFingerprint } from './clock-fingerprint.js';
import {
  type RecordedStep,
  type RecordedStepRow,
  recordedSteps,
  STEP_ROWS,
  StepRecorder,
  WITHDRAWAL_ROWS,
} from './step-recorder.js';
import {
  CLOCK_ROWS,
  type ClockInputRow,
  SUMMARY_ROWS,
  type SummaryInputRow,
  WRITE_SQL,
  type WrittenRow,
} from './evaluation-write-statement.js';
import type { ClockWriteRow, TicketSummary } from './timeline-mapping.js';
import { digestsAfter, readStored, type StoredClock, type WriteDigest } from './write-digest.js';

/** One ticket's evaluation, ready to store. */
export interface TicketEvaluationWrite {
  ticketId: string;
  evaluatedAt: number;
  configRevision: number;
  clocks: ClockWriteRow[];
  /** Every clock's warning and breach steps (clockSteps), reached or not. */
  steps: ClockStep[];
  summary: TicketSummary;
}

/** What one ticket's write did. */
export interface WrittenTicket {
  clockVersion: number;
  /** Who the ticket is, for listeners that filter (live events). */
  integrationId: string;
  externalId: string;
  tier: string | null;
  priority: string | null;
  assigneeId: string | null;
  /** When the timers should look at the ticket next (null: no step will fall due as things stand). */
  nextStepAt: number | null;
  /** The warnings and breaches this evaluation recorded, and the breaches it withdrew. */
  steps: RecordedStep[];
  /** Whether this write stored a clock as met (a change: a clock met before and unchanged is not written). */
  metNow: boolean;
}

/**
 * Writes the evaluations of many tickets in one statement: the clocks, the tickets and the steps (StepRecorder). What
 * was stored before comes from the tickets' write digests (write-digest.ts), or a read of the tables where there is
 * none. Only clocks whose fingerprint changed are upserted (clock-fingerprint.ts); clocks an evaluation no longer
 * produces are marked not_applicable; the ticket rows are updated (bumping clock_version, and their new digests).
 * first_breach_detected_at keeps the first value ever recorded; a breached clock that is no longer breached gets
 * breach_withdrawn_at (rule 23), cleared again if it breaches anew. The caller holds the tickets' row locks, so
 * nothing changes the clocks between the read and the write.
 */
@Injectable()
export class EvaluationWriter {
  constructor(private readonly steps: StepRecorder) {}

  /** `digests`: the locked tickets' write digests (write-digest.ts), where the lock returned them. */
  async write(
    em: EntityManager,
    evaluations: TicketEvaluationWrite[],
    digests?: ReadonlyMap<string, WriteDigest | null>,
  ): Promise<Map<string, WrittenTicket>> {
    if (evaluations.length === 0) return new Map();
    const sorted = [...evaluations].sort((a, b) =>
      a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0,
    );
    const ticketIds = sorted.map((e) => e.ticketId);
    const stored = await readStored(em, ticketIds, digests);
    const before = new Map<string, StoredClock>();
    for (const c of stored.clocks) before.set(clockKey(c.ticket_id, c.metric, c.cycle), c);
    const plans = this.steps.plan(sorted, stored.steps);
    const evaluatedAt = new Map(sorted.map((e) => [e.ticketId, new Date(e.evaluatedAt).toISOString()]));
    const changed: ClockInputRow[] = [];
    const produced = new Map<string, WriteDigest['clocks']>();
    const metNow = new Set<string>();
    for (const e of sorted) {
      const clocks: WriteDigest['clocks'] = [];
      produced.set(e.ticketId, clocks);
      for (const c of e.clocks) {
        const key = clockKey(e.ticketId, c.metric, c.cycle);
        const fingerprint = clockFingerprint(c);
        clocks.push([c.metric, c.cycle, c.state, fingerprint]);
        const previous = before.get(key);
        before.delete(key);
        if (previous?.fingerprint === fingerprint) continue;
        if (c.state === 'met') metNow.add(e.ticketId);
        changed.push({
          ...c,
          fingerprint,
          ticket_id: e.ticketId,
          evaluated_at: evaluatedAt.get(e.ticketId)!,
        });
      }
    }
    // What is left was stored before and is not produced any more.
    const vanished = [...before.values()].filter((c) => c.state !== 'not_applicable');
    const steps = this.steps.rows(plans);
    const after = digestsAfter(produced, before.values(), stored.steps, steps);
    const tickets = sorted.map((e): SummaryInputRow => ({
      ticket_id: e.ticketId,
      evaluated_at: evaluatedAt.get(e.ticketId)!,
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
      next_step_at: isoOrNull(plans.get(e.ticketId)?.nextAt ?? null),
      assignee_id: e.summary.assigneeId,
      group_id: e.summary.groupId,
      write_digest: after.get(e.ticketId)!,
    }));
    const rows: Array<WrittenRow | RecordedStepRow> = await em.query(WRITE_SQL, [
      CLOCK_ROWS.param(changed),
      SUMMARY_ROWS.param(tickets),
      ticketIds,
      vanished.map((c) => c.ticket_id),
      vanished.map((c) => c.metric),
      vanished.map((c) => c.cycle),
      vanished.map((c) => evaluatedAt.get(c.ticket_id)),
      STEP_ROWS.param(steps.inserts),
      WITHDRAWAL_ROWS.param(steps.withdrawals),
    ]);
    const written = rows.filter((r): r is WrittenRow => r.row === 'ticket');
    const recorded = recordedSteps(rows.filter((r): r is RecordedStepRow => r.row === 'step'));
    const summaries = new Map(sorted.map((e) => [e.ticketId, e.summary]));
    return new Map(
      written.map((r) => [
        r.ticket_id,
        {
          clockVersion: r.clock_version,
          integrationId: r.integration_id,
          externalId: r.external_id,
          tier: summaries.get(r.ticket_id)?.tier ?? null,
          priority: summaries.get(r.ticket_id)?.priority ?? null,
          assigneeId: summaries.get(r.ticket_id)?.assigneeId ?? null,
          nextStepAt: plans.get(r.ticket_id)?.nextAt ?? null,
          steps: recorded.get(r.ticket_id) ?? [],
          metNow: metNow.has(r.ticket_id),
        },
      ]),
    );
  }
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function clockKey(ticketId: string, metric: string, cycle: number): string {
  return `${ticketId}\n${metric}\n${cycle}`;
}
