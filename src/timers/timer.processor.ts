import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { DueSweeper } from './due-sweeper.js';
import { TimerJob, type TimerJobData, TimersQueue } from './timers.queue.js';

/**
 * Jobs held at once by this process's worker: many instants can fall due within one claim's evaluation (10,000
 * deadlines spread over 20 s are one every 2 ms), and each waits for the next claim loop.
 */
const WORKER_CONCURRENCY = 64;

/**
 * A timer job is a wake-up at an instant when a step falls due: the DueSweeper evaluates every ticket due by then,
 * and the evaluation records whatever step it finds due. A clock that was paused, answered or re-prioritised in the
 * meantime is no longer due, or records nothing.
 */
@Processor(TimersQueue.Fire, { concurrency: WORKER_CONCURRENCY })
export class TimerProcessor extends WorkerHost {
  constructor(private readonly sweeper: DueSweeper) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (job.name !== TimerJob.Fire)
      throw new Error(`No handler for job "${job.name}" on "${TimersQueue.Fire}"`);
    const { at } = job.data as TimerJobData[TimerJob.Fire];
    await this.sweeper.sweepFrom(at);
  }
}
