import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { ClaimedRow } from './delivery-facts.js';

/** One recipient across deliveries: the channel, or (resolved through the directory) the address. */
const RECIPIENT = `coalesce(n.channel_id, 'mailto:' || n.address)`;
const HOUR_MS = 3_600_000;

/** What a claimed e-mail delivery does now: wait until `holdUntil`, or go out together with `batch`. */
export type HygienePlan =
  | { holdUntil: Date }
  | { holdUntil: null; carriedBy: string }
  | { holdUntil: null; carriedBy: null; batch: ClaimedRow[] };

/**
 * Notification hygiene for e-mail, per recipient:
 * - digest: the first message goes at once; further steps within NOTIFY_DIGEST_SECONDS of a message wait for the
 *   window to close and then go out as one message (every pending, due step for that recipient);
 * - rate limit: beyond NOTIFY_RATE_PER_HOUR messages in the last hour, steps wait until one ages out, and fold
 *   into that next message — never dropped;
 * - a step whose clock stopped in between (met, paused, cancelled, the ticket solved, closed or removed) is
 *   `skipped` at send time, with the reason.
 * Decisions for one recipient are taken under a transaction-scoped advisory lock on it, so two workers do not
 * both send a first message. A lead that decides to send marks what it carries (`batch_id`) under that lock; it
 * also gathers deliveries that sibling jobs have claimed but not yet decided on (held steps wake together at the
 * end of a window), and those jobs, once they get the lock, see that they are carried and step aside.
 */
@Injectable()
export class DeliveryHygiene {
  private readonly windowMs: number;
  private readonly perHour: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowMs = config.NOTIFY_DIGEST_SECONDS * 1000;
    this.perHour = config.NOTIFY_RATE_PER_HOUR;
  }

  /** Why a step's notice is no longer wanted, per step id (absent: still wanted). */
  async stopped(stepIds: string[], tx: EntityManager | DataSource = this.db): Promise<Map<string, string>> {
    const rows: Array<{ id: string; reason: string | null }> = await tx.query(STOPPED_SQL, [stepIds]);
    return new Map(rows.filter((r) => r.reason !== null).map((r) => [r.id, r.reason!]));
  }

  /**
   * For a claimed e-mail delivery (the lead): hold it (its claim is released, `not_before` set), or claim the other
   * due deliveries to the same recipient and send them all now. Gathered steps that stopped are marked skipped.
   */
  async prepare(lead: ClaimedRow, leaseSeconds: number): Promise<HygienePlan> {
    return this.db.transaction(async (tx) => {
      const [{ key }] = (await tx.query(`SELECT ${RECIPIENT} AS key FROM notifications n WHERE n.id = $1`, [
        lead.id,
      ])) as Array<{ key: string }>;
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('notify-recipient'), hashtext($1))`, [key]);
      const [own] = (await tx.query(`SELECT batch_id FROM notifications WHERE id = $1`, [lead.id])) as Array<{
        batch_id: string | null;
      }>;
      if (own?.batch_id && own.batch_id !== lead.id) {
        // Another lead took it into its message while this job waited for the lock: its claim stands.
        await tx.query(`UPDATE notifications SET attempts = attempts - 1 WHERE id = $1`, [lead.id]);
        return { holdUntil: null, carriedBy: own.batch_id };
      }
      const holdUntil = await this.holdUntil(tx, lead.id, key, leaseSeconds);
      if (holdUntil !== null) {
        await tx.query(
          `UPDATE notifications SET sending_since = NULL, attempts = attempts - 1, not_before = $2 WHERE id = $1`,
          [lead.id, holdUntil],
        );
        return { holdUntil };
      }
      await tx.query(`UPDATE notifications SET batch_id = id WHERE id = $1`, [lead.id]);
      if (lead.event !== 'step') return { holdUntil: null, carriedBy: null, batch: [] };
      const gathered: ClaimedRow[] = await tx.query(GATHER_SQL, [lead.id, key, leaseSeconds]);
      const stopped = await this.stopped(
        gathered.map((g) => g.step_id),
        tx,
      );
      const skipped = gathered.filter((g) => stopped.has(g.step_id) || g.step_status !== 'recorded');
      for (const g of skipped)
        await tx.query(
          `UPDATE notifications SET status = 'skipped', sending_since = NULL, last_error = $2 WHERE id = $1`,
          [g.id, stopped.get(g.step_id) ?? `step ${g.step_status} before it was sent`],
        );
      const batch = gathered.filter((g) => !skipped.includes(g));
      return { holdUntil: null, carriedBy: null, batch };
    });
  }

  /** A failed message: the gathered deliveries are free again (their own jobs, or the lead's retry, take them). */
  async release(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE notifications SET sending_since = NULL, attempts = attempts - 1, batch_id = NULL
       WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
      [ids],
    );
  }

  /** The deliveries that went out in the lead's message. */
  async sent(leadId: string, ids: string[]): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET status = 'sent', sending_since = NULL, sent_at = now(), batch_id = $1
       WHERE id = ANY($2::bigint[])`,
      [leadId, [leadId, ...ids]],
    );
  }

  private async holdUntil(
    tx: EntityManager,
    id: string,
    key: string,
    leaseSeconds: number,
  ): Promise<Date | null> {
    const now = Date.now();
    let until = 0;
    if (this.windowMs > 0) {
      // The last message to this recipient, or one on its way (in a message another lead is sending, within its
      // lease; a delivery merely claimed by its own job has not decided anything and can still be gathered).
      const [{ last }] = (await tx.query(
        `SELECT max(CASE WHEN n.status = 'sent' THEN n.sent_at ELSE n.sending_since END) AS last
         FROM notifications n WHERE ${RECIPIENT} = $1 AND n.id <> $2 AND (
           (n.status = 'sent' AND n.sent_at > now() - make_interval(secs => $3))
           OR (n.status = 'pending' AND n.batch_id IS NOT NULL
               AND n.sending_since > now() - make_interval(secs => $4)))`,
        [key, id, this.windowMs / 1000, leaseSeconds],
      )) as Array<{ last: Date | null }>;
      if (last) until = Math.max(until, last.getTime() + this.windowMs);
    }
    if (this.perHour > 0) {
      const messages: Array<{ at: Date }> = await tx.query(
        `SELECT min(n.sent_at) AS at FROM notifications n
         WHERE ${RECIPIENT} = $1 AND n.status = 'sent' AND n.sent_at > now() - interval '1 hour'
         GROUP BY coalesce(n.batch_id, n.id) ORDER BY at DESC LIMIT $2`,
        [key, this.perHour],
      );
      if (messages.length >= this.perHour)
        until = Math.max(until, messages[this.perHour - 1].at.getTime() + HOUR_MS);
    }
    // A few milliseconds early is on time: the window is not worth another round.
    return until > now + 50 ? new Date(until) : null;
  }
}

