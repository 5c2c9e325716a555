import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Metric } from '../engine/types.js';
import { TicketEntity } from '../tickets/entities/ticket.entity.js';

export const STEP_STATUSES = ['recorded', 'skipped', 'withdrawn'] as const;
/** recorded: reached and to be notified; skipped: reached together with a later step (only that one is sent); withdrawn: a breach that later history undid. */
export type StepStatus = (typeof STEP_STATUSES)[number];

export type StepRecipient = { workingHours?: string } & (
  | { type: 'channel'; id: string }
  | { type: 'assignee'; fallback?: string }
  | { type: 'group'; fallback?: string }
);

/** One warning or breach of one clock cycle, recorded once (the unique key) when it fell due. */
@Entity({ name: 'sla_steps' })
@Unique('uq_sla_steps_clock_step', ['ticketId', 'metric', 'cycle', 'step'])
@Index('idx_sla_steps_kind_detected', ['kind', 'detectedAt'])
export class SlaStepEntity {
  @PrimaryGeneratedColumn('increment', {
    name: 'id',
    type: 'bigint',
    primaryKeyConstraintName: 'pk_sla_steps',
  })
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  @ForeignKey(() => TicketEntity, { name: 'fk_sla_steps_ticket', onDelete: 'CASCADE' })
  ticketId: string;

  @Column({ name: 'metric', type: 'varchar', length: 32 })
  metric: Metric;

  @Column({ name: 'cycle', type: 'integer' })
  cycle: number;

  /** "warning-75", "breach". */
  @Column({ name: 'step', type: 'varchar', length: 32 })
  step: string;

  @Column({ name: 'kind', type: 'varchar', length: 16 })
  kind: 'warning' | 'breach' | 'escalation';

  @Column({ name: 'percent', type: 'double precision', nullable: true })
  percent: number | null;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status: StepStatus;

  /** When the step fell due (a breach: one millisecond past the deadline). */
  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'deadline', type: 'timestamptz', nullable: true })
  deadline: Date | null;

  /** When it was recorded; lateness_ms = detected_at - due_at. */
  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt: Date;

  @Column({ name: 'lateness_ms', type: 'bigint' })
  latenessMs: string;

  /** Recorded more than TIMER_LATE_AFTER_SECONDS after it fell due (downtime, backfill, a change that exceeded the target). */
  @Column({ name: 'late', type: 'boolean' })
  late: boolean;

  @Column({ name: 'policy_id', type: 'varchar', length: 64, nullable: true })
  policyId: string | null;

  @Column({ name: 'policy_version', type: 'integer', nullable: true })
  policyVersion: number | null;

  /** The ticket's clock_version whose evaluation recorded it. */
  @Column({ name: 'clock_version', type: 'integer' })
  clockVersion: number;

  /**
   * Who the step is for, from the escalation ladder in force when it was recorded: `{ "type": "channel", "id" }`,
   * `{ "type": "assignee" }` or `{ "type": "group" }`. Empty: only channels subscribed to such steps hear of it.
   */
  @Column({ name: 'recipients', type: 'jsonb', default: () => "'[]'" })
  recipients: StepRecipient[];

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'acknowledged_by', type: 'varchar', length: 200, nullable: true })
  acknowledgedBy: string | null;

  /** The API key that acknowledged the breach (its name is in acknowledged_by). */
  @Column({ name: 'acknowledged_by_key_id', type: 'uuid', nullable: true })
  acknowledgedByKeyId: string | null;
}
