import { Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { TicketIngestService } from '../tickets/ticket-ingest.service.js';
import { TimerJob, type TimerJobData, TimersQueue } from './timers.queue.js';

/** Jobs that fire within this long of each other are evaluated together (one transaction). */
const BATCH_WINDOW_MS = 15;
const BATCH_MAX = 1000;
const EVALUATING_MAX = 2;

interface Batch {
  due: Map<string, number>;
  done: Promise<void>;
  settle: (error?: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * A timer is "evaluate this ticket at this instant": the evaluation records whatever step it finds due (the
 * StepRecorder), so a job that fires for a clock that was paused, answered or re-prioritised in the meantime
 * records nothing. A job whose instant is no longer the ticket's next step is stale and skipped without
 * evaluating (the ticket's current instant has a job of its own). Jobs that fire together (a burst of deadlines
 * at one instant) are evaluated in batches, which is what keeps a burst's drain close to the queue's own.
 */
@Processor(TimersQueue.Fire, { concurrency: BATCH_MAX })
export class TimerProcessor extends WorkerHost {
  private batch: Batch | null = null;
  /**
   * Batches being evaluated. Two at a time: one's engine work overlaps the other's writes, and a burst still
   * makes a few large batches rather than many small ones contending for connections.
   */
  private evaluating = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ingest: TicketIngestService,
  ) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (job.name !== TimerJob.Fire)
      throw new Error(`No handler for job "${job.name}" on "${TimersQueue.Fire}"`);
    const { ticketId, at } = job.data as TimerJobData[TimerJob.Fire];
    return this.join(ticketId, at);
  }

  private join(ticketId: string, at: number): Promise<void> {
    if (!this.batch) {
      let settle!: Batch['settle'];
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error as Error));
      });
      this.batch = {
        due: new Map(),
        done,
        settle,
        timer: setTimeout(() => this.flush(), BATCH_WINDOW_MS),
      };
    }
    const batch = this.batch;
    batch.due.set(ticketId, Math.min(at, batch.due.get(ticketId) ?? at));
    if (batch.due.size >= BATCH_MAX) this.flush();
    return batch.done;
  }

  private flush(): void {
    // While EVALUATING_MAX batches are evaluated the next keeps filling; it goes as soon as one of them is done.
    if (this.evaluating >= EVALUATING_MAX) return;
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    clearTimeout(batch.timer);
    this.evaluating++;
    void this.evaluate(batch).finally(() => {
      this.evaluating--;
      this.flush();
    });
  }

  private async evaluate(batch: Batch): Promise<void> {
    try {
      const rows: Array<{ id: string; next_step_at: Date | null }> = await this.dataSource.query(
        'SELECT id, next_step_at FROM tickets WHERE id = ANY($1::uuid[])',
        [[...batch.due.keys()]],
      );
      const current = rows.filter(
        (r) => r.next_step_at !== null && r.next_step_at.getTime() <= batch.due.get(r.id)!,
      );
      if (current.length > 0) {
        // Redis and this process may disagree on the time by a few milliseconds: never evaluate before the instant.
        const early = Math.max(...current.map((r) => r.next_step_at!.getTime())) - Date.now();
        if (early > 0) await sleep(early);
        await this.ingest.reevaluateMany(current.map((r) => r.id));
      }
      batch.settle();
    } catch (error) {
      batch.settle(error ?? new Error('timer batch failed'));
    }
  }
}
