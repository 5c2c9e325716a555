import type { NotificationFacts } from './notification-message.js';

/** A claimed delivery with its step and ticket, as the processor reads it (CLAIM_SQL) and a digest gathers it. */
export interface ClaimedRow {
  id: string;
  event: 'step' | 'withdrawal' | 'met';
  /** Claims so far, this one included. */
  attempts: number;
  channel_id: string | null;
  idempotency_key: string;
  step_id: string;
  metric: string;
  cycle: number;
  step: string;
  kind: 'warning' | 'breach';
  percent: number | null;
  step_status: string;
  due_at: Date;
  deadline: Date | null;
  detected_at: Date;
  withdrawn_at: Date | null;
  lateness_ms: string;
  late: boolean;
  integration_id: string;
  external_id: string;
  priority: string | null;
  tier: string | null;
  /** A withdrawal's (or met's) notice of its step on the same channel. */
  breach_notice: string | null;
  address: string | null;
  not_before: Date | null;
  /** A withdrawal's breach notice: held until then (working hours, a digest). */
  breach_not_before?: Date | null;
}

export function facts(r: ClaimedRow): NotificationFacts {
  return {
    idempotencyKey: r.idempotency_key,
    event: r.event,
    step: {
      id: r.step_id,
      metric: r.metric,
      cycle: r.cycle,
      step: r.step,
      kind: r.kind,
      percent: r.percent,
      status: r.step_status,
      dueAt: r.due_at,
      deadline: r.deadline,
      detectedAt: r.detected_at,
      withdrawnAt: r.withdrawn_at,
      latenessMs: Number(r.lateness_ms),
      late: r.late,
    },
    ticket: {
      integrationId: r.integration_id,
      externalId: r.external_id,
      priority: r.priority,
      tier: r.tier,
    },
  };
}
