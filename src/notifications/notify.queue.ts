/** Queue and job names of the notifications module: stable strings (jobs outlive deployments). */
export enum NotifyQueue {
  Send = 'notify',
}

export enum NotifyJob {
  Send = 'notify-send',
}

/** Carries the delivery's id only: the processor re-reads the row, so a job run twice cannot send twice. */
export interface NotifyJobData {
  notificationId: string;
}

/** One job per delivery (and per manual retry): enqueueing it from the listener and the reconciler is harmless. */
export function notifyJobId(notificationId: string, retry = 0): string {
  return retry === 0 ? `n-${notificationId}` : `n-${notificationId}-r${retry}`;
}
