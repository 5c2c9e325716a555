import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, type EntityManager } from 'typeorm';
import { afterCommit, inTransaction } from '../../common/ambient-transaction.js';
import type { AuditAction } from '../../audit/audit-entry.entity.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../auth/actor.js';
import { type ConfigKind, SLA_CONFIG_CHANGED, type SlaConfigChangedEvent } from './config-changed.event.js';

/**
 * What a configuration write did: its result, and the id it changed (null: nothing changed, e.g. an identical PUT)
 * with the change for the audit log (the resource as the API shows it before and after).
 */
export type ConfigWrite<T> =
  | { value: T; changedId: null }
  | {
      value: T;
      changedId: string;
      change: { action: AuditAction; before: object | null; after: object | null };
    };

/**
 * The one way configuration is written: a transaction that first locks the revision row (so writes are serialised
 * and their existence/conflict checks are race-free), bumps the revision and records the change in the audit log
 * when something changed, and announces the change only after the commit, so that listeners never see a change that
 * was rolled back. Inside `inOneTransaction` (configuration as code) it joins that transaction and announces after
 * its commit.
 */
@Injectable()
export class ConfigChangesService {
  private readonly logger = new Logger(ConfigChangesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
    private readonly audit: AuditLog,
  ) {}

  async write<T>(
    kind: ConfigKind,
    actor: Actor,
    work: (tx: EntityManager) => Promise<ConfigWrite<T>>,
  ): Promise<T> {
    const { value, event } = await inTransaction(this.dataSource.manager, async (tx) => {
      await tx.query('SELECT revision FROM config_revision WHERE id = 1 FOR UPDATE');
      const outcome = await work(tx);
      if (outcome.changedId === null) return { value: outcome.value, event: null };
      await this.audit.record(tx, actor, {
        resourceType: kind,
        resourceId: outcome.changedId,
        ...outcome.change,
      });
      const rows = firstResultSet<{ revision: number }>(
        await tx.query(
          'UPDATE config_revision SET revision = revision + 1, changed_at = now() WHERE id = 1 RETURNING revision',
        ),
      );
      const changed: SlaConfigChangedEvent = { kind, id: outcome.changedId, revision: rows[0].revision };
      return { value: outcome.value, event: changed };
    });
    if (event) afterCommit(() => this.announce(event));
    return value;
  }

  /** The instant a write happens, from the database clock (shared by all processes), to the millisecond. */
  async now(tx: EntityManager): Promise<Date> {
    const rows: Array<{ now: Date }> = await tx.query(
      `SELECT date_trunc('milliseconds', clock_timestamp()) AS now`,
    );
    return rows[0].now;
  }

  private announce(event: SlaConfigChangedEvent): void {
    try {
      this.events.emit(SLA_CONFIG_CHANGED, event);
    } catch (error) {
      // The change is committed; a failing listener must not turn it into an error for the client.
      this.logger.error(`A ${SLA_CONFIG_CHANGED} listener failed: ${(error as Error).message}`);
    }
  }
}

/** TypeORM returns `[rows, rowCount]` for UPDATE … RETURNING on Postgres and plain rows for SELECT. */
function firstResultSet<R>(result: R[] | [R[], number]): R[] {
  return Array.isArray(result[0]) ? (result[0] as R[]) : (result as R[]);
}
