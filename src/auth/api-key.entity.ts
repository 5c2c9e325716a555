import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './roles.js';

/**
 * An API key. Only the SHA-256 of the key is stored: keys are 256-bit random, so a fast hash is as
 * strong as a slow one and costs nothing per request. The prefix lets people recognise a key.
 */
@Entity({ name: 'api_keys' })
@Index('uq_api_keys_hash', ['hash'], { unique: true })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_api_keys' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'role', type: 'varchar', length: 16 })
  role: Role;

  @Column({ name: 'prefix', type: 'varchar', length: 16 })
  prefix: string;

  @Column({ name: 'hash', type: 'varchar', length: 64 })
  hash: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
