import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RowSet } from '../database/row-set.js';
import { type ClockStep, planSteps, type StepPlan } from '../engine/index.js';
import type { TicketEvaluationWrite } from './evaluation-writer.js';

/** A ticket's step plan: each clock cycle's due steps and withdrawals, and the next instant for the timers. */
export interface TicketStepPlan {
  evaluatedAt: number;
  clocks: Array<
    { metric: string; cycle: number; policyId: string | null; policyVersion: number | null } & StepPlan
  >;
  nextAt: number | null;
}

/** A step this evaluation recorded (or a breach it withdrew), for timers, metrics and notifications. */
export interface RecordedStep {
  id: string;
  metric: string;
  cycle: number;
  step: string;
  kind: 'warning' | 'breach' | 'escalation';
  status: 'recorded' | 'skipped' | 'withdrawn';
  latenessMs: number;
  late: boolean;
  /** Whether its recipients name the ticket's assignee or group (the notification directory resolves them). */
  viaDirectory: boolean;
}

/**
 * Records warnings and breaches as part of the evaluation write: the same transaction, under the same ticket row
 * locks, so a step is recorded exactly when the stored clocks say it was reached, and at most once per clock
 * cycle (the unique key guards against anything that slips past the locks). A timer is therefore nothing more
 * than "evaluate this ticket at this instant": whatever the evaluation finds due is recorded here.
 */
@Injectable()
export class StepRecorder {
  private readonly lateAfterMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.lateAfterMs = config.TIMER_LATE_AFTER_SECONDS * 1000;
  }

  /** The pure plan per clock cycle, from the steps recorded so far (the writer reads them with the clocks). */
  plan(evaluations: TicketEvaluationWrite[], rows: RecordedKeyRow[]): Map<string, TicketStepPlan> {
    const recorded = new Map<string, Set<string>>();
    const acknowledged = new Set<string>();
    // The recorded breaches by ticket, for the cycles an evaluation no longer produces (below).
    const breaches = new Map<string, RecordedKeyRow[]>();
    for (const r of rows) {
      const key = cycleKey(r.ticket_id, r.metric, r.cycle);
      recorded.set(key, (recorded.get(key) ?? new Set()).add(r.step));
      if (r.step === 'breach' && r.acked) acknowledged.add(key);
      if (r.step === 'breach') breaches.set(r.ticket_id, [...(breaches.get(r.ticket_id) ?? []), r]);
    }
    const plans = new Map<string, TicketStepPlan>();
    for (const e of evaluations) {
      const stepsByCycle = new Map<string, ClockStep[]>();
      for (const s of e.steps) {
        const key = cycleKey(e.ticketId, s.metric, s.cycle);
        stepsByCycle.set(key, [...(stepsByCycle.get(key) ?? []), s]);
      }
      const plan: TicketStepPlan = { evaluatedAt: e.evaluatedAt, clocks: [], nextAt: null };
      for (const clock of e.clocks) {
        const key = cycleKey(e.ticketId, clock.metric, clock.cycle);
        const p = planSteps(
          stepsByCycle.get(key) ?? [],
          clock.state === 'breached',
          recorded.get(key) ?? new Set(),
          e.evaluatedAt,
          acknowledged.has(key),
        );
        if (p.nextAt !== null && (plan.nextAt === null || p.nextAt < plan.nextAt)) plan.nextAt = p.nextAt;
        if (p.due.length > 0 || p.withdrawBreach) {
          plan.clocks.push({
            metric: clock.metric,
            cycle: clock.cycle,
            policyId: clock.policy_id,
            policyVersion: clock.policy_version,
            ...p,
          });
        }
      }
      // A clock the evaluation no longer produces (a replay removed a cycle) cannot keep a breach either.
      for (const { metric, cycle } of breaches.get(e.ticketId) ?? []) {
        if (!e.clocks.some((c) => c.metric === metric && c.cycle === cycle)) {
          plan.clocks.push({
            metric,
            cycle,
            policyId: null,
            policyVersion: null,
            due: [],
            nextAt: null,
            withdrawBreach: true,
          });
        }
      }
      plans.set(e.ticketId, plan);
    }
    return plans;
  }

  /**
   * The rows that record the due steps (the last due one of each cycle `recorded`, earlier ones `skipped`: rules 19
   * and 26) and withdraw breaches that are no more, for the writer's statement (STEP_WRITE_CTES). A withdrawn breach
   * that comes back is recorded again in its row.
   */
  rows(plans: Map<string, TicketStepPlan>): { inserts: StepInsertRow[]; withdrawals: WithdrawalRow[] } {
    const inserts: StepInsertRow[] = [];
    const withdrawals: WithdrawalRow[] = [];
    for (const [ticketId, plan] of plans) {
      const detectedAt = new Date(plan.evaluatedAt).toISOString();
      for (const clock of plan.clocks) {
        clock.due.forEach((step, i) => {
          const latenessMs = Math.max(0, plan.evaluatedAt - step.at);
          inserts.push({
            ticket_id: ticketId,
            metric: step.metric,
            cycle: step.cycle,
            step: step.key,
            kind: step.kind,
            percent: step.percent,
            status: i === clock.due.length - 1 ? 'recorded' : 'skipped',
            due_at: new Date(step.at).toISOString(),
            deadline: step.deadline === null ? null : new Date(step.deadline).toISOString(),
            detected_at: detectedAt,
            lateness_ms: latenessMs,
            late: latenessMs > this.lateAfterMs,
            policy_id: clock.policyId,
            policy_version: clock.policyVersion,
            recipients: step.notify,
          });
        });
        if (clock.withdrawBreach)
          withdrawals.push({ ticket_id: ticketId, metric: clock.metric, cycle: clock.cycle, at: detectedAt });
      }
    }
    return { inserts, withdrawals };
  }
}

