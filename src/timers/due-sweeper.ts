import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { isConnectionError } from '../common/outage.js';
import { TicketIngestService } from '../tickets/ticket-ingest.service.js';
import { TimerScheduler } from './timer-scheduler.js';

/**
 * Tickets claimed and evaluated per transaction. In bench:timers, claims of 500 and three at a time drained a burst
 * of 10,000 fastest: one claim's engine work overlaps the others' writes, without many small transactions
 * contending for connections.
 */
const CLAIM_MAX = 500;
/** Claim loops running in this process at most. */
const LOOPS_MAX = 3;
/** A ticket whose evaluation fails on its own is left out of this process's claims this long. */
const QUARANTINE_MS = 60_000;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Evaluates the tickets whose next step is due, for the timer jobs: a job is a wake-up at an instant, and whatever
 * is due by then (one ticket, or 10,000 at one instant) is claimed from PostgreSQL's index on next_step_at in
 * batches (SKIP LOCKED, so that processes and loops split a burst without waiting for each other) and evaluated;
 * the evaluation records the steps it finds due. A claim that comes back full places a job that brings another
 * loop, in any worker process, to help.
 */
@Injectable()
export class DueSweeper {
  private readonly logger = new Logger(DueSweeper.name);
  /** Jobs waiting for a loop that starts after they arrived. */
  private waiting: Waiter[] = [];
  private loops = 0;
  /** Ticket id → until when it is left out of claims. */
  private readonly quarantined = new Map<string, number>();

  constructor(
    private readonly ingest: TicketIngestService,
    private readonly timers: TimerScheduler,
  ) {}

  /**
   * Resolves once a loop that started at or after `at` has claimed until nothing more was due and free, and what
   * it claimed is committed; rejects (the job retries) if that failed.
   */
  async sweepFrom(at: number): Promise<void> {
    // Redis and this process may disagree on the time by a few milliseconds: never claim before the instant.
    const early = at - Date.now();
    if (early > 0) await sleep(early);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.startLoops();
    });
  }

  private startLoops(): void {
    while (this.waiting.length > 0 && this.loops < LOOPS_MAX) {
      const waiters = this.waiting;
      this.waiting = [];
      void this.loop(waiters);
    }
  }

  private async loop(waiters: Waiter[]): Promise<void> {
    this.loops++;
    try {
      while ((await this.claimAndEvaluate()) >= CLAIM_MAX) await this.callForHelp();
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.loops--;
      this.startLoops();
    }
  }

  /** More is due than one claim holds: a job due now starts another loop in whichever worker takes it. */
  private async callForHelp(): Promise<void> {
    try {
      await this.timers.place([Date.now()]);
    } catch {
      // Redis is away: this loop goes on alone.
    }
  }

  /** One claim; returns how many tickets it held. */
  private async claimAndEvaluate(): Promise<number> {
    const now = Date.now();
    for (const [id, until] of this.quarantined) if (until <= now) this.quarantined.delete(id);
    const excluding = [...this.quarantined.keys()];
    try {
      return await this.ingest.reevaluateDue(CLAIM_MAX, excluding);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      return this.isolate(excluding, error);
    }
  }

  /**
   * A claim failed for a reason other than an outage: one ticket whose evaluation fails must not hold back the
   * others due with it. Evaluates them one at a time and leaves the ones that still fail out of claims for a while
   * (the reconciler keeps placing their timers, and the overdue-repair metric shows them).
   */
  private async isolate(excluding: string[], cause: unknown): Promise<number> {
    const ids = await this.ingest.dueTicketIds(CLAIM_MAX, excluding);
    let failed = 0;
    for (const id of ids) {
      try {
        await this.ingest.reevaluateMany([id]);
      } catch (error) {
        if (isConnectionError(error)) throw error;
        failed++;
        this.quarantined.set(id, Date.now() + QUARANTINE_MS);
        this.logger.error(
          `Ticket ${id} could not be evaluated for its timer; left out for ${QUARANTINE_MS / 1000} s: ${(error as Error).message}`,
        );
      }
    }
    // Nothing failed on its own: the claim's failure was not one ticket's; let the job retry it.
    if (ids.length > 0 && failed === 0) throw cause;
    return ids.length;
  }
}
