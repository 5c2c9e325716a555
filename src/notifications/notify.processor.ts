import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ChannelsService } from './channels.service.js';
import { DeliveryHygiene } from './delivery-hygiene.js';
import { EmailSender } from './email-sender.js';
import { type ClaimedRow, facts } from './delivery-facts.js';
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
    private readonly email: EmailSender,
    private readonly hygiene: DeliveryHygiene,
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
      // A notice held for working hours or a digest: no need to look before its time.
      return this.later(job, token, Math.max(1000, (row.breach_not_before?.getTime() ?? 0) - Date.now()));
    }
    if (row.not_before && row.not_before.getTime() > Date.now() + 50) {
      // Waiting for working hours or a digest window: look again then, without using an attempt.
      await this.release(notificationId);
      return this.later(job, token, row.not_before.getTime() - Date.now());
    }
    const suppressed = this.suppression(row);
    if (suppressed) return this.finish(notificationId, 'suppressed', suppressed);
    if (row.event === 'step') {
      const stopped = (await this.hygiene.stopped([row.step_id])).get(row.step_id);
      if (stopped) return this.finish(notificationId, 'skipped', stopped);
    }
    let batch: ClaimedRow[] = [];
    try {
      const channel = row.address
        ? { id: '', type: 'email' as const, url: '', secret: null, integrationId: null, to: [row.address] }
        : await this.channels.open(row.channel_id!);
      if (!channel) return await this.finish(notificationId, 'suppressed', 'channel deleted');
      if (channel.type === 'email') {
        const plan = await this.hygiene.prepare(row, this.leaseSeconds);
        if (plan.holdUntil) return await this.later(job, token, plan.holdUntil.getTime() - Date.now());
        // Carried by another delivery's message: look again when its claim would run out (sent by then).
        if (plan.carriedBy !== null) return await this.later(job, token, this.leaseSeconds * 1000);
        batch = plan.batch;
        await this.email.send(channel.to ?? [], [row, ...batch].map(facts));
        await this.hygiene.sent(
          notificationId,
          batch.map((b) => b.id),
        );
        return 'sent';
      }
      await this.sender.send(channel, facts(row));
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      await this.hygiene.release(batch.map((b) => b.id));
      const message = (error as Error).message.slice(0, 500);
      const maxAttempts = job.opts.attempts ?? 1;
      if (error instanceof RetryAfterError && row.attempts < maxAttempts) {
        // The receiver said when: wait that long instead of the backoff; the claim count still bounds the attempts.
        await this.db.query(
          `UPDATE notifications SET last_error = $2, sending_since = NULL, batch_id = NULL WHERE id = $1`,
          [notificationId, message],
        );
        return this.later(job, token, error.delayMs);
      }
      const last =
        error instanceof PermanentSendError ||
        job.attemptsMade + 1 >= maxAttempts ||
        (error instanceof RetryAfterError && row.attempts >= maxAttempts);
      await this.db.query(
        `UPDATE notifications SET status = $2, last_error = $3, sending_since = NULL, batch_id = NULL WHERE id = $1`,
        [notificationId, last ? 'failed' : 'pending', message],
      );
      throw error instanceof PermanentSendError ? new UnrecoverableError(message) : error;
    }
    return this.finish(notificationId, 'sent', null);
  }

  /** Lets go of the claim without counting the attempt. */
  private async release(id: string): Promise<void> {
    await this.db.query(
      'UPDATE notifications SET sending_since = NULL, attempts = attempts - 1 WHERE id = $1',
      [id],
    );
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

  private async finish(
    id: string,
    status: 'sent' | 'suppressed' | 'skipped',
    note: string | null,
  ): Promise<string> {
    await this.db.query(
      `UPDATE notifications SET status = $2::varchar, sending_since = NULL,
         sent_at = CASE WHEN $2::varchar = 'sent' THEN now() END, last_error = coalesce($3::text, last_error)
       WHERE id = $1`,
      [id, status, note],
    );
    return status;
  }
}

// A claim can only be taken from nobody or from a holder whose lease ran out: a message it was in died with it.
const CLAIM_SQL = `
  WITH claimed AS (
    UPDATE notifications SET attempts = attempts + 1, sending_since = now(), batch_id = NULL
    WHERE id = $1 AND status = 'pending'
      AND (sending_since IS NULL OR sending_since < now() - make_interval(secs => $2))
    RETURNING id, event, channel_id, address, not_before, idempotency_key, step_id, attempts)
  SELECT c.*, s.metric, s.cycle, s.step, s.kind, s.percent, s.status AS step_status, s.due_at, s.deadline,
         s.detected_at, s.withdrawn_at, s.lateness_ms, s.late, t.integration_id, t.external_id,
         coalesce(t.priority, t.default_priority) AS priority, t.tier,
         (SELECT b.status FROM notifications b WHERE b.step_id = c.step_id AND b.event = 'step'
            AND b.channel_id IS NOT DISTINCT FROM c.channel_id AND b.address IS NOT DISTINCT FROM c.address)
           AS breach_notice,
         (SELECT b.not_before FROM notifications b WHERE b.step_id = c.step_id AND b.event = 'step'
            AND b.channel_id IS NOT DISTINCT FROM c.channel_id AND b.address IS NOT DISTINCT FROM c.address)
           AS breach_not_before
  FROM claimed c JOIN sla_steps s ON s.id = c.step_id JOIN tickets t ON t.id = s.ticket_id`;