const STOPPED_SQL = `
  SELECT s.id, CASE
    WHEN t.removed IS NOT NULL THEN 'ticket ' || t.removed || ' before it was sent'
    WHEN t.status IN ('solved', 'closed') THEN 'ticket ' || t.status || ' before it was sent'
    WHEN c.state IN ('met', 'paused', 'cancelled', 'not_applicable') THEN 'clock ' || c.state || ' before it was sent'
    WHEN c.stopped_at IS NOT NULL AND c.stopped_at > s.detected_at THEN 'clock stopped before it was sent'
  END AS reason
  FROM sla_steps s
  JOIN tickets t ON t.id = s.ticket_id
  LEFT JOIN ticket_clocks c ON c.ticket_id = s.ticket_id AND c.metric = s.metric AND c.cycle = s.cycle
  WHERE s.id = ANY($1::bigint[])`;

/**
 * Pending step notices to the same recipient that are due (or held only by hygiene) and in no other message: not
 * claimed, claimed by their own job that has not decided yet (no batch), or left by a lead that died.
 */
const GATHER_SQL = `
  WITH claimed AS (
    UPDATE notifications n SET attempts = attempts + 1, sending_since = now(), batch_id = $1
    WHERE n.id <> $1 AND n.status = 'pending' AND n.event = 'step' AND ${RECIPIENT} = $2
      AND (n.working_hours IS NULL OR n.not_before <= now())
      AND (n.batch_id IS NULL OR n.sending_since IS NULL
           OR n.sending_since < now() - make_interval(secs => $3))
    RETURNING n.id, n.event, n.channel_id, n.address, n.not_before, n.idempotency_key, n.step_id)
  SELECT c.*, s.metric, s.cycle, s.step, s.kind, s.percent, s.status AS step_status, s.due_at, s.deadline,
         s.detected_at, s.withdrawn_at, s.lateness_ms, s.late, t.integration_id, t.external_id,
         coalesce(t.priority, t.default_priority) AS priority, t.tier, NULL AS breach_notice
  FROM claimed c JOIN sla_steps s ON s.id = c.step_id JOIN tickets t ON t.id = s.ticket_id
  ORDER BY s.due_at, c.id`;
