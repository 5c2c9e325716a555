import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('tiers')
@Index('uq_tiers_single_default', ['isDefault'], { unique: true, where: '"is_default"' })
export class TierEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, name: 'id', primaryKeyConstraintName: 'pk_tiers' })
  id: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  @Column({ type: 'text', name: 'description', nullable: true })
  description: string | null;

  /** At most one tier is the default (partial unique index); it applies to tickets whose tier is not known. */
  @Column({ type: 'boolean', name: 'is_default', default: false })
  isDefault: boolean;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
