import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  batchJobId,
  deliveryJobId,
  IngestJob,
  type IngestJobPayloads,
  WebhookQueue,
} from './ingest-queue.js';

/** Adds ingest jobs. A failed add loses nothing: the rows stay pending and the reconciler re-enqueues them. */
@Injectable()
export class IngestEnqueuer {
  private readonly logger = new Logger(IngestEnqueuer.name);
  private lastWarning = 0;

  constructor(@InjectQueue(WebhookQueue.Ingest) private readonly queue: Queue) {}

  /** One job for a whole group commit: one Redis round trip for hundreds of deliveries. */
  async enqueueBatch(inboxIds: string[]): Promise<void> {
    if (inboxIds.length === 0) return;
    const data: IngestJobPayloads[IngestJob.Batch] = { inboxIds };
    try {
      await this.queue.add(IngestJob.Batch, data, {
        jobId: batchJobId(inboxIds[0]!),
        attempts: 3,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: 1_000,
      });
    } catch (error) {
      this.warnRarely(
        `could not enqueue ${inboxIds.length} deliveries (the reconciler will): ${String(error)}`,
      );
    }
  }

  /** `salt` makes a deliberate re-run (manual retry, reconciler) distinct from an earlier job with the same state. */
  async enqueueDelivery(inboxId: string, attempts: number, delayMs = 0, salt = ''): Promise<void> {
    const data: IngestJobPayloads[IngestJob.Delivery] = { inboxId };
    await this.queue.add(IngestJob.Delivery, data, {
      jobId: deliveryJobId(inboxId, attempts, salt),
      delay: delayMs,
      removeOnComplete: true,
      removeOnFail: 1_000,
    });
  }

  /** A Redis outage would otherwise log once per group commit. */
  private warnRarely(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}
