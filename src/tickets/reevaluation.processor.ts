import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import {
  REEVALUATE_BATCH_SIZE,
  ReevaluateJob,
  type ReevaluateJobData,
  reevaluateJobId,
  TicketsQueue,
} from './reevaluation.queue.js';
import { TicketIngestService } from './ticket-ingest.service.js';

/** Tickets per re-evaluation transaction: large enough to save round trips, small enough to hold locks briefly. */
const REEVALUATE_CHUNK = 50;

/**
 * Re-evaluates tickets after a configuration change. The scan job pages through candidate
 * tickets by id and fans out batch jobs, so many workers share a large re-evaluation; each
 * batch skips tickets already evaluated under the job's revision or a later one (by an event, or a newer job).
 */
@Processor(TicketsQueue.Reevaluate, { concurrency: 4 })
export class ReevaluationProcessor extends WorkerHost {
  private readonly logger = new Logger(ReevaluationProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(TicketsQueue.Reevaluate) private readonly queue: Queue,
    private readonly ingest: TicketIngestService,
  ) {
    super();
  }

  async process(job: Job): Promise<{ tickets: number }> {
    switch (job.name as ReevaluateJob) {
      case ReevaluateJob.Scan:
        return this.scan(job.data as ReevaluateJobData[ReevaluateJob.Scan]);
      case ReevaluateJob.Batch:
        return this.batch(job.data as ReevaluateJobData[ReevaluateJob.Batch]);
      default:
        throw new Error(`No handler for job "${job.name}" on queue "${TicketsQueue.Reevaluate}"`);
    }
  }

  /**
   * Candidates: open tickets (a new or changed policy may now apply to them) and any ticket with a
   * clock still counting. Stopped clocks keep their outcome: the engine judges them under the
   * policy versions in force when they stopped.
   */
  private async scan({ revision }: ReevaluateJobData[ReevaluateJob.Scan]): Promise<{ tickets: number }> {
    let after = '00000000-0000-0000-0000-000000000000';
    let total = 0;
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT t.id FROM tickets t
         WHERE t.id > $1
           AND (t.config_revision IS NULL OR t.config_revision < $2)
           AND ((t.status NOT IN ('solved', 'closed') AND t.removed IS NULL)
                OR EXISTS (SELECT 1 FROM ticket_clocks c
                           WHERE c.ticket_id = t.id AND c.stopped_at IS NULL
                             AND c.state IN ('running', 'paused', 'breached')))
         ORDER BY t.id LIMIT $3`,
        [after, revision, REEVALUATE_BATCH_SIZE],
      );
      if (rows.length === 0) break;
      const ticketIds = rows.map((r) => r.id);
      await this.queue.add(
        ReevaluateJob.Batch,
        { revision, ticketIds },
        {
          jobId: reevaluateJobId(ReevaluateJob.Batch, revision, ticketIds[0]),
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      );
      total += ticketIds.length;
      after = ticketIds[ticketIds.length - 1];
    }
    this.logger.log(`Revision ${revision}: ${total} tickets queued for re-evaluation`);
    return { tickets: total };
  }

  private async batch({
    revision,
    ticketIds,
  }: ReevaluateJobData[ReevaluateJob.Batch]): Promise<{ tickets: number }> {
    // Re-read: events or a later revision may have re-evaluated some of them already.
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM tickets WHERE id = ANY($1::uuid[]) AND (config_revision IS NULL OR config_revision < $2) ORDER BY id`,
      [ticketIds, revision],
    );
    // In chunks, one transaction each: a ticket deleted meanwhile is simply not found.
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += REEVALUATE_CHUNK)
      await this.ingest.reevaluateMany(ids.slice(i, i + REEVALUATE_CHUNK));
    return { tickets: rows.length };
  }
}
