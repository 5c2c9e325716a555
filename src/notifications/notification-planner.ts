import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { NotifyJob, notifyJobId, NotifyQueue } from './notify.queue.js';
import { HELPDESK_CHANNEL_FITS } from './writeback/writeback-planner.js';

/**
 * Turns recorded steps into delivery rows and jobs. A recorded step goes to the channels its recipients name and to
 * every enabled channel whose subscription filter matches it (so it works without escalation ladders); a withdrawn
 * breach goes where the breach went. The unique key (step, event, channel) makes each delivery exist once, whether
 * the event listener or the reconciler gets there first; channels created after the step never get it.
 */
@Injectable()
export class NotificationPlanner {
  private readonly sendLate: boolean;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(NotifyQueue.Send) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sendLate = config.NOTIFY_LATE_STEPS === 'send';
    this.attempts = config.NOTIFY_ATTEMPTS;
    this.backoffMs = config.NOTIFY_BACKOFF_MS;
  }

  /** Deliveries for these steps (null: every step of the last day, for the reconciler); returns the new ids. */
  async plan(stepIds: string[] | null): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(PLAN_SQL, [stepIds, this.sendLate]);
    return rows.map((r) => r.id);
  }

  async enqueue(ids: string[], retry = 0): Promise<void> {
    if (ids.length === 0) return;
    await this.queue.addBulk(
      ids.map((id) => ({
        name: NotifyJob.Send,
        data: { notificationId: id },
        opts: {
          jobId: notifyJobId(id, retry),
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

const PLAN_SQL = `
  INSERT INTO notifications (step_id, event, channel_id)
  SELECT s.id, 'step', c.id
  FROM sla_steps s
  JOIN tickets t ON t.id = s.ticket_id
  JOIN notification_channels c ON c.enabled AND c.created_at <= s.detected_at AND (
    s.recipients @> jsonb_build_array(jsonb_build_object('type', 'channel', 'id', c.id))
    OR ((c.subscribe -> 'kinds') ? s.kind
      AND (c.subscribe -> 'tiers' IS NULL OR (c.subscribe -> 'tiers') ? coalesce(t.tier, ''))
      AND (c.subscribe -> 'priorities' IS NULL
        OR (c.subscribe -> 'priorities') ? coalesce(t.priority, t.default_priority))
      AND (c.subscribe -> 'metrics' IS NULL OR (c.subscribe -> 'metrics') ? s.metric)))
    AND ${HELPDESK_CHANNEL_FITS}
  WHERE ${STEPS} AND s.status = 'recorded' AND (NOT s.late OR $2)
  UNION ALL
  SELECT s.id, 'withdrawal', n.channel_id
  FROM sla_steps s
  JOIN notifications n ON n.step_id = s.id AND n.event = 'step' AND n.status IN ('pending', 'sent')
  WHERE ${STEPS} AND s.status = 'withdrawn'
  ON CONFLICT (step_id, event, channel_id) DO NOTHING
  RETURNING id`;
