import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { LockedPass } from '../common/locked-pass.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { returnedRows } from '../tickets/ticket-store.js';
import { businessMs, calendarMs, countedAt, decided, DIMENSIONS, factCells } from './report-facts.js';

/** Fixed advisory-lock key: one rollup pass at a time across all worker processes. */
const ROLLUP_LOCK_KEY = 734_190_301;
/** Days rebuilt per statement, and how long one pass keeps going (a first build after an upgrade takes several). */
const DAYS_PER_CHUNK = 31;
const PASS_BUDGET_MS = 10_000;

const TAKE_DIRTY_DAYS_SQL = `
  DELETE FROM report_dirty_days
  WHERE day IN (SELECT DISTINCT day FROM report_dirty_days ORDER BY day LIMIT ${DAYS_PER_CHUNK})
  RETURNING to_char(day, 'YYYY-MM-DD') AS day`;

/**
 * The decided clocks of the given local days (in the rollup's zone), as report facts with their day, computed once
 * for the three kinds of cells (they were read three times, the tickets hashed each time); the zone comes from a
 * one-row subquery, so the planner no longer multiplies every estimate by a guessed 450 settings rows. One day of
 * 11,000 clocks among a million: 0.19 s (it was 4 s with JIT); 31 days: 1.7 s (4.3 s).
 */
const REBUILD_SQL = `
  WITH days AS (
    SELECT day, day::timestamp AT TIME ZONE s.time_zone AS lo, (day + 1)::timestamp AT TIME ZONE s.time_zone AS hi
    FROM unnest($1::date[]) AS day, (SELECT time_zone FROM report_rollup_settings WHERE id = 1) s
  ), facts AS MATERIALIZED (
    SELECT d.day, ${DIMENSIONS.map((k) => (k === 'metric' ? 'c.metric' : `t.${k}`)).join(', ')},
           CASE WHEN c.state = 'met' THEN 0 ELSE 1 END AS outcome,
           ${businessMs('c')} AS business_ms, ${calendarMs('c')} AS calendar_ms
    FROM days d
    JOIN ticket_clocks c ON ${decided('c')} AND ${countedAt('c')} >= d.lo AND ${countedAt('c')} < d.hi
    JOIN tickets t ON t.id = c.ticket_id AND t.removed IS NULL
  )
  INSERT INTO report_rollup (day, ${DIMENSIONS.join(', ')}, kind, bucket, n, breached, min_ms, max_ms)
  SELECT day, ${DIMENSIONS.join(', ')}, kind, bucket, n, breached, min_ms, max_ms
  FROM (${factCells('facts', ['day', ...DIMENSIONS])}) cells`;

/**
 * Keeps the compliance reports' daily rollups fresh, one process at a time: every REPORT_ROLLUP_SECONDS it takes the
 * days the triggers marked stale (a decided clock or its ticket changed) and rebuilds them from the clocks. A day
 * marked again while it is rebuilt keeps its new mark (the marks are rows, taken by id), so it is rebuilt again.
 * It also follows REPORT_TIME_ZONE: when the zone changes, every rollup is dropped and every day is rebuilt in the
 * new zone (reports read the clocks meanwhile).
 */
@Injectable()
export class ReportRollupService extends LockedPass {
  private readonly timeZone: string;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super({
      db: dataSource,
      scheduler,
      name: 'report-rollup',
      what: 'report rollup',
      lockKey: ROLLUP_LOCK_KEY,
      everyMs: config.REPORT_ROLLUP_SECONDS * 1000,
    });
    this.timeZone = config.REPORT_TIME_ZONE;
  }

  /** A pass: rebuilds the stale days; returns how many. */
  protected async work(tx: EntityManager): Promise<number> {
    // The rebuild's cost estimates pass the JIT threshold, and compiling took 0.6 s of a 0.8 s day rebuild.
    await tx.query('SET LOCAL jit = off');
    await this.followTimeZone(tx);
    const started = Date.now();
    let rebuilt = 0;
    while (Date.now() - started < PASS_BUDGET_MS) {
      const taken = returnedRows<{ day: string }>(await tx.query(TAKE_DIRTY_DAYS_SQL));
      const days = [...new Set(taken.map((r) => r.day))];
      if (days.length === 0) break;
      await tx.query('DELETE FROM report_rollup WHERE day = ANY($1::date[])', [days]);
      await tx.query(REBUILD_SQL, [days]);
      rebuilt += days.length;
    }
    return rebuilt;
  }

  private async followTimeZone(tx: EntityManager): Promise<void> {
    const [{ time_zone }] = (await tx.query(
      'SELECT time_zone FROM report_rollup_settings WHERE id = 1',
    )) as Array<{
      time_zone: string;
    }>;
    if (time_zone === this.timeZone) return;
    this.logger.log(`report rollups move from ${time_zone} to ${this.timeZone}: rebuilding every day`);
    await tx.query('UPDATE report_rollup_settings SET time_zone = $1 WHERE id = 1', [this.timeZone]);
    await tx.query('DELETE FROM report_rollup');
    await tx.query('DELETE FROM report_dirty_days');
    await tx.query(
      `INSERT INTO report_dirty_days (day)
       SELECT DISTINCT (${countedAt('c')} AT TIME ZONE $1)::date FROM ticket_clocks c WHERE ${decided('c')}`,
      [this.timeZone],
    );
  }
}
