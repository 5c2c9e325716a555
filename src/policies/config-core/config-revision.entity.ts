import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row holding a counter that every configuration change bumps in its own transaction. Processes compare it to
 * the revision they have cached, which is how an API process's change reaches every worker. Locking this row also
 * serialises configuration writes, so the checks they make (position taken, id exists) cannot race.
 */
@Entity('config_revision')
@Check('ck_config_revision_single_row', '"id" = 1')
export class ConfigRevisionEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'pk_config_revision' })
  id: number;

  @Column({ type: 'integer', name: 'revision' })
  revision: number;

  @Column({ type: 'timestamptz', name: 'changed_at', default: () => 'now()' })
  changedAt: Date;
}
