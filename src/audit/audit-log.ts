import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { type AuditAction, AuditEntryEntity, type AuditResourceType } from './audit-entry.entity.js';
import type { AuditEntryView, AuditPage, ListAuditQuery } from './audit.schemas.js';

/** What a change did to one resource: the resource as the API shows it before and after (null where absent). */
export interface AuditChange {
  action: AuditAction;
  resourceType: AuditResourceType;
  resourceId: string;
  before: object | null;
  after: object | null;
}

export const REDACTED = '[redacted]';

/**
 * Property names whose values are credentials wherever they appear in a before/after document (compared without
 * case): integration secrets and credentials (write-back `auth` too), channel URLs and secrets, keys and hashes. Their values are replaced
 * by "[redacted]" (null stays null, so that a removed credential still shows as removed).
 */
const SECRET_PROPERTIES = new Set([
  'secret',
  'password',
  'token',
  'key',
  'apikey',
  'hash',
  'url',
  'basicauth',
  'secretheader',
  'auth',
  'apitoken',
  'accesstoken',
]);

/** Whether a property of that name holds a credential (the audit log redacts it; configuration files reference it). */
export function isSecretProperty(name: string): boolean {
  return SECRET_PROPERTIES.has(name.toLowerCase());
}

/** A plain JSON copy of a before/after document with every credential replaced by "[redacted]". */
export function redactSecrets(value: object | null): object | null {
  if (value === null) return null;
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key !== '' && SECRET_PROPERTIES.has(key.toLowerCase()) && v !== null && v !== undefined ? REDACTED : v,
    ),
  ) as object;
}

/**
 * The audit log. `record` is called inside the transaction of the change it describes, so a change and its entry
 * commit or roll back together; the table refuses UPDATE and DELETE, so entries are never rewritten.
 */
@Injectable()
export class AuditLog {
  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  async record(tx: EntityManager, actor: Actor, change: AuditChange): Promise<void> {
    await tx.insert(AuditEntryEntity, {
      actorKeyId: actor.keyId,
      actorName: actor.name,
      actorRole: actor.role,
      action: change.action,
      resourceType: change.resourceType,
      resourceId: change.resourceId,
      before: redactSecrets(change.before),
      after: redactSecrets(change.after),
      requestId: actor.requestId,
    });
  }

  /** Newest first, filtered, by keyset cursor (the last id of the previous page). */
  async list(query: ListAuditQuery): Promise<AuditPage> {
    const select = this.entries
      .createQueryBuilder('e')
      .orderBy('e.id', 'DESC')
      .limit(query.limit + 1);
    if (query.resourceType) select.andWhere('e.resourceType = :resourceType', query);
    if (query.resourceId) select.andWhere('e.resourceId = :resourceId', query);
    if (query.actorKeyId) select.andWhere('e.actorKeyId = :actorKeyId', query);
    if (query.action) select.andWhere('e.action = :action', query);
    if (query.from) select.andWhere('e.at >= :from', query);
    if (query.to) select.andWhere('e.at < :to', query);
    if (query.cursor) select.andWhere('e.id < :cursor::bigint', query);
    const rows = await select.getMany();
    const page = rows.slice(0, query.limit).map(toView);
    return { items: page, nextCursor: rows.length > query.limit ? page[page.length - 1].id : null };
  }
}

function toView(e: AuditEntryEntity): AuditEntryView {
  return {
    id: String(e.id),
    at: e.at.toISOString(),
    actor: { keyId: e.actorKeyId, name: e.actorName, role: e.actorRole },
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    before: e.before,
    after: e.after,
    requestId: e.requestId,
  };
}
