import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../auth/roles.js';

export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'purge', 'revoke', 'rotate'] as const;
/** purge: an integration deleted together with its tickets and stored deliveries. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_RESOURCE_TYPES = [
  'tier',
  'calendar',
  'policy',
  'customer',
  'integration',
  'ladder',
  'directory',
  'channel',
  'apikey',
] as const;
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];

/**
 * One configuration change: who (the API key, or a process such as the CLI), what, when, and the resource before
 * and after as the API shows it, secrets redacted. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity({ name: 'audit_entries' })
@Index('idx_audit_entries_resource', ['resourceType', 'resourceId', 'id'])
@Index('idx_audit_entries_actor', ['actorKeyId', 'id'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('increment', {
    name: 'id',
    type: 'bigint',
    primaryKeyConstraintName: 'pk_audit_entries',
  })
  id: string;

  /** The database clock when the change was written (inside its transaction). */
  @Column({ name: 'at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  at: Date;

  /** null: no API key (the CLI, the bootstrap key, a background process). */
  @Column({ name: 'actor_key_id', type: 'uuid', nullable: true })
  actorKeyId: string | null;

  /** The key's name, as it was at the time; or `cli`, `bootstrap`, `system`. */
  @Column({ name: 'actor_name', type: 'varchar', length: 100 })
  actorName: string;

  @Column({ name: 'actor_role', type: 'varchar', length: 16, nullable: true })
  actorRole: Role | null;

  @Column({ name: 'action', type: 'varchar', length: 16 })
  action: AuditAction;

  @Column({ name: 'resource_type', type: 'varchar', length: 32 })
  resourceType: AuditResourceType;

  @Column({ name: 'resource_id', type: 'varchar', length: 255 })
  resourceId: string;

  @Column({ name: 'before', type: 'jsonb', nullable: true })
  before: object | null;

  @Column({ name: 'after', type: 'jsonb', nullable: true })
  after: object | null;

  @Column({ name: 'request_id', type: 'varchar', length: 200, nullable: true })
  requestId: string | null;
}
