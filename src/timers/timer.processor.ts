import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { TicketIngestService } from '../tickets/ticket-ingest.service.js';
import { TimerJob, type TimerJobData, TimersQueue } from './timers.queue.js';

/** Jobs that fire within this long of each other are evaluated together (one transaction). */
const BATCH_WINDOW_MS = 15;
/**
 * Redis hands out jobs one fetch at a time, and all workers' fetches queue in Redis: a burst's first batch starts
 * only after about EVALUATING_MAX × BATCH_MAX fetches. In bench:timers the first job of a burst reached a batch
 * 0.33 s after its instant with 2 × 1,000, and 0.13–0.17 s with 2 × 500; larger batches saved less than that.
 */
const BATCH_MAX = 500;
const EVALUATING_MAX = 3;
/**
 * Workers on the queue in this process. A BullMQ worker fetches jobs one round trip at a time until it holds its
 * `concurrency` and only then starts the first, so one worker holding EVALUATING_MAX batches' worth would start a
 * burst's first batch only after some thousand sequential fetches; four fetch in parallel and start it sooner.
 */
const WORKERS = 4;
/** Jobs each worker holds: together, enough for the batches being evaluated and the next one filling. */
const WORKER_CONCURRENCY = (EVALUATING_MAX * BATCH_MAX) / WORKERS;

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
@Processor(TimersQueue.Fire, { concurrency: WORKER_CONCURRENCY })
export class TimerProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  /** The workers besides the one @Processor made (WORKERS), with its options; all feed the same batches. */
  private readonly workers: Worker[] = [];
  private batch: Batch | null = null;
  /**
   * Batches being evaluated, up to EVALUATING_MAX: one's engine work overlaps the others' writes, and a burst still
   * makes a few large batches rather than many small ones contending for connections (three measured a little
   * faster than two in bench:timers).
   */
  private evaluating = 0;

  constructor(private readonly ingest: TicketIngestService) {
    super();
  }

  onApplicationBootstrap(): void {
    for (let i = 1; i < WORKERS; i++)
      this.workers.push(new Worker(this.worker.name, (job) => this.process(job), { ...this.worker.opts }));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
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
      // Each ticket is evaluated only if its step is still due under the clocks as stored (checked under its lock).
      await this.ingest.reevaluateMany([...batch.due.keys()], batch.due);
      batch.settle();
    } catch (error) {
      batch.settle(error ?? new Error('timer batch failed'));
    }
  }
}
