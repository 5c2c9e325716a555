import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { LiveEventStream } from '../live-events/live-event-stream.js';
import type { BreachPage, BreachView, ListBreachesQuery } from './breaches.schemas.js';

const COLUMNS = `s.id, s.ticket_id, t.integration_id, t.external_id, t.tier, t.priority, t.status AS ticket_status,
  s.metric, s.cycle, s.deadline, s.detected_at, s.lateness_ms, s.late, s.policy_id, s.policy_version, s.status,
  s.withdrawn_at, s.acknowledged_at, s.acknowledged_by, s.acknowledged_by_key_id`;

/** Breaches as managers see them: newest first, filtered, and acknowledged once. */
@Injectable()
export class BreachesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly live: LiveEventStream,
  ) {}

  async list(query: ListBreachesQuery): Promise<BreachPage> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where = [`s.kind = 'breach'`];
    if (query.state === 'active') where.push(`s.status <> 'withdrawn'`);
    if (query.state === 'withdrawn') where.push(`s.status = 'withdrawn'`);
    if (query.metric) where.push(`s.metric = ${param(query.metric)}`);
    if (query.tier) where.push(`t.tier = ${param(query.tier)}`);
    if (query.priority) where.push(`t.priority = ${param(query.priority)}`);
    if (query.integrationId) where.push(`t.integration_id = ${param(query.integrationId)}`);
    if (query.acknowledged === 'true') where.push('s.acknowledged_at IS NOT NULL');
    if (query.acknowledged === 'false') where.push('s.acknowledged_at IS NULL');
    if (query.from) where.push(`s.deadline >= ${param(query.from)}`);
    if (query.to) where.push(`s.deadline < ${param(query.to)}`);
    if (query.cursor) where.push(`s.id < ${param(query.cursor)}::bigint`);
    const rows: BreachRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM sla_steps s JOIN tickets t ON t.id = s.ticket_id
       WHERE ${where.join(' AND ')} ORDER BY s.id DESC LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, query.limit).map(toBreachView);
    return { items: page, nextCursor: rows.length > query.limit ? page[page.length - 1].id : null };
  }

  async get(id: string): Promise<BreachView> {
    return toBreachView(await this.find(this.dataSource.manager, id));
  }

  /**
   * Records who acknowledged a breach (the API key's name and id) and when; the first acknowledgement stands (a repeat
   * returns it unchanged). A withdrawn breach cannot be acknowledged: there is nothing left to own.
   */
  async acknowledge(id: string, by: Actor): Promise<BreachView> {
    let first = false;
    const breach = await this.dataSource.transaction(async (tx) => {
      await this.forgetWriteDigest(tx, id);
      const row = await this.find(tx, id, true);
      if (row.status === 'withdrawn')
        throw new ConflictError(`Breach ${id} was withdrawn: later history showed the deadline was met.`);
      if (row.acknowledged_at === null) {
        first = true;
        await tx.query(
          `UPDATE sla_steps SET acknowledged_at = clock_timestamp(), acknowledged_by = $2, acknowledged_by_key_id = $3
           WHERE id = $1`,
          [id, by.name, by.keyId],
        );
      }
      return toBreachView(await this.find(tx, id));
    });
    if (first) {
      const t = breach.ticket;
      await this.live.publish([
        {
          type: 'breach.acknowledged',
          ticketId: t.id,
          integrationId: t.integrationId,
          externalId: t.externalId,
          tier: t.tier,
          priority: t.priority,
          assigneeId: null,
          at: breach.acknowledgedAt!,
          stepId: breach.id,
          metric: breach.metric,
          cycle: breach.cycle,
          by: breach.acknowledgedBy,
        },
      ]);
    }
    return breach;
  }

  /**
   * An acknowledgement changes what the ticket's write digest holds (tickets.write_digest, write-digest.ts): clear it,
   * so that the next evaluation reads the steps. Always, even when it is already null: this locks the ticket row
   * before the step's, in the order every evaluation write takes them, so an acknowledgement waits for a write in
   * progress (which would store a digest without it) instead of racing or deadlocking with it.
   */
  private async forgetWriteDigest(tx: DataSource['manager'], id: string): Promise<void> {
    if (!/^\d{1,18}$/.test(id)) return;
    await tx.query(
      `UPDATE tickets t SET write_digest = NULL FROM sla_steps s
       WHERE s.id = $1 AND s.kind = 'breach' AND t.id = s.ticket_id`,
      [id],
    );
  }

  private async find(manager: DataSource['manager'], id: string, lock = false): Promise<BreachRow> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Breach', id);
    const rows: BreachRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM sla_steps s JOIN tickets t ON t.id = s.ticket_id
       WHERE s.id = $1 AND s.kind = 'breach' ${lock ? 'FOR UPDATE OF s' : ''}`,
      [id],
    );
    if (rows.length === 0) throw new NotFoundError('Breach', id);
    return rows[0];
  }
}

interface BreachRow {
  id: string;
  ticket_id: string;
  integration_id: string;
  external_id: string;
  tier: string | null;
  priority: string | null;
  ticket_status: string | null;
  metric: BreachView['metric'];
  cycle: number;
  deadline: Date | null;
  detected_at: Date;
  lateness_ms: string;
  late: boolean;
  policy_id: string | null;
  policy_version: number | null;
  status: string;
  withdrawn_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_by_key_id: string | null;
}

function toBreachView(r: BreachRow): BreachView {
  return {
    id: String(r.id),
    ticket: {
      id: r.ticket_id,
      integrationId: r.integration_id,
      externalId: r.external_id,
      tier: r.tier,
      priority: r.priority,
      status: r.ticket_status,
    },
    metric: r.metric,
    cycle: r.cycle,
    deadline: r.deadline?.toISOString() ?? null,
    detectedAt: r.detected_at.toISOString(),
    latenessMs: Number(r.lateness_ms),
    late: r.late,
    policyId: r.policy_id,
    policyVersion: r.policy_version,
    state: r.status === 'withdrawn' ? 'withdrawn' : 'active',
    withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedByKeyId: r.acknowledged_by_key_id,
  };
}
