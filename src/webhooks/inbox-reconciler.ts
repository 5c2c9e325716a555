import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { OncePer } from '../common/outage.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DeliveryProcessor } from './delivery-processor.service.js';
import { IngestEnqueuer } from './ingest-enqueuer.js';
import { INBOX_TIMING, type InboxTiming } from './inbox-timing.js';
import { pgPool } from './pg-pool.js';

/** Fixed advisory-lock key: one reconciler at a time across all worker processes. */
const RECONCILER_LOCK_KEY = 734_190_101;
const PAGE = 1_000;
const INTERVAL_NAME = 'inbox-reconciler';
/** A claim younger than this may not be in the in-flight set yet (the claim's answer is still on its way). */
const ORPHAN_GRACE_SECONDS = 5;

/**
 * Redis holds only a copy of the work: this puts back inbox rows whose job was lost — `pending` or
 * `processing` for longer than the stuck timeout, `failed` well past its retry delay. Only the process
 * that holds the advisory lock runs a round; the job ids make a re-run within the same round a no-op.
 */
@Injectable()
export class InboxReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InboxReconciler.name);
  private running = false;
  private readonly failures = new OncePer(60_000);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly enqueuer: IngestEnqueuer,
    private readonly processor: DeliveryProcessor,
    private readonly metrics: MetricsService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(INBOX_TIMING) private readonly timing: InboxTiming,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.reclaimOwn();
    // Interval length comes from configuration, so it is registered here rather than with @Interval().
    const handle = setInterval(() => void this.reconcile(), this.timing.reconcileEveryMs);
    this.scheduler.addInterval(INTERVAL_NAME, handle);
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
  }

  /**
   * After a crash, the rows this worker had claimed are still `processing` under its WORKER_ID: put them back now
   * rather than after the stuck timeout.
   */
  async reclaimOwn(): Promise<number> {
    try {
      const { rows } = await pgPool(this.dataSource).query<{ id: string; attempts: number }>(
        `UPDATE inbox_deliveries SET status = 'pending', claimed_by = NULL, updated_at = now()
          WHERE status = 'processing' AND claimed_by = $1 RETURNING id, attempts`,
        [this.config.WORKER_ID],
      );
      for (const row of rows) await this.enqueuer.enqueueDelivery(row.id, row.attempts, 0, 'boot');
      if (rows.length > 0)
        this.logger.log(`took back ${rows.length} deliveries this worker had claimed before a restart`);
      return rows.length;
    } catch (error) {
      this.logger.warn(`could not take back this worker's earlier claims: ${(error as Error).message}`);
      return 0;
    }
  }

  /**
   * Rows this worker claimed but no longer works on: the chunk failed because PostgreSQL went away mid-way, and
   * marking them failed failed too. Back to pending now, rather than after the stuck timeout.
   */
  private async releaseOrphans(client: { query: ReturnType<typeof pgPool>['query'] }): Promise<number> {
    const { rows } = await client.query<{ id: string; attempts: number }>(
      `UPDATE inbox_deliveries SET status = 'pending', claimed_by = NULL, updated_at = now()
        WHERE status = 'processing' AND claimed_by = $1 AND NOT (id = ANY($2::bigint[]))
          AND updated_at < now() - make_interval(secs => $3)
        RETURNING id, attempts`,
      [this.config.WORKER_ID, this.processor.inFlightIds(), ORPHAN_GRACE_SECONDS],
    );
    for (const row of rows) await this.enqueuer.enqueueDelivery(row.id, row.attempts, 0, 'orphan');
    if (rows.length > 0) {
      this.metrics.inboxRequeued.inc({ reason: 'orphan' }, rows.length);
      this.logger.log(`took back ${rows.length} deliveries left claimed by a failed chunk`);
    }
    return rows.length;
  }

  /** One round; returns how many deliveries were re-enqueued (0 when another process holds the lock). */
  async reconcile(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let client: pg.PoolClient | undefined;
    try {
      // Inside the try: during a PostgreSQL outage this is what fails, and a round must never crash the process.
      client = await pgPool(this.dataSource).connect();
      // Every worker looks after its own claims; the lock below is for the shared sweep only.
      const released = await this.releaseOrphans(client);
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        RECONCILER_LOCK_KEY,
      ]);
      if (!rows[0]?.locked) return released;
      try {
        return released + (await this.requeueStuck(client));
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [RECONCILER_LOCK_KEY]);
      }
    } catch (error) {
      this.failures.run((n) =>
        this.logger.warn(
          `reconcile round failed: ${(error as Error).message}${n ? ` (${n} more since)` : ''}`,
        ),
      );
      return 0;
    } finally {
      client?.release();
      this.running = false;
    }
  }

  private async requeueStuck(client: { query: ReturnType<typeof pgPool>['query'] }): Promise<number> {
    const stuckSecs = this.timing.stuckAfterMs / 1000;
    const round = String(Math.floor(Date.now() / this.timing.stuckAfterMs));
    let total = 0;
    let after = '0';
    for (;;) {
      const { rows } = await client.query<{ id: string; attempts: number }>(
        `SELECT id, attempts FROM inbox_deliveries
          WHERE id > $1::bigint
            AND ((status IN ('pending', 'processing') AND updated_at < now() - make_interval(secs => $2::float8))
              OR (status = 'failed' AND updated_at < now()
                    - make_interval(secs => $2::float8 + least(2 * power(2, attempts - 1), 300))))
          ORDER BY id LIMIT ${PAGE}`,
        [after, stuckSecs],
      );
      for (const row of rows) await this.enqueuer.enqueueDelivery(row.id, row.attempts, 0, `r${round}`);
      total += rows.length;
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    if (total > 0) {
      this.metrics.inboxRequeued.inc({ reason: 'stuck' }, total);
      this.logger.log(`re-enqueued ${total} inbox deliveries whose jobs were lost or stalled`);
    }
    return total;
  }
}
