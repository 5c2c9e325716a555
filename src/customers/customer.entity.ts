import {
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { TierEntity } from '../tiers/tier.entity.js';

/**
 * Which tier a helpdesk customer/organisation belongs to. A row without integration applies to every integration;
 * a row for one integration overrides it there. Two partial unique indexes keep one row per (customer, integration),
 * with "no integration" counting as one value (Postgres treats NULLs in a unique index as distinct).
 */
@Entity('customers')
@Index('uq_customers_customer_integration', ['customerId', 'integrationId'], {
  unique: true,
  where: '"integration_id" IS NOT NULL',
})
@Index('uq_customers_customer_global', ['customerId'], { unique: true, where: '"integration_id" IS NULL' })
export class CustomerEntity {
  /** Surrogate key (the natural key has a nullable part); not exposed by the API. */
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    name: 'id',
    primaryKeyConstraintName: 'pk_customers',
  })
  id: string;

  /** The customer or organisation id exactly as the helpdesk sends it. */
  @Column({ type: 'varchar', length: 255, name: 'customer_id' })
  customerId: string;

  /** null: applies to all integrations. Not a foreign key: a mapping may be set up before its integration. */
  @Column({ type: 'varchar', length: 64, name: 'integration_id', nullable: true })
  integrationId: string | null;

  @Column({ type: 'varchar', length: 200, name: 'name', nullable: true })
  name: string | null;

  @Index('ix_customers_tier_id')
  @ForeignKey(() => TierEntity, { name: 'fk_customers_tier', onDelete: 'RESTRICT' })
  @Column({ type: 'varchar', length: 64, name: 'tier_id' })
  tierId: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
