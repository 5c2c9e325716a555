import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { IntegrationEntity } from '../integrations/integration.entity.js';

/**
 * A compact audit row per rejected delivery of a known integration (why webhooks "don't arrive"):
 * no body, no headers, no secrets.
 */
@Entity({ name: 'webhook_rejections' })
@Index('idx_webhook_rejections_integration_time', ['integrationId', 'receivedAt'])
export class WebhookRejectionEntity {
  @PrimaryGeneratedColumn('increment', {
    name: 'id',
    type: 'bigint',
    primaryKeyConstraintName: 'pk_webhook_rejections',
  })
  id: string;

  @ForeignKey(() => IntegrationEntity, { name: 'fk_webhook_rejections_integration', onDelete: 'CASCADE' })
  @Column({ name: 'integration_id', type: 'varchar', length: 64 })
  integrationId: string;

  @Column({ name: 'status', type: 'smallint' })
  status: number;

  @Column({ name: 'reason', type: 'varchar', length: 64 })
  reason: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
