import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import { inTransaction } from '../common/ambient-transaction.js';
import { DomainError, NotFoundError } from '../common/errors.js';
import { returnedRows } from '../tickets/ticket-store.js';
import type {
  DirectoryBody,
  DirectoryEntryDto,
  DirectoryKey,
  ListDirectoryQuery,
} from './directory.schemas.js';

interface EntryRow {
  integration_id: string;
  kind: 'agent' | 'group';
  external_id: string;
  name: string | null;
  email: string | null;
  channel_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The directory: a helpdesk agent or group (per integration) → an e-mail address or a channel, so that a ladder
 * step for the ticket's `assignee` or `group` reaches a person. Every change is in the audit log.
 */
@Injectable()
export class DirectoryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async list(q: ListDirectoryQuery): Promise<DirectoryEntryDto[]> {
    const rows: EntryRow[] = await this.db.query(
      `SELECT * FROM directory_entries WHERE ($1::text IS NULL OR integration_id = $1)
         AND ($2::text IS NULL OR kind = $2) ORDER BY integration_id, kind, external_id LIMIT 10000`,
      [q.integrationId ?? null, q.kind ?? null],
    );
    return rows.map(toDto);
  }

  async get(key: DirectoryKey): Promise<DirectoryEntryDto> {
    const [row] = (await this.db.query(
      `SELECT * FROM directory_entries WHERE ${KEY}`,
      keyOf(key),
    )) as EntryRow[];
    if (!row) throw notFound(key);
    return toDto(row);
  }

  /** Create or replace; returns whether it was created. */
  async put(
    key: DirectoryKey,
    body: DirectoryBody,
    actor: Actor,
  ): Promise<{ entry: DirectoryEntryDto; created: boolean }> {
    // Joins configuration as code's transaction when there is one (the integration may be created in it).
    return inTransaction(this.db.manager, async (tx) => {
      await this.check(tx, key, body);
      const [previous] = (await tx.query(
        `SELECT * FROM directory_entries WHERE ${KEY} FOR UPDATE`,
        keyOf(key),
      )) as EntryRow[];
      const [row] = (await tx.query(
        `INSERT INTO directory_entries (integration_id, kind, external_id, name, email, channel_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (integration_id, kind, external_id) DO UPDATE
           SET name = $4, email = $5, channel_id = $6, updated_at = now()
         RETURNING *`,
        [...keyOf(key), body.name ?? null, body.email ?? null, body.channelId ?? null],
      )) as EntryRow[];
      const entry = toDto(row);
      const before = previous ? toDto(previous) : null;
      await this.record(tx, actor, before ? 'update' : 'create', before, entry);
      return { entry, created: !previous };
    });
  }

  async remove(key: DirectoryKey, actor: Actor): Promise<void> {
    await inTransaction(this.db.manager, async (tx) => {
      const [row] = returnedRows<EntryRow>(
        await tx.query(`DELETE FROM directory_entries WHERE ${KEY} RETURNING *`, keyOf(key)),
      );
      if (!row) throw notFound(key);
      await this.record(tx, actor, 'delete', toDto(row), null);
    });
  }

  /** The integration and the channel must exist (422 otherwise, like other references in configuration). */
  private async check(tx: EntityManager, key: DirectoryKey, body: DirectoryBody): Promise<void> {
    const [found] = (await tx.query(
      `SELECT EXISTS (SELECT 1 FROM integrations WHERE id = $1) AS integration,
              $2::text IS NULL OR EXISTS (SELECT 1 FROM notification_channels WHERE id = $2) AS channel`,
      [key.integrationId, body.channelId ?? null],
    )) as Array<{ integration: boolean; channel: boolean }>;
    if (!found.integration)
      throw new DomainError(
        422,
        'unknown_reference',
        `Integration "${key.integrationId}" does not exist. Create it first (POST /integrations) or fix the id.`,
      );
    if (!found.channel)
      throw new DomainError(
        422,
        'unknown_reference',
        `Channel "${body.channelId}" does not exist. Create it first (POST /channels) or fix the id.`,
      );
  }

  private async record(
    tx: EntityManager,
    actor: Actor,
    action: 'create' | 'update' | 'delete',
    before: DirectoryEntryDto | null,
    after: DirectoryEntryDto | null,
  ): Promise<void> {
    const e = (before ?? after)!;
    await this.audit.record(tx, actor, {
      action,
      resourceType: 'directory',
      resourceId: `${e.integrationId}/${e.kind}/${e.externalId}`,
      before,
      after,
    });
  }
}

const KEY = 'integration_id = $1 AND kind = $2 AND external_id = $3';

function keyOf(k: DirectoryKey): string[] {
  return [k.integrationId, k.kind, k.externalId];
}

function notFound(k: DirectoryKey): NotFoundError {
  return new NotFoundError('Directory entry', `${k.integrationId}/${k.kind}/${k.externalId}`);
}

function toDto(r: EntryRow): DirectoryEntryDto {
  return {
    integrationId: r.integration_id,
    kind: r.kind,
    externalId: r.external_id,
    name: r.name,
    email: r.email,
    channelId: r.channel_id,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
