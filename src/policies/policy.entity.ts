import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A policy's identity and its current version number; the content lives in immutable policy_versions rows. */
@Entity('policies')
export class PolicyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, name: 'id', primaryKeyConstraintName: 'pk_policies' })
  id: string;

  @Column({ type: 'integer', name: 'current_version' })
  currentVersion: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
