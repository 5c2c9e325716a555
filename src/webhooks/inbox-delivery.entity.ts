import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IntegrationEntity } from '../integrations/integration.entity.js';

export const DELIVERY_STATUSES = ['pending', 'processing', 'processed', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The durable inbox: every accepted webhook, raw, written before the 202. Postgres is the source of truth;
 * the ingest queue only carries ids and can be rebuilt from the pending rows (InboxReconciler).
 */
@Entity({ name: 'inbox_deliveries' })
@Unique('uq_inbox_deliveries_integration_key', ['integrationId', 'deliveryKey'])
@Index('idx_inbox_deliveries_status', ['status', 'updatedAt'])
@Index('idx_inbox_deliveries_unpruned', ['receivedAt'], { where: '"pruned_at" IS NULL' })
export class InboxDeliveryEntity {
  /** bigint: pg returns it as a string. */
  @PrimaryGeneratedColumn('increment', {
    name: 'id',
    type: 'bigint',
    primaryKeyConstraintName: 'pk_inbox_deliveries',
  })
  id: string;

  @ForeignKey(() => IntegrationEntity, { name: 'fk_inbox_deliveries_integration', onDelete: 'CASCADE' })
  @Column({ name: 'integration_id', type: 'varchar', length: 64 })
  integrationId: string;

  /** The provider's delivery/event id, or `sha256:<hex of the body>`. */
  @Column({ name: 'delivery_key', type: 'varchar', length: 255 })
  deliveryKey: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  /** Only headers that normalising may need (ids, timestamps, content type); never credentials. */
  @Column({ name: 'headers', type: 'jsonb' })
  headers: Record<string, string>;

  /** The exact bytes received (signatures and replays need them unchanged). */
  @Column({ name: 'body', type: 'bytea' })
  body: Buffer;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ name: 'attempts', type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  /** Last status change; the reconciler finds stuck rows by it. */
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  /** When the retention job removed the body and headers (DELIVERY_RETENTION_DAYS); null while they are kept. */
  @Column({ name: 'pruned_at', type: 'timestamptz', nullable: true })
  prunedAt: Date | null;

  /** The WORKER_ID that claimed it last (see InboxReconciler: a restarted worker takes its claims back at once). */
  @Column({ name: 'claimed_by', type: 'varchar', length: 200, nullable: true })
  claimedBy: string | null;
}
