import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Priority, RemovalReason, TicketStatus } from '../../engine/types.js';
import { IntegrationEntity } from '../../integrations/integration.entity.js';

/**
 * One helpdesk ticket: identity plus the current state derived from its last evaluation
 * (status, priority, tier, policy, next deadline). The row is also the lock that serialises
 * concurrent deliveries for the ticket.
 */
@Entity({ name: 'tickets' })
@Unique('uq_tickets_integration_external', ['integrationId', 'externalId'])
@Index('idx_tickets_queue', ['nextDeadline', 'id'])
@Index('idx_tickets_next_step', ['nextStepAt'], { where: '"next_step_at" IS NOT NULL' })
export class TicketEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_tickets' })
  id: string;

  @Column({ name: 'integration_id', type: 'varchar', length: 64 })
  @ForeignKey(() => IntegrationEntity, { name: 'fk_tickets_integration', onDelete: 'CASCADE' })
  integrationId: string;

  @Column({ name: 'external_id', type: 'varchar', length: 255 })
  externalId: string;

  @Column({ name: 'status', type: 'varchar', length: 16, nullable: true })
  status: TicketStatus | null;

  @Column({ name: 'priority', type: 'varchar', length: 16, nullable: true })
  priority: Priority | null;

  /** The integration's default priority at the last delivery (rule 21), so re-evaluation can fill gaps alone. */
  @Column({ name: 'default_priority', type: 'varchar', length: 16 })
  defaultPriority: Priority;

  @Column({ name: 'tier', type: 'varchar', length: 64, nullable: true })
  tier: string | null;

  @Column({ name: 'policy_id', type: 'varchar', length: 64, nullable: true })
  policyId: string | null;

  @Column({ name: 'policy_version', type: 'integer', nullable: true })
  policyVersion: number | null;

  @Column({ name: 'removed', type: 'varchar', length: 16, nullable: true })
  removed: RemovalReason | null;

  /** When the ticket was created in the helpdesk. */
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  /** occurred_at of the latest event in timeline order. */
  @Column({ name: 'last_event_at', type: 'timestamptz', nullable: true })
  lastEventAt: Date | null;

  /** Earliest deadline among clocks still counting (running, or running past the deadline); the queue sorts on it. */
  @Column({ name: 'next_deadline', type: 'timestamptz', nullable: true })
  nextDeadline: Date | null;

  /** The assignee and group of the latest snapshot (for reports and the queue's filters). */
  @Column({ name: 'assignee_id', type: 'varchar', length: 255, nullable: true })
  assigneeId: string | null;

  @Column({ name: 'group_id', type: 'varchar', length: 255, nullable: true })
  groupId: string | null;

  /** The earliest instant at which a clock reaches a warning or breach not yet recorded; the timers wake it then. */
  @Column({ name: 'next_step_at', type: 'timestamptz', nullable: true })
  nextStepAt: Date | null;

  /** Bumped on every evaluation, in the same transaction, so timers holding an older version know they are stale. */
  @Column({ name: 'clock_version', type: 'integer', default: 0 })
  clockVersion: number;

  /**
   * What the next evaluation write needs of the stored clocks and recorded steps (evaluation-writer.ts); null when
   * unknown. Read with the row lock; never selected through the entity.
   */
  @Column({ name: 'write_digest', type: 'json', nullable: true, select: false })
  writeDigest: unknown;

  /** The SLA configuration revision the clocks were last computed under. */
  @Column({ name: 'config_revision', type: 'integer', nullable: true })
  configRevision: number | null;

  @Column({ name: 'evaluated_at', type: 'timestamptz', nullable: true })
  evaluatedAt: Date | null;

  @Column({ name: 'first_seen_at', type: 'timestamptz', default: () => 'now()' })
  firstSeenAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
