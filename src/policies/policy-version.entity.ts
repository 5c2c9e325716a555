import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import type { MetricTargets, PolicyConditions, Priority } from '../engine/types.js';
import { PolicyEntity } from './policy.entity.js';

/**
 * One immutable version of a policy, in force over [valid_from, valid_to); valid_to is null for the current one.
 * Clocks record the version they ran under, so a version row is never updated except to close it.
 */
@Entity('policy_versions')
@Index('uq_policy_versions_current', ['policyId'], { unique: true, where: '"valid_to" IS NULL' })
// SEMANTICS 17: precedence is the explicit position, so two active current policies may not share one.
@Index('uq_policy_versions_active_position', ['position'], {
  unique: true,
  where: '"valid_to" IS NULL AND "active"',
})
@Check('ck_policy_versions_valid_range', '"valid_to" IS NULL OR "valid_to" > "valid_from"')
export class PolicyVersionEntity {
  @ForeignKey(() => PolicyEntity, { name: 'fk_policy_versions_policy', onDelete: 'RESTRICT' })
  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    name: 'policy_id',
    primaryKeyConstraintName: 'pk_policy_versions',
  })
  policyId: string;

  @PrimaryColumn({ type: 'integer', name: 'version', primaryKeyConstraintName: 'pk_policy_versions' })
  version: number;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  @Column({ type: 'integer', name: 'position' })
  position: number;

  @Column({ type: 'boolean', name: 'active' })
  active: boolean;

  @Column({ type: 'jsonb', name: 'conditions' })
  conditions: PolicyConditions;

  @Column({ type: 'jsonb', name: 'targets' })
  targets: Partial<Record<Priority, MetricTargets>>;

  @Column({ type: 'timestamptz', name: 'valid_from' })
  validFrom: Date;

  @Column({ type: 'timestamptz', name: 'valid_to', nullable: true })
  validTo: Date | null;
}
