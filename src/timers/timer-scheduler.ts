import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TICKET_CLOCKS_CHANGED, type TicketsClocksChanged } from '../tickets/tickets.events.js';
import { TimerJob, type TimerJobData, timerJobId, TimersQueue } from './timers.queue.js';

/**
 * An instant this close, or past, gets a job of its own rather than the instant's shared one: the shared job may
 * already be running (or, with clocks a little apart, about to), and a ticket placed after its claim would wait for
 * the reconciler. Far more than the clock difference between processes; a shared job starts only at its instant.
 */
const NEAR_MS = 2_000;

/**
 * Places delayed jobs for steps that fall due within the horizon: one job per instant, which evaluates every ticket
 * due by then (the DueSweeper). Called right after an evaluation commits (in the process that evaluated) and by the
 * reconciler's passes; steps further away wait in PostgreSQL, so Redis holds one small job per distinct instant within
 * the horizon (10,000 deadlines at one instant are one job), not one per clock and step.
 */
@Injectable()
export class TimerScheduler {
  private readonly logger = new Logger(TimerScheduler.name);
  readonly horizonMs: number;
  /** Ids of this process's near jobs: unique, so that a running job never absorbs a new placement. */
  private readonly processToken = randomBytes(4).toString('hex');
  private nearJobs = 0;

  constructor(
    @InjectQueue(TimersQueue.Fire) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.horizonMs = config.TIMER_HORIZON_SECONDS * 1000;
  }

  @OnEvent(TICKET_CLOCKS_CHANGED, { async: true, promisify: true })
  async onClocksChanged(changes: TicketsClocksChanged): Promise<void> {
    const until = Date.now() + this.horizonMs;
    const near = changes.flatMap((c) =>
      c.nextStepAt !== null && c.nextStepAt <= until ? [c.nextStepAt] : [],
    );
    if (near.length === 0) return;
    try {
      await this.place(near);
    } catch (error) {
      // PostgreSQL has next_step_at: the reconciler places the jobs on its next pass.
      this.logger.warn(`Could not place ${near.length} timers now: ${(error as Error).message}`);
    }
  }

  /**
   * Adds the jobs for these instants in one round trip; shared ones that already exist are left as they are.
   * Instants already past become one job due now: any run evaluates everything due.
   */
  async place(instants: readonly number[]): Promise<void> {
    if (instants.length === 0) return;
    const now = Date.now();
    const distinct = new Set<number>();
    for (const at of instants) distinct.add(Math.max(at, now));
    await this.queue.addBulk(
      [...distinct].map((at) => ({
        name: TimerJob.Fire,
        data: { at } satisfies TimerJobData[TimerJob.Fire],
        opts: {
          jobId:
            at - now > NEAR_MS ? timerJobId(at) : `${timerJobId(at)}-${this.processToken}-${++this.nearJobs}`,
          delay: at - now,
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600 },
          attempts: 5,
          backoff: { type: 'exponential', delay: 500 },
        },
      })),
    );
  }
}
