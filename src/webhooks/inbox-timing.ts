/**
 * How long an inbox row may sit in `pending`/`processing` before the reconciler assumes its job was
 * lost (Redis lost it, or the worker died mid-delivery) and enqueues it again, and how often it looks.
 * A provider so that tests (e.g. the kill test) can shorten them.
 */
export interface InboxTiming {
  stuckAfterMs: number;
  reconcileEveryMs: number;
}

export const INBOX_TIMING = Symbol('INBOX_TIMING');

export const DEFAULT_INBOX_TIMING: InboxTiming = {
  stuckAfterMs: 120_000,
  reconcileEveryMs: 30_000,
};
