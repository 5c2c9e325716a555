/**
 * Queue and job names of the tickets module. Stable strings, never derived from class names:
 * jobs waiting in Redis must still find their handler after a rename.
 */
export enum TicketsQueue {
  Reevaluate = 'reevaluate',
}

export enum ReevaluateJob {
  /** Pages through the tickets whose clocks can still change and fans out batches. */
  Scan = 'reevaluate-scan',
  /** Re-evaluates a batch of tickets. */
  Batch = 'reevaluate-batch',
}

/** Payloads carry ids only; handlers re-read state. */
export interface ReevaluateJobData {
  [ReevaluateJob.Scan]: { revision: number };
  [ReevaluateJob.Batch]: { revision: number; ticketIds: string[] };
}

/** Tickets per batch job. */
export const REEVALUATE_BATCH_SIZE = 200;

/** BullMQ custom job ids must not contain ':'; revisions and ticket ids are reduced to a safe alphabet. */
export function reevaluateJobId(kind: ReevaluateJob, revision: number, after?: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return [kind, String(revision), ...(after ? [safe(after)] : [])].join('-');
}
