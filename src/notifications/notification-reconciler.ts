import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { LockedPass } from '../common/locked-pass.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { NotificationPlanner } from './notification-planner.js';
import { WriteBackPlanner } from './writeback/writeback-planner.js';

/** Fixed advisory-lock key: one notification pass at a time across all worker processes. */
const NOTIFY_LOCK_KEY = 734_190_202;
const INTERVAL_NAME = 'notification-reconciler';

/**
 * Nothing lost between a commit and its jobs: one process at a time plans deliveries for the last day's steps that
 * have none (their process died before the event listener ran), and enqueues every pending delivery that has
 * waited longer than a pass (its job was lost with Redis's data). Job ids are per delivery, so a job that still
 * exists is not added twice.
 */
@Injectable()
export class NotificationReconciler extends LockedPass {
  private readonly everyMs: number;

  constructor(
    @InjectDataSource() db: DataSource,
    private readonly planner: NotificationPlanner,
    private readonly writeBack: WriteBackPlanner,
    scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const everyMs = config.NOTIFY_SCAN_SECONDS * 1000;
    super({ db, scheduler, name: INTERVAL_NAME, what: 'notification', lockKey: NOTIFY_LOCK_KEY, everyMs });
    this.everyMs = everyMs;
  }

  /** A pass; returns how many deliveries it enqueued. */
  protected async work(tx: EntityManager): Promise<number> {
    const planned = [...(await this.planner.plan(null)), ...(await this.writeBack.planMet(null))];
    const waiting: Array<{ id: string }> = await tx.query(
      `SELECT id FROM notifications WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT 5000`,
      [this.everyMs / 1000],
    );
    const ids = [...new Set([...planned, ...waiting.map((w) => w.id)])];
    await this.planner.enqueue(ids);
    if (planned.length > 0) this.logger.warn(`${planned.length} deliveries planned by the reconciler`);
    return ids.length;
  }
}
