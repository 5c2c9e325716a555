/**
 * The ingest queue: stable names (never derived from class names: jobs wait in Redis across deploys)
 * and payloads that carry inbox ids only; the processor re-reads the rows.
 */
export enum WebhookQueue {
  Ingest = 'ingest',
}

export enum IngestJob {
  /** Deliveries written by one group commit. jobId `batch-<first id>`. */
  Batch = 'ingest-batch',
  /** One delivery: a retry after a failure, a reconciler re-enqueue or a manual retry. jobId `delivery-<id>-<attempts>`. */
  Delivery = 'ingest-delivery',
}

export interface IngestJobPayloads {
  [IngestJob.Batch]: { inboxIds: string[] };
  [IngestJob.Delivery]: { inboxId: string };
}

/** A delivery that fails this many times (transient errors) becomes `dead`. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** Delay before retry n (1-based): 2 s, 4 s, 8 s, 16 s … capped at 5 min. */
export function retryDelayMs(attempt: number): number {
  return Math.min(2_000 * 2 ** (attempt - 1), 300_000);
}

/** Custom BullMQ job ids must not contain ':'. */
export function batchJobId(firstInboxId: string): string {
  return `batch-${firstInboxId}`;
}

export function deliveryJobId(inboxId: string, attempts: number, salt = ''): string {
  return `delivery-${inboxId}-${attempts}${salt ? `-${salt}` : ''}`;
}
