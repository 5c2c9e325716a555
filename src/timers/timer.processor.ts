import { Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors.js';
import { TicketIngestService } from '../tickets/ticket-ingest.service.js';
import { TimerJob, type TimerJobData, TimersQueue } from './timers.queue.js';

/**
 * A timer is "evaluate this ticket at this instant": the evaluation records whatever step it finds due (the
 * StepRecorder), so a job that fires for a clock that was paused, answered or re-prioritised in the meantime
 * records nothing. A job whose instant is no longer the ticket's next step is stale and skipped without
 * evaluating; the ticket's current instant has a job of its own.
 */
@Processor(TimersQueue.Fire, { concurrency: 16 })
export class TimerProcessor extends WorkerHost {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ingest: TicketIngestService,
  ) {
    super();
  }

  async process(job: Job): Promise<'evaluated' | 'stale'> {
    if (job.name !== TimerJob.Fire)
      throw new Error(`No handler for job "${job.name}" on "${TimersQueue.Fire}"`);
    const { ticketId, at } = job.data as TimerJobData[TimerJob.Fire];
    const rows: Array<{ next_step_at: Date | null }> = await this.dataSource.query(
      'SELECT next_step_at FROM tickets WHERE id = $1',
      [ticketId],
    );
    const next = rows[0]?.next_step_at?.getTime() ?? null;
    if (next === null || next > at) return 'stale';
    // Redis and this process may disagree on the time by a few milliseconds: never evaluate before the instant.
    const early = next - Date.now();
    if (early > 0) await sleep(early);
    try {
      await this.ingest.reevaluate(ticketId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    return 'evaluated';
  }
}
