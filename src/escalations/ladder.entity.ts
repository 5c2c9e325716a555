import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { LadderStepDefinition } from '../engine/types.js';

/** An escalation ladder's current definition; every change also writes a version (escalation_ladder_versions). */
@Entity({ name: 'escalation_ladders' })
export class LadderEntity {
  @PrimaryColumn({
    name: 'id',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'pk_escalation_ladders',
  })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name: string;

  /** The tiers whose clocks use this ladder unless a policy's target names another. */
  @Column({ name: 'tiers', type: 'jsonb', default: () => "'[]'" })
  tiers: string[];

  @Column({ name: 'steps', type: 'jsonb' })
  steps: LadderStepDefinition[];

  @Column({ name: 'version', type: 'integer' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One immutable version of a ladder, in force over [valid_from, valid_to). */
@Entity({ name: 'escalation_ladder_versions' })
export class LadderVersionEntity {
  @PrimaryColumn({
    name: 'ladder_id',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'pk_escalation_ladder_versions',
  })
  ladderId: string;

  @PrimaryColumn({
    name: 'version',
    type: 'integer',
    primaryKeyConstraintName: 'pk_escalation_ladder_versions',
  })
  version: number;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'tiers', type: 'jsonb' })
  tiers: string[];

  @Column({ name: 'steps', type: 'jsonb' })
  steps: LadderStepDefinition[];

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom: Date;

  @Column({ name: 'valid_to', type: 'timestamptz', nullable: true })
  validTo: Date | null;
}
