import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import { LockedPass } from '../common/locked-pass.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { TimerScheduler } from './timer-scheduler.js';
import { TimersQueue } from './timers.queue.js';

/** Fixed advisory-lock key: one timer pass at a time across all worker processes. */
const TIMER_LOCK_KEY = 734_190_201;
const INTERVAL_NAME = 'timer-reconciler';
/** Instants read, and their jobs placed, per round trip of a pass (a job serves every ticket due at its instant). */
const PAGE = 5_000;
/** A step whose instant passed this long ago without the ticket moving on has lost its job (or its run failed). */
const OVERDUE_GRACE_MS = 5_000;
/** SET KEYS[1] to ARGV[2] only while it still holds ARGV[1]; a deleted key (Redis emptied) stays deleted. */
const SET_IF_UNCHANGED = 'slaTimerHorizonSetIfUnchanged';
const SET_IF_UNCHANGED_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2]) end
return false`;

/**
 * Keeps Redis's delayed jobs in step with PostgreSQL's `tickets.next_step_at`, one process at a time:
 * - moves the steps that enter the horizon since the last pass into Redis;
 * - re-places the job of every ticket whose step is overdue (lost, or its run failed), so nothing is missed;
 * - when Redis has lost its data (the pass's marker key is gone), places every job within the horizon at once.
 * The marker holds the horizon end of the last pass, so the next pass (in any process) continues from there. A pass
 * moves it only if it still holds what the pass read (compare-and-set): were Redis emptied during the pass, a plain
 * SET would bring the marker back without the jobs, and the next passes would skip the full pass they now need.
 */
@Injectable()
export class TimerReconciler extends LockedPass {
  private readonly everyMs: number;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @InjectQueue(TimersQueue.Fire) private readonly queue: Queue,
    private readonly timers: TimerScheduler,
    scheduler: SchedulerRegistry,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const everyMs = config.TIMER_SCAN_SECONDS * 1000;
    super({
      db: dataSource,
      scheduler,
      name: INTERVAL_NAME,
      what: 'timer',
      lockKey: TIMER_LOCK_KEY,
      everyMs,
    });
    this.everyMs = everyMs;
  }

  /** A pass; returns how many jobs (instants) it placed. */
  protected async work(tx: EntityManager): Promise<number> {
    const client = await this.queue.getBackend().client;
    const markerKey = `${this.queue.keys.meta}:timer-horizon`;
    let marker = await client.get(markerKey);
    const now = Date.now();
    const horizonEnd = now + this.timers.horizonMs;
    // A full pass first claims the absent marker, so that emptying Redis during the pass is seen at its end.
    const full = marker === null || !/^\d+$/.test(marker);
    if (full) {
      marker = `full-pass:${now}:${process.pid}`;
      await client.set(markerKey, marker);
    }
    // Entering the horizon since the last pass (with one pass of overlap), plus everything overdue; page by page
    // (keyset), so that after Redis lost its data every job within the horizon is back within this one pass.
    const from = full ? null : Number(marker) - this.everyMs;
    let placed = 0;
    let overdue = 0;
    let after: Date | null = null;
    for (;;) {
      const rows = (await tx.query(
        `SELECT next_step_at, count(*)::int AS tickets FROM tickets
         WHERE next_step_at <= $1 AND ($2::timestamptz IS NULL OR next_step_at > $2 OR next_step_at < $3)
           AND ($4::timestamptz IS NULL OR next_step_at > $4)
         GROUP BY next_step_at ORDER BY next_step_at LIMIT ${PAGE}`,
        [
          new Date(horizonEnd),
          from === null ? null : new Date(from),
          new Date(now - OVERDUE_GRACE_MS),
          after,
        ],
      )) as Array<{ next_step_at: Date; tickets: number }>;
      await this.timers.place(rows.map((r) => r.next_step_at.getTime()));
      placed += rows.length;
      for (const r of rows) if (r.next_step_at.getTime() < now - OVERDUE_GRACE_MS) overdue += r.tickets;
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].next_step_at;
    }
    if (overdue > 0) {
      this.metrics.timerRepairs.inc(overdue);
      this.logger.warn(`${overdue} overdue timers placed again (lost from Redis, or their run failed)`);
    }
    if (full && placed > 0) this.logger.log(`placed the timers of ${placed} instants (full pass)`);
    // Defined on every pass: cheap, and the client may be a new one after a reconnect.
    client.defineCommand(SET_IF_UNCHANGED, { numberOfKeys: 1, lua: SET_IF_UNCHANGED_LUA });
    await client.runCommand(SET_IF_UNCHANGED, [markerKey, marker, String(horizonEnd)]);
    return placed;
  }
}
