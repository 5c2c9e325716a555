import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { returnedRows } from '../tickets/ticket-store.js';
import { NotificationPlanner } from './notification-planner.js';
import type { ListNotificationsQuery, NotificationView } from './notifications.schemas.js';

interface NotificationRow {
  id: string;
  step_id: string;
  event: 'step' | 'withdrawal' | 'met';
  channel_id: string | null;
  address: string | null;
  not_before: Date | null;
  batch_id: string | null;
  status: NotificationView['status'];
  attempts: number;
  last_error: string | null;
  idempotency_key: string;
  created_at: Date;
  sent_at: Date | null;
  retries: number;
}

/** Deliveries for admins and managers: the list with filters, and a new round of attempts for a failed one. */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly planner: NotificationPlanner,
  ) {}

  async list(q: ListNotificationsQuery): Promise<NotificationView[]> {
    const rows: NotificationRow[] = await this.db.query(
      `SELECT * FROM notifications
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR channel_id = $2)
         AND ($3::bigint IS NULL OR step_id = $3)
       ORDER BY id DESC LIMIT $4`,
      [q.status ?? null, q.channelId ?? null, q.stepId ?? null, q.limit],
    );
    return rows.map(toView);
  }

  /** Back to pending with a fresh job (a new job id: the failed one is still in Redis). Same idempotency key. */
  async retry(id: string): Promise<NotificationView> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Notification', id);
    const rows = returnedRows<NotificationRow>(
      await this.db.query(
        `UPDATE notifications SET status = 'pending', sending_since = NULL, not_before = NULL
         WHERE id = $1 AND status = 'failed'
         RETURNING *`,
        [id],
      ),
    );
    if (rows.length === 0) {
      const exists = (await this.db.query('SELECT 1 FROM notifications WHERE id = $1', [id])) as unknown[];
      if (exists.length === 0) throw new NotFoundError('Notification', id);
      throw new ConflictError(`Notification ${id} has not failed; only failed deliveries can be retried.`);
    }
    await this.planner.enqueue([id], Date.now());
    return toView(rows[0]);
  }
}

function toView(r: NotificationRow): NotificationView {
  return {
    id: r.id,
    stepId: r.step_id,
    event: r.event,
    channelId: r.channel_id,
    address: r.address,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
    notBefore: r.not_before?.toISOString() ?? null,
    batchId: r.batch_id,
  };
}
