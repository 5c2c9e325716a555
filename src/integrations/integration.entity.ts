import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { IntegrationMapping, ProviderName } from '../webhooks/providers/provider-adapter.js';
import type { StoredWriteBack } from './write-back.schemas.js';

/** The credential columns of an integration: one set is current, earlier ones may still be in their grace period. */
export interface StoredCredentials {
  signingSecretSealed: string | null;
  basicAuthUsername: string | null;
  basicAuthPasswordHash: string | null;
  secretHeaderName: string | null;
  secretHeaderValueHash: string | null;
}

/** A credential set a rotation replaced, sealed or hashed as the current one; accepted until `expiresAt`. */
export interface PreviousCredentials extends StoredCredentials {
  /** When this set became current (ISO 8601). */
  since: string;
  /** When a rotation replaced it (ISO 8601). */
  replacedAt: string;
  /** Deliveries signed with it are refused from this instant on (ISO 8601). */
  expiresAt: string;
}

/** A helpdesk connection: its webhook URL is /webhooks/<id>. Secrets are stored sealed or hashed, never plain. */
@Entity({ name: 'integrations' })
export class IntegrationEntity {
  /** A slug the admin chooses (or a generated one); other tables reference it. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_integrations' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'provider', type: 'varchar', length: 32 })
  provider: ProviderName;

  /** HMAC signing secret, AES-256-GCM sealed (SecretBox): the verifier needs it back. */
  @Column({ name: 'signing_secret_sealed', type: 'text', nullable: true })
  signingSecretSealed: string | null;

  @Column({ name: 'basic_auth_username', type: 'varchar', length: 200, nullable: true })
  basicAuthUsername: string | null;

  /** scrypt hash: basic-auth passwords are only ever compared. */
  @Column({ name: 'basic_auth_password_hash', type: 'text', nullable: true })
  basicAuthPasswordHash: string | null;

  @Column({ name: 'secret_header_name', type: 'varchar', length: 200, nullable: true })
  secretHeaderName: string | null;

  @Column({ name: 'secret_header_value_hash', type: 'text', nullable: true })
  secretHeaderValueHash: string | null;

  @Column({ name: 'mapping', type: 'jsonb' })
  mapping: IntegrationMapping;

  /** Sets replaced by a rotation and still (or no longer) in their grace period, newest first. */
  @Column({ name: 'previous_credentials', type: 'jsonb', default: () => "'[]'" })
  previousCredentials: PreviousCredentials[];

  /** When the current credentials were set by a rotation or a PUT; null: at creation. */
  @Column({ name: 'credentials_changed_at', type: 'timestamptz', nullable: true })
  credentialsChangedAt: Date | null;

  /** null: the WEBHOOK_REPLAY_WINDOW_SECONDS default. */
  @Column({ name: 'replay_window_seconds', type: 'integer', nullable: true })
  replayWindowSeconds: number | null;

  /** Write-back to the helpdesk's API: base URL, tags and the SecretBox-sealed credentials; null: none. */
  @Column({ name: 'write_back', type: 'jsonb', nullable: true })
  writeBack: StoredWriteBack | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
