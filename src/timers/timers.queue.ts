/**
 * Queue and job names of the timers module. Stable strings, never derived from class names: a delayed job may
 * wait in Redis for its instant across a deployment.
 */
export enum TimersQueue {
  Fire = 'timers',
}

export enum TimerJob {
  /** Evaluate one ticket at the instant one of its steps falls due. */
  Fire = 'timer-fire',
}

/** Payloads carry ids only; the handler re-reads the ticket. */
export interface TimerJobData {
  [TimerJob.Fire]: { ticketId: string; at: number };
}

/** One job per ticket and instant: placing it twice is harmless (BullMQ ignores a known id); no ':' allowed. */
export function timerJobId(ticketId: string, at: number): string {
  return `fire-${ticketId}-${at}`;
}
