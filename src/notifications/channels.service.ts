import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, REDACTED } from '../audit/audit-log.js';
import { inTransaction } from '../common/ambient-transaction.js';
import type { Actor } from '../auth/actor.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import { SecretBox } from '../integrations/secret-box.js';
import type {
  ChannelBody,
  ChannelDto,
  ChannelSubscription,
  ChannelType,
  CreateChannelBody,
} from './channels.schemas.js';

interface ChannelRow {
  id: string;
  name: string;
  type: ChannelType;
  target_sealed: string | null;
  secret_sealed: string | null;
  integration_id: string | null;
  subscribe: ChannelSubscription;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

/** A channel as the sender needs it: its URL and signing secret opened (an e-mail channel: its addresses). */
export interface OpenChannel {
  id: string;
  type: ChannelType;
  /** Empty for a helpdesk or e-mail channel. */
  url: string;
  secret: string | null;
  /** A helpdesk channel's integration; null: the ticket's own. */
  integrationId: string | null;
  /** An e-mail channel's addresses. */
  to?: string[];
}

/** Notification channels (admin configuration; the admin guard goes on the controller when auth lands). */
@Injectable()
export class ChannelsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
  ) {}

  async list(): Promise<ChannelDto[]> {
    const rows: ChannelRow[] = await this.db.query('SELECT * FROM notification_channels ORDER BY id');
    return rows.map((r) => this.toDto(r));
  }

  async get(id: string): Promise<ChannelDto> {
    return this.toDto(await this.row(id));
  }

  async create(body: CreateChannelBody, actor: Actor): Promise<ChannelDto> {
    return inTransaction(this.db.manager, async (tx) => {
      await this.checkIntegration(tx, body);
      const rows: ChannelRow[] = await tx.query(
        `INSERT INTO notification_channels
           (id, name, type, target_sealed, secret_sealed, subscribe, enabled, integration_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [body.id, ...this.values(body)],
      );
      if (rows.length === 0)
        throw new ConflictError(
          `Channel "${body.id}" already exists. Use PUT /channels/${body.id} to change it.`,
        );
      const channel = this.toDto(rows[0]);
      await this.record(tx, actor, 'create', null, channel, body);
      return channel;
    });
  }

  /** Create or replace; returns whether it was created. */
  async put(id: string, body: ChannelBody, actor: Actor): Promise<{ channel: ChannelDto; created: boolean }> {
    return inTransaction(this.db.manager, async (tx) => {
      await this.checkIntegration(tx, body);
      const previous: ChannelRow[] = await tx.query(
        'SELECT * FROM notification_channels WHERE id = $1 FOR UPDATE',
        [id],
      );
      const rows: Array<ChannelRow & { inserted: boolean }> = await tx.query(
        `INSERT INTO notification_channels
           (id, name, type, target_sealed, secret_sealed, subscribe, enabled, integration_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = $2, type = $3, target_sealed = $4, secret_sealed = $5,
           subscribe = $6, enabled = $7, integration_id = $8, updated_at = now()
         RETURNING *, (xmax = 0) AS inserted`,
        [id, ...this.values(body)],
      );
      const channel = this.toDto(rows[0]);
      const before = previous[0] ? this.toDto(previous[0]) : null;
      await this.record(tx, actor, rows[0].inserted ? 'create' : 'update', before, channel, body);
      return { channel, created: rows[0].inserted };
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await inTransaction(this.db.manager, async (tx) => {
      const rows: ChannelRow[] = await tx.query(
        'SELECT * FROM notification_channels WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!rows[0]) throw new NotFoundError('Channel', id);
      await tx.query('DELETE FROM notification_channels WHERE id = $1', [id]);
      await this.record(tx, actor, 'delete', this.toDto(rows[0]), null);
    });
  }

  /** The change in the audit log; a written URL and secret show as "[redacted]", never their values. */
  private async record(
    tx: EntityManager,
    actor: Actor,
    action: 'create' | 'update' | 'delete',
    before: ChannelDto | null,
    after: ChannelDto | null,
    body?: ChannelBody,
  ): Promise<void> {
    const written = body &&
      body.type !== 'helpdesk' &&
      body.type !== 'email' && { url: REDACTED, ...(body.type === 'webhook' ? { secret: REDACTED } : {}) };
    await this.audit.record(tx, actor, {
      action,
      resourceType: 'channel',
      resourceId: (before ?? after)!.id,
      before,
      after: after && { ...after, ...written },
    });
  }

  async open(id: string): Promise<OpenChannel | null> {
    const rows: ChannelRow[] = await this.db.query('SELECT * FROM notification_channels WHERE id = $1', [id]);
    const r = rows[0];
    if (!r) return null;
    const target = r.target_sealed === null ? null : this.box.open(r.target_sealed);
    return {
      id: r.id,
      type: r.type,
      url: r.type === 'email' || target === null ? '' : target,
      secret: r.secret_sealed === null ? null : this.box.open(r.secret_sealed),
      integrationId: r.integration_id,
      ...(r.type === 'email' && target !== null ? { to: JSON.parse(target) as string[] } : {}),
    };
  }

  private async row(id: string): Promise<ChannelRow> {
    const rows: ChannelRow[] = await this.db.query('SELECT * FROM notification_channels WHERE id = $1', [id]);
    if (!rows[0]) throw new NotFoundError('Channel', id);
    return rows[0];
  }

  /** A helpdesk channel may name only an integration that exists (400 otherwise: the body is wrong). */
  private async checkIntegration(tx: EntityManager, body: ChannelBody): Promise<void> {
    if (body.type !== 'helpdesk' || body.integrationId === undefined) return;
    const found = (await tx.query('SELECT 1 FROM integrations WHERE id = $1', [
      body.integrationId,
    ])) as unknown[];
    if (found.length === 0)
      throw new ValidationError(
        `integrationId "${body.integrationId}" is not an integration; see GET /integrations, or leave it out to write back through each ticket's own integration.`,
      );
  }

  private values(body: ChannelBody): unknown[] {
    const secret = body.type === 'webhook' ? this.box.seal(body.secret) : null;
    return [
      body.name,
      body.type,
      body.type === 'helpdesk'
        ? null
        : this.box.seal(body.type === 'email' ? JSON.stringify(body.to) : body.url),
      secret,
      JSON.stringify(body.subscribe),
      body.enabled,
      body.type === 'helpdesk' ? (body.integrationId ?? null) : null,
    ];
  }

  private toDto(r: ChannelRow): ChannelDto {
    const target = r.target_sealed === null ? null : this.box.open(r.target_sealed);
    const url = r.type === 'email' || target === null ? null : new URL(target);
    return {
      id: r.id,
      name: r.name,
      type: r.type,
      subscribe: r.subscribe,
      enabled: r.enabled,
      ...(r.type === 'email' && target !== null
        ? { to: JSON.parse(target) as string[] }
        : { urlHost: url && `${url.protocol}//${url.host}` }),
      ...(r.type === 'helpdesk' ? { integrationId: r.integration_id } : {}),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }
}
