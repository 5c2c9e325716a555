import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import type { ClockState, ExplanationSpan, Metric, TicketStatus } from '../../engine/types.js';
import { TicketEntity } from './ticket.entity.js';

/** Instants inside the jsonb columns are epoch ms, as the engine produces them. */
export interface StoredPausedInterval {
  from: number;
  to: number | null;
  status: TicketStatus;
}

/**
 * The current state of one clock cycle of a ticket, as of its last evaluation. Live values
 * (remaining, % used) are recomputed at read time from `deadline`, `target_ms` and the calendar.
 */
@Entity({ name: 'ticket_clocks' })
// The compliance reports' partial indexes (migration ReportRollup): decided clocks by the instant they count at, an
// expression the schema builder cannot state, and the clocks still counting.
@Index('idx_ticket_clocks_counted_at', { synchronize: false })
@Index('idx_ticket_clocks_counting', { synchronize: false })
export class TicketClockEntity {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid', primaryKeyConstraintName: 'pk_ticket_clocks' })
  @ForeignKey(() => TicketEntity, { name: 'fk_ticket_clocks_ticket', onDelete: 'CASCADE' })
  ticketId: string;

  @PrimaryColumn({
    name: 'metric',
    type: 'varchar',
    length: 32,
    primaryKeyConstraintName: 'pk_ticket_clocks',
  })
  metric: Metric;

  @PrimaryColumn({ name: 'cycle', type: 'integer', primaryKeyConstraintName: 'pk_ticket_clocks' })
  cycle: number;

  @Column({ name: 'state', type: 'varchar', length: 16 })
  state: ClockState;

  @Column({ name: 'policy_id', type: 'varchar', length: 64, nullable: true })
  policyId: string | null;

  @Column({ name: 'policy_version', type: 'integer', nullable: true })
  policyVersion: number | null;

  @Column({ name: 'calendar_id', type: 'varchar', length: 64, nullable: true })
  calendarId: string | null;

  /** The calendar's IANA zone at evaluation, for rendering the local deadline. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, nullable: true })
  timeZone: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'target_ms', type: 'bigint', nullable: true })
  targetMs: string | null;

  @Column({ name: 'deadline', type: 'timestamptz', nullable: true })
  deadline: Date | null;

  @Column({ name: 'no_deadline_reason', type: 'text', nullable: true })
  noDeadlineReason: string | null;

  @Column({ name: 'not_applicable_reason', type: 'text', nullable: true })
  notApplicableReason: string | null;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt: Date | null;

  /** Business time used as of evaluated_at (final once stopped). */
  @Column({ name: 'used_ms', type: 'bigint' })
  usedMs: string;

  @Column({ name: 'remaining_ms', type: 'bigint', nullable: true })
  remainingMs: string | null;

  @Column({ name: 'percent_used', type: 'double precision', nullable: true })
  percentUsed: number | null;

  @Column({ name: 'paused_intervals', type: 'jsonb', default: () => "'[]'" })
  pausedIntervals: StoredPausedInterval[];

  @Column({ name: 'breached_at', type: 'timestamptz', nullable: true })
  breachedAt: Date | null;

  /** As computed by the latest evaluation. */
  @Column({ name: 'breach_detected_at', type: 'timestamptz', nullable: true })
  breachDetectedAt: Date | null;

  /** As first recorded; re-evaluation never moves it later. */
  @Column({ name: 'first_breach_detected_at', type: 'timestamptz', nullable: true })
  firstBreachDetectedAt: Date | null;

  /** Set when a breached clock stopped being breached (a late event, rule 23); cleared if it breaches again. */
  @Column({ name: 'breach_withdrawn_at', type: 'timestamptz', nullable: true })
  breachWithdrawnAt: Date | null;

  @Column({ name: 'warnings', type: 'jsonb', default: () => "'[]'" })
  warnings: Array<{ percent: number; at: number }>;

  @Column({ name: 'explanation', type: 'jsonb', default: () => "'[]'" })
  explanation: ExplanationSpan[];

  @Column({ name: 'evaluated_at', type: 'timestamptz' })
  evaluatedAt: Date;

  /** Digest of the decided values (clock-fingerprint.ts); unchanged clocks are not rewritten. */
  @Column({ name: 'fingerprint', type: 'varchar', length: 32, nullable: true })
  fingerprint: string | null;
}
