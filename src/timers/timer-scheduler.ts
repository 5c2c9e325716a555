import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TICKET_CLOCKS_CHANGED, type TicketsClocksChanged } from '../tickets/tickets.events.js';
import { TimerJob, timerJobId, TimersQueue } from './timers.queue.js';

export interface TimerPlacement {
  ticketId: string;
  at: number;
}

/**
 * Places delayed jobs for steps that fall due within the horizon. Called right after an evaluation commits (in the
 * process that evaluated) and by the reconciler's passes; steps further away wait in PostgreSQL, so Redis holds
 * about one small job per ticket whose next step is near, not one per clock and step.
 */
@Injectable()
export class TimerScheduler {
  private readonly logger = new Logger(TimerScheduler.name);
  readonly horizonMs: number;

  constructor(
    @InjectQueue(TimersQueue.Fire) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.horizonMs = config.TIMER_HORIZON_SECONDS * 1000;
  }

  @OnEvent(TICKET_CLOCKS_CHANGED, { async: true, promisify: true })
  async onClocksChanged(changes: TicketsClocksChanged): Promise<void> {
    const until = Date.now() + this.horizonMs;
    const near = changes.filter((c) => c.nextStepAt !== null && c.nextStepAt <= until);
    if (near.length === 0) return;
    try {
      await this.place(near.map((c) => ({ ticketId: c.ticketId, at: c.nextStepAt! })));
    } catch (error) {
      // PostgreSQL has next_step_at: the reconciler places the jobs on its next pass.
      this.logger.warn(`Could not place ${near.length} timers now: ${(error as Error).message}`);
    }
  }

  /** Adds the jobs in one round trip; ones that already exist are left as they are. */
  async place(placements: TimerPlacement[]): Promise<void> {
    if (placements.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      placements.map(({ ticketId, at }) => ({
        name: TimerJob.Fire,
        data: { ticketId, at },
        opts: {
          jobId: timerJobId(ticketId, at),
          delay: Math.max(0, at - now),
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600 },
          attempts: 5,
          backoff: { type: 'exponential', delay: 500 },
        },
      })),
    );
  }
}
