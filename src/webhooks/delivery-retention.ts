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
import { pgPool } from './pg-pool.js';

/** Fixed advisory-lock key: one retention pass at a time across all worker processes. */
const RETENTION_LOCK_KEY = 734_190_111;
const INTERVAL_NAME = 'delivery-retention';
const EVERY_MS = 60 * 60 * 1000;
/** Rows cleared per statement: short statements, short row locks, no long transaction. */
const BATCH = 1_000;

/**
 * Delivery retention: bodies and headers of deliveries received more than DELIVERY_RETENTION_DAYS ago are removed
 * (they hold customer data); the row stays with its status, key and times, and its events and clocks are untouched.
 * Only finished deliveries (processed or dead) are pruned: one still being worked on keeps its body until it ends.
 * Hourly, one process at a time (advisory lock); a database outage skips a pass and never crashes the process.
 */
@Injectable()
export class DeliveryRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryRetention.name);
  private readonly failures = new OncePer(60_000);
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.DELIVERY_RETENTION_DAYS === 0) return;
    setImmediate(() => void this.prune());
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.prune(), EVERY_MS),
    );
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
  }

  /** One pass; returns how many deliveries it pruned (0 when another process holds the lock, or on failure). */
  async prune(now = new Date()): Promise<number> {
    const days = this.config.DELIVERY_RETENTION_DAYS;
    if (days === 0 || this.running) return 0;
    this.running = true;
    let client: pg.PoolClient | undefined;
    let failed: Error | undefined;
    try {
      // Inside the try: during a PostgreSQL outage this is what fails.
      client = await pgPool(this.dataSource).connect();
      // A connection lost between statements is reported by the next query; unheard, it would crash the process.
      client.on('error', ignore);
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        RETENTION_LOCK_KEY,
      ]);
      if (!rows[0]?.locked) return 0;
      try {
        const cutoff = new Date(now.getTime() - days * 24 * 3600 * 1000);
        let total = 0;
        for (;;) {
          const { rowCount } = await client.query(
            `UPDATE inbox_deliveries AS d
                SET body = ''::bytea, headers = '{}'::jsonb, pruned_at = now()
               FROM (SELECT id FROM inbox_deliveries
                      WHERE pruned_at IS NULL AND received_at < $1 AND status IN ('processed', 'dead')
                      ORDER BY received_at LIMIT ${BATCH}
                      FOR UPDATE SKIP LOCKED) AS doomed
              WHERE d.id = doomed.id`,
            [cutoff],
          );
          total += rowCount ?? 0;
          if ((rowCount ?? 0) < BATCH) break;
        }
        if (total > 0) {
          this.logger.log(
            `removed the bodies of ${total} deliveries received before ${cutoff.toISOString()}`,
          );
        }
        return total;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
      }
    } catch (error) {
      failed = error as Error;
      this.failures.run((n) =>
        this.logger.warn(
          `delivery retention pass failed: ${(error as Error).message}${n ? ` (${n} more since)` : ''}`,
        ),
      );
      return 0;
    } finally {
      client?.removeListener('error', ignore);
      // A failed pass may leave a broken connection: the pool then discards it instead of lending it again.
      client?.release(failed);
      this.running = false;
    }
  }
}

function ignore(): void {}
