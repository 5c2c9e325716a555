import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { MetricsService } from '../metrics/metrics.service.js';
import { DeliveryProcessor, type DeliveryOutcome } from './delivery-processor.service.js';
import { IngestEnqueuer } from './ingest-enqueuer.js';
import { IngestJob, type IngestJobPayloads, retryDelayMs, WebhookQueue } from './ingest-queue.js';

/**
 * Worker role only. Batches of deliveries, or single ones (retries, reconciler, manual retry). Every job
 * also tops its chunk up with other pending deliveries: under load one job does the work of many (their
 * own jobs then find nothing left to claim), so the per-transaction costs are shared by hundreds of
 * deliveries. Retries are scheduled here from the attempt count stored in Postgres, so they survive a
 * lost Redis.
 *
 * Concurrency 2: while one chunk waits on Postgres the other evaluates; more would only add lock waits
 * and CPU contention on a small machine (and leave less CPU to the accept path under ROLE=all).
 */
@Processor(WebhookQueue.Ingest, { concurrency: 2 })
export class IngestProcessor extends WorkerHost {
  constructor(
    private readonly deliveries: DeliveryProcessor,
    private readonly enqueuer: IngestEnqueuer,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  async process(job: Job): Promise<{ processed: number; failed: number; dead: number }> {
    const name = job.name as IngestJob;
    switch (name) {
      case IngestJob.Batch:
        return this.run((job.data as IngestJobPayloads[IngestJob.Batch]).inboxIds);
      case IngestJob.Delivery:
        return this.run([(job.data as IngestJobPayloads[IngestJob.Delivery]).inboxId]);
      default: {
        const unknown: never = name;
        throw new Error(`no handler for ingest job "${String(unknown)}"`);
      }
    }
  }

  private async run(ids: string[]): Promise<{ processed: number; failed: number; dead: number }> {
    const outcomes = await this.deliveries.process(ids, { topUp: true });
    await Promise.all(outcomes.map((o) => this.scheduleRetry(o)));
    const count = (r: DeliveryOutcome['result']) => outcomes.filter((o) => o.result === r).length;
    const totals = { processed: count('processed'), failed: count('failed'), dead: count('dead') };
    this.metrics.ingestProcessed.inc({ result: 'processed' }, totals.processed);
    this.metrics.ingestProcessed.inc({ result: 'retried' }, totals.failed);
    this.metrics.ingestProcessed.inc({ result: 'dead' }, totals.dead);
    return totals;
  }

  private async scheduleRetry(outcome: DeliveryOutcome): Promise<void> {
    if (outcome.result !== 'failed') return;
    // If this add fails, the row is `failed` in Postgres and the reconciler retries it later.
    await this.enqueuer
      .enqueueDelivery(outcome.id, outcome.attempts, retryDelayMs(outcome.attempts))
      .catch(() => undefined);
  }
}
