import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { NotifyJob, notifyJobId, NotifyQueue } from './notify.queue.js';
import { directoryPlanSql, TICKET_OF_STEP } from './recipient-plan.js';
import { WorkingHours } from './working-hours.js';
import { HELPDESK_CHANNEL_FITS } from './writeback/writeback-planner.js';

/**
 * Turns recorded steps into delivery rows and jobs. A recorded step goes to the channels its recipients name and to
 * every enabled channel whose subscription filter matches it (so it works without escalation ladders); a withdrawn
 * breach goes where the breach went. A step for the ticket's assignee or group goes where the directory says
 * (recipient-plan.ts). The unique key (step, event, channel or address) makes each delivery exist once, whether
 * the event listener or the reconciler gets there first; channels created after the step never get it.
 */
@Injectable()
export class NotificationPlanner {
  private readonly sendLate: boolean;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly fallbackChannel: string | null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(NotifyQueue.Send) private readonly queue: Queue,
    private readonly workingHours: WorkingHours,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sendLate = config.NOTIFY_LATE_STEPS === 'send';
    this.attempts = config.NOTIFY_ATTEMPTS;
    this.backoffMs = config.NOTIFY_BACKOFF_MS;
    this.fallbackChannel = config.NOTIFY_FALLBACK_CHANNEL ?? null;
  }

  /**
   * Deliveries for these steps (null: every step of the last day, for the reconciler); returns the new ids.
   * `directory: false` when no step names the ticket's assignee or group and none is withdrawn: the directory's
   * statement would find nothing (a burst of breaches without such a ladder spares one statement per batch).
   */
  async plan(stepIds: string[] | null, { directory = true } = {}): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(PLAN_SQL, [stepIds, this.sendLate]);
    if (!directory) return rows.map((r) => r.id);
    const resolved: Array<{ id: string }> = await this.db.query(DIRECTORY_PLAN_SQL, [
      stepIds,
      this.sendLate,
      this.fallbackChannel,
    ]);
    return [...rows, ...resolved].map((r) => r.id);
  }

  /**
   * A job per delivery, delayed until its `not_before`. A delivery that waits for working hours and has no
   * `not_before` yet gets the calendar's next business instant first.
   */
  async enqueue(ids: string[], retry = 0): Promise<void> {
    if (ids.length === 0) return;
    const rows: Array<{ id: string; not_before: Date | null; working_hours: string | null }> =
      await this.db.query(
        `SELECT id, not_before, working_hours FROM notifications WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
        [ids],
      );
    const now = Date.now();
    const notBefore = new Map<string, number>();
    for (const r of rows) {
      if (r.not_before) notBefore.set(r.id, r.not_before.getTime());
      else if (r.working_hours) {
        const at = await this.workingHours.nextWorkingInstant(r.working_hours, now);
        if (at === null) continue;
        await this.db.query('UPDATE notifications SET not_before = $2 WHERE id = $1 AND not_before IS NULL', [
          r.id,
          new Date(at),
        ]);
        notBefore.set(r.id, at);
      }
    }
    await this.queue.addBulk(
      ids.map((id) => ({
        name: NotifyJob.Send,
        data: { notificationId: id },
        opts: {
          jobId: notifyJobId(id, retry),
          delay: Math.max(0, (notBefore.get(id) ?? now) - now),
          attempts: this.attempts,
          backoff: { type: 'exponential', delay: this.backoffMs },
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 86_400 },
        },
      })),
    );
  }
}

const STEPS = `($1::bigint[] IS NULL AND s.detected_at > now() - interval '1 day' OR s.id = ANY($1::bigint[]))`;

/** The step's recipients name the channel. */
const NAMES_CHANNEL = `s.recipients @> jsonb_build_array(jsonb_build_object('type', 'channel', 'id', c.id))`;

const PLAN_SQL = `
  INSERT INTO notifications (step_id, event, channel_id, working_hours)
  SELECT s.id, 'step', c.id, (SELECT r ->> 'workingHours' FROM jsonb_array_elements(s.recipients) r
                              WHERE r ->> 'type' = 'channel' AND r ->> 'id' = c.id LIMIT 1)
  FROM sla_steps s
  -- What the step alone decides first, so that only the steps some channel may take look up their ticket.
  JOIN notification_channels c ON c.enabled AND c.created_at <= s.detected_at AND (
    ${NAMES_CHANNEL} OR (c.subscribe -> 'kinds') ? s.kind)
  ${TICKET_OF_STEP}
  WHERE ${STEPS} AND s.status = 'recorded' AND (NOT s.late OR $2)
    AND (${NAMES_CHANNEL}
      OR ((c.subscribe -> 'tiers' IS NULL OR (c.subscribe -> 'tiers') ? coalesce(t.tier, ''))
        AND (c.subscribe -> 'priorities' IS NULL
          OR (c.subscribe -> 'priorities') ? coalesce(t.priority, t.default_priority))
        AND (c.subscribe -> 'metrics' IS NULL OR (c.subscribe -> 'metrics') ? s.metric)))
    AND ${HELPDESK_CHANNEL_FITS}
  UNION ALL
  SELECT s.id, 'withdrawal', n.channel_id, NULL
  FROM sla_steps s
  JOIN notifications n ON n.step_id = s.id AND n.event = 'step' AND n.status IN ('pending', 'sent')
    AND n.channel_id IS NOT NULL
  WHERE ${STEPS} AND s.status = 'withdrawn'
  ON CONFLICT (step_id, event, channel_id, address) DO NOTHING
  RETURNING id`;

const DIRECTORY_PLAN_SQL = directoryPlanSql(STEPS);
