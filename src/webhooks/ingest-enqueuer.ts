import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  batchJobId,
  deliveryJobId,
  IngestJob,
  type IngestJobPayloads,
  WebhookQueue,
} from './ingest-queue.js';

/** How long one add may take before intake stops waiting for it (Redis is slow or away). */
const ADD_TIMEOUT_MS = 2_000;
/** Inbox ids kept for a later add while Redis is away; beyond that the reconciler finds them in PostgreSQL. */
const MAX_HELD = 100_000;
const RETRY_EVERY_MS = 1_000;

/**
 * Adds ingest jobs. A failed add loses nothing: the rows stay pending in PostgreSQL. Ids that could not be added
 * are held (bounded) and added again as soon as Redis answers, so a Redis outage delays processing by about the
 * outage, not by the reconciler's stuck timeout.
 */
@Injectable()
export class IngestEnqueuer implements OnModuleDestroy {
  private readonly logger = new Logger(IngestEnqueuer.name);
  private lastWarning = 0;
  private held: string[] = [];
  private retrying: NodeJS.Timeout | null = null;

  constructor(@InjectQueue(WebhookQueue.Ingest) private readonly queue: Queue) {}

  /** Never waits: adds in the background, holding the ids for a retry when the add fails or takes too long. */
  enqueueBatchLater(inboxIds: string[]): void {
    if (inboxIds.length === 0) return;
    void this.tryAdd(inboxIds).then((ok) => {
      if (!ok) this.hold(inboxIds);
    });
  }

  onModuleDestroy(): void {
    if (this.retrying) clearTimeout(this.retrying);
  }

  private async tryAdd(inboxIds: string[]): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), ADD_TIMEOUT_MS)),
    );
    try {
      return await Promise.race([this.enqueueBatch(inboxIds).then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private hold(inboxIds: string[]): void {
    const room = MAX_HELD - this.held.length;
    if (room > 0) this.held.push(...inboxIds.slice(0, room));
    this.retrying ??= setTimeout(() => void this.retryHeld(), RETRY_EVERY_MS);
  }

  private async retryHeld(): Promise<void> {
    this.retrying = null;
    const ids = this.held.splice(0, 500);
    if (ids.length === 0) return;
    if (!(await this.tryAdd(ids))) {
      this.held.unshift(...ids);
      this.retrying ??= setTimeout(() => void this.retryHeld(), RETRY_EVERY_MS);
    } else if (this.held.length > 0) this.retrying ??= setTimeout(() => void this.retryHeld(), 0);
  }

  /** One job for a whole group commit: one Redis round trip for hundreds of deliveries. Throws when Redis fails. */
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
      this.warnRarely(`could not enqueue ${inboxIds.length} deliveries (retrying): ${String(error)}`);
      throw error;
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