/** A recorded (not withdrawn) step's key, as the writer reads it with the clocks. */
export interface RecordedKeyRow {
  ticket_id: string;
  metric: string;
  cycle: number;
  step: string;
  acked: boolean;
}

/** The steps the statement recorded or withdrew, by ticket (withdrawals first). */
export function recordedSteps(rows: RecordedStepRow[]): Map<string, RecordedStep[]> {
  const out = new Map<string, RecordedStep[]>();
  for (const r of rows) {
    const step: RecordedStep = {
      id: r.id,
      metric: r.metric,
      cycle: r.cycle,
      step: r.step,
      kind: r.kind,
      status: r.status,
      latenessMs: Number(r.lateness_ms),
      late: r.late,
      viaDirectory: r.via_directory,
    };
    const list = out.get(r.ticket_id);
    if (list) list.push(step);
    else out.set(r.ticket_id, [step]);
  }
  return out;
}

/** A step row the writer's statement recorded or withdrew. */
export interface RecordedStepRow {
  row: 'step';
  id: string;
  ticket_id: string;
  metric: string;
  cycle: number;
  step: string;
  kind: 'warning' | 'breach' | 'escalation';
  status: 'recorded' | 'skipped' | 'withdrawn';
  lateness_ms: string;
  late: boolean;
  via_directory: boolean;
}

function cycleKey(ticketId: string, metric: string, cycle: number): string {
  return `${ticketId}\n${metric}\n${cycle}`;
}

/** A step to record (StepRecorder.rows). */
export interface StepInsertRow {
  ticket_id: string;
  metric: string;
  cycle: number;
  step: string;
  kind: string;
  percent: number | null;
  status: 'recorded' | 'skipped';
  due_at: string;
  deadline: string | null;
  detected_at: string;
  lateness_ms: number;
  late: boolean;
  policy_id: string | null;
  policy_version: number | null;
  recipients: unknown;
}

/** A clock cycle whose breach is withdrawn. */
export interface WithdrawalRow {
  ticket_id: string;
  metric: string;
  cycle: number;
  at: string;
}

export const STEP_ROWS = new RowSet<StepInsertRow>({
  ticket_id: 'uuid',
  metric: 'text',
  cycle: 'int',
  step: 'text',
  kind: 'text',
  percent: 'float8',
  status: 'text',
  due_at: 'timestamptz',
  deadline: 'timestamptz',
  detected_at: 'timestamptz',
  lateness_ms: 'bigint',
  late: 'boolean',
  policy_id: 'text',
  policy_version: 'int',
  recipients: 'jsonb',
});

export const WITHDRAWAL_ROWS = new RowSet<WithdrawalRow>({
  ticket_id: 'uuid',
  metric: 'text',
  cycle: 'int',
  at: 'timestamptz',
});

/**
 * Whether a step's recipients (`s.recipients`) name the ticket's assignee or group, whom the notification directory
 * resolves: the write returns it with each step, and the directory's planning statement tests it first.
 */
export const NAMES_ASSIGNEE_OR_GROUP = `(s.recipients @> '[{"type": "assignee"}]' OR s.recipients @> '[{"type": "group"}]')`;

/**
 * Common table expressions for the writer's statement, after its `updated` CTE (the ticket rows it updated, with
 * their new clock_version): $8 the step inserts, $9 the withdrawals (STEP_ROWS and WITHDRAWAL_ROWS of
 * StepRecorder.rows()). The two touch different rows: a clock cycle whose breach is withdrawn has no breach due.
 */
export const STEP_WRITE_CTES = `
  withdrawn AS (
    UPDATE sla_steps s SET status = 'withdrawn', withdrawn_at = w.at
    FROM ${WITHDRAWAL_ROWS.from('$9')} AS w
    WHERE s.ticket_id = w.ticket_id AND s.metric = w.metric AND s.cycle = w.cycle AND s.step = 'breach'
      AND s.status <> 'withdrawn'
    RETURNING s.id, s.ticket_id, s.metric, s.cycle, s.step, s.kind, s.status, s.lateness_ms, s.late,
              ${NAMES_ASSIGNEE_OR_GROUP} AS via_directory
  ), recorded AS (
    INSERT INTO sla_steps AS s (ticket_id, metric, cycle, step, kind, percent, status, due_at, deadline, detected_at,
                                lateness_ms, late, policy_id, policy_version, clock_version, recipients)
    SELECT x.ticket_id, x.metric, x.cycle, x.step, x.kind, x.percent, x.status, x.due_at, x.deadline, x.detected_at,
           x.lateness_ms, x.late, x.policy_id, x.policy_version, u.clock_version, x.recipients
    FROM ${STEP_ROWS.from('$8')} AS x
    JOIN updated u ON u.id = x.ticket_id
    ON CONFLICT (ticket_id, metric, cycle, step) DO UPDATE SET
      status = EXCLUDED.status, due_at = EXCLUDED.due_at, deadline = EXCLUDED.deadline,
      detected_at = EXCLUDED.detected_at, lateness_ms = EXCLUDED.lateness_ms, late = EXCLUDED.late,
      policy_id = EXCLUDED.policy_id, policy_version = EXCLUDED.policy_version,
      clock_version = EXCLUDED.clock_version, recipients = EXCLUDED.recipients, withdrawn_at = NULL,
      acknowledged_at = NULL, acknowledged_by = NULL, acknowledged_by_key_id = NULL
    WHERE s.status = 'withdrawn'
    RETURNING s.id, s.ticket_id, s.metric, s.cycle, s.step, s.kind, s.status, s.lateness_ms, s.late,
              ${NAMES_ASSIGNEE_OR_GROUP} AS via_directory
  )`;
