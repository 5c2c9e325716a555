import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ChannelsService } from './channels.service.js';
import type { NotificationFacts } from './notification-message.js';
import { NotificationSender } from './notification-sender.js';
import { PermanentSendError, RetryAfterError } from './send-errors.js';
import { NotifyJob, type NotifyJobData, NotifyQueue } from './notify.queue.js';

/**
 * Sends one delivery. The row is claimed first (`sending_since`, a lease longer than the send timeout), so two
 * runs of one job (a stalled job taken over, the listener and the reconciler) never send concurrently; only a
 * process that dies after the receiver accepted and before `sent` is stored causes a second send, with the same
 * idempotency key. A failed attempt releases the claim and lets BullMQ retry with backoff; the last one ends
 * `failed` (POST /notifications/:id/retry starts over).
 */
// A short lock: a worker killed mid-send has its job taken over within seconds, not BullMQ's default 30 s.
@Processor(NotifyQueue.Send, { concurrency: 8, lockDuration: 10_000, stalledInterval: 5_000 })
export class NotifyProcessor extends WorkerHost {
  private readonly leaseSeconds: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly channels: ChannelsService,
    private readonly sender: NotificationSender,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.leaseSeconds = config.NOTIFY_TIMEOUT_SECONDS + 5;
  }

  async process(job: Job, token?: string): Promise<string> {
    if (job.name !== NotifyJob.Send)
      throw new Error(`No handler for job "${job.name}" on "${NotifyQueue.Send}"`);
    const { notificationId } = job.data as NotifyJobData;
    const claimed: ClaimedRow[] = await this.db.query(CLAIM_SQL, [notificationId, this.leaseSeconds]);
    const row = claimed[0];
    if (!row) {
      const [state] = (await this.db.query('SELECT status FROM notifications WHERE id = $1', [
        notificationId,
      ])) as Array<{ status: string }>;
      // Someone else holds the claim (or held it and died): look again when it runs out, without using an attempt.
      if (state?.status === 'pending') return this.later(job, token, this.leaseSeconds * 1000);
      return state?.status ?? 'gone';
    }
    if (row.event !== 'step' && row.breach_notice === 'pending') {
      // The step's own notice is still on its way: the withdrawal (or met) waits for it (the backoff is the wait).
      await this.db.query(
        'UPDATE notifications SET sending_since = NULL, attempts = attempts - 1 WHERE id = $1',
        [notificationId],
      );
      return this.later(job, token, 1000);
    }
    const suppressed = this.suppression(row);
    if (suppressed) return this.finish(notificationId, 'suppressed', suppressed);
    try {
      const channel = await this.channels.open(row.channel_id);
      if (!channel) return await this.finish(notificationId, 'suppressed', 'channel deleted');
      await this.sender.send(channel, facts(row));
    } catch (error) {
      const message = (error as Error).message.slice(0, 500);
      const maxAttempts = job.opts.attempts ?? 1;
      if (error instanceof RetryAfterError && row.attempts < maxAttempts) {
        // The receiver said when: wait that long instead of the backoff; the claim count still bounds the attempts.
        await this.db.query(`UPDATE notifications SET last_error = $2, sending_since = NULL WHERE id = $1`, [
          notificationId,
          message,
        ]);
        return this.later(job, token, error.delayMs);
      }
      const last =
        error instanceof PermanentSendError ||
        job.attemptsMade + 1 >= maxAttempts ||
        (error instanceof RetryAfterError && row.attempts >= maxAttempts);
      await this.db.query(
        `UPDATE notifications SET status = $2, last_error = $3, sending_since = NULL WHERE id = $1`,
        [notificationId, last ? 'failed' : 'pending', message],
      );
      throw error instanceof PermanentSendError ? new UnrecoverableError(message) : error;
    }
    return this.finish(notificationId, 'sent', null);
  }

  /** Runs the job again in `ms` without counting an attempt (BullMQ's manual delay). */
  private async later(job: Job, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  /** Why not to send at all: the step was withdrawn before its notice went out, or (a withdrawal) it came back. */
  private suppression(row: ClaimedRow): string | null {
    if (row.event === 'step' && row.step_status !== 'recorded')
      return `step ${row.step_status} before it was sent`;
    if (row.event === 'withdrawal' && row.step_status !== 'withdrawn') return 'breach recorded again';
    if (row.event === 'withdrawal' && row.breach_notice !== 'sent') return 'the breach was never sent here';
    if (row.event === 'met' && row.breach_notice !== 'sent') return 'the warning was never sent here';
    return null;
  }

  private async finish(id: string, status: 'sent' | 'suppressed', note: string | null): Promise<string> {
    await this.db.query(
      `UPDATE notifications SET status = $2::varchar, sending_since = NULL,
         sent_at = CASE WHEN $2::varchar = 'sent' THEN now() END, last_error = coalesce($3::text, last_error)
       WHERE id = $1`,
      [id, status, note],
    );
    return status;
  }
}

interface ClaimedRow {
  id: string;
  event: 'step' | 'withdrawal' | 'met';
  /** Claims so far, this one included. */
  attempts: number;
  channel_id: string;
  idempotency_key: string;
  step_id: string;
  metric: string;
  cycle: number;
  step: string;
  kind: 'warning' | 'breach';
  percent: number | null;
  step_status: string;
  due_at: Date;
  deadline: Date | null;
  detected_at: Date;
  withdrawn_at: Date | null;
  lateness_ms: string;
  late: boolean;
  integration_id: string;
  external_id: string;
  priority: string | null;
  tier: string | null;
  /** A withdrawal's (or met's) notice of its step on the same channel. */
  breach_notice: string | null;
}

function facts(r: ClaimedRow): NotificationFacts {
  return {
    idempotencyKey: r.idempotency_key,
    event: r.event,
    step: {
      id: r.step_id,
      metric: r.metric,
      cycle: r.cycle,
      step: r.step,
      kind: r.kind,
      percent: r.percent,
      status: r.step_status,
      dueAt: r.due_at,
      deadline: r.deadline,
      detectedAt: r.detected_at,
      withdrawnAt: r.withdrawn_at,
      latenessMs: Number(r.lateness_ms),
      late: r.late,
    },
    ticket: {
      integrationId: r.integration_id,
      externalId: r.external_id,
      priority: r.priority,
      tier: r.tier,
    },
  };
}

const CLAIM_SQL = `
  WITH claimed AS (
    UPDATE notifications SET attempts = attempts + 1, sending_since = now()
    WHERE id = $1 AND status = 'pending'
      AND (sending_since IS NULL OR sending_since < now() - make_interval(secs => $2))
    RETURNING id, event, channel_id, idempotency_key, step_id, attempts)
  SELECT c.*, s.metric, s.cycle, s.step, s.kind, s.percent, s.status AS step_status, s.due_at, s.deadline,
         s.detected_at, s.withdrawn_at, s.lateness_ms, s.late, t.integration_id, t.external_id,
         coalesce(t.priority, t.default_priority) AS priority, t.tier,
         (SELECT b.status FROM notifications b WHERE b.step_id = c.step_id AND b.event = 'step'
            AND b.channel_id = c.channel_id) AS breach_notice
  FROM claimed c JOIN sla_steps s ON s.id = c.step_id JOIN tickets t ON t.id = s.ticket_id`;
