/**
 * Queue and job names of the timers module. Stable strings, never derived from class names: a delayed job may
 * wait in Redis for its instant across a deployment.
 */
export enum TimersQueue {
  Fire = 'timers',
}

export enum TimerJob {
  /** Evaluate every ticket whose next step is due, at an instant one falls due. */
  Fire = 'timer-fire',
}

/**
 * Payloads carry the instant only; the handler finds the tickets due in PostgreSQL. (Jobs placed by earlier
 * versions also carry a ticketId, which is not needed.)
 */
export interface TimerJobData {
  [TimerJob.Fire]: { at: number };
}

/**
 * The job of an instant, shared by every ticket whose step falls due then: placing it twice, or for a second
 * ticket, is harmless (BullMQ ignores a known id), and 10,000 deadlines at one instant are one job. No ':' allowed.
 */
export function timerJobId(at: number): string {
  return `fire-${at}`;
}
