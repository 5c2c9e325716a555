import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { ActorRole, EventType, TicketSnapshot, TimelineComment } from '../../engine/types.js';
import { TicketEntity } from './ticket.entity.js';

/**
 * The append-only timeline: one row per accepted provider event. The bigserial id is the arrival
 * order (the last tie-break of the timeline order).
 */
@Entity({ name: 'ticket_events' })
@Unique('uq_ticket_events_integration_event', ['integrationId', 'eventId'])
@Index('idx_ticket_events_timeline', ['ticketId', 'occurredAt', 'sequence', 'id'])
/** Replay finds the events a delivery produced by it. */
@Index('idx_ticket_events_inbox', ['inboxId'])
export class TicketEventEntity {
  /** bigint: pg returns it as a string. */
  @PrimaryGeneratedColumn('increment', {
    name: 'id',
    type: 'bigint',
    primaryKeyConstraintName: 'pk_ticket_events',
  })
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  @ForeignKey(() => TicketEntity, { name: 'fk_ticket_events_ticket', onDelete: 'CASCADE' })
  ticketId: string;

  @Column({ name: 'integration_id', type: 'varchar', length: 64 })
  integrationId: string;

  /** The provider's event/delivery id or a content hash: the dedupe key. */
  @Column({ name: 'event_id', type: 'varchar', length: 255 })
  eventId: string;

  @Column({ name: 'type', type: 'varchar', length: 32 })
  type: EventType;

  /** The provider's timestamp, or the receipt time when that lay too far in the future (rule 25). */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** The provider's own timestamp, kept only when it was clamped. */
  @Column({ name: 'reported_occurred_at', type: 'timestamptz', nullable: true })
  reportedOccurredAt: Date | null;

  @Column({ name: 'sequence', type: 'bigint', nullable: true })
  sequence: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  /** The ticket's full state after the event, as the adapter normalised it (instants in epoch ms). */
  @Column({ name: 'snapshot', type: 'jsonb' })
  snapshot: TicketSnapshot;

  @Column({ name: 'comment', type: 'jsonb', nullable: true })
  comment: TimelineComment | null;

  @Column({ name: 'actor', type: 'jsonb', nullable: true })
  actor: { role: ActorRole; id?: string } | null;

  @Column({ name: 'clock_skew', type: 'boolean', default: false })
  clockSkew: boolean;

  /** The webhook inbox row that carried the event, for tracing. */
  @Column({ name: 'inbox_id', type: 'varchar', length: 64, nullable: true })
  inboxId: string | null;
}
