import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFoundError, ValidationError } from '../common/errors.js';
import { type BusinessCalendar, type ClockState, METRICS } from '../engine/types.js';
import { EvaluationConfigService } from '../policies/evaluation-config.service.js';
import { clockLog, type ClockLogEntry, type ClockStepView } from './clock-log.js';
import { type ClockDetailView, type ClockView, toClockDetailView, toClockView } from './clock-view.js';
import { groupQueuePage, QUEUE_PAGE_SQL } from './queue-page-rows.js';
import { TicketClockEntity } from './entities/ticket-clock.entity.js';
import { TicketEntity } from './entities/ticket.entity.js';
import type { ListTicketsQuery } from './tickets.dto.js';

export interface TicketView<C extends ClockView = ClockView> {
  id: string;
  integrationId: string;
  externalId: string;
  status: string | null;
  priority: string | null;
  tier: string | null;
  removed: string | null;
  policyId: string | null;
  policyVersion: number | null;
  /** When the ticket was created in the helpdesk. */
  createdAt: string | null;
  lastEventAt: string | null;
  nextDeadline: string | null;
  clockVersion: number;
  evaluatedAt: string | null;
  clocks: C[];
}

export interface TicketPage {
  items: TicketView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Per requested state, the clocks that are in it as of `now` (see toClockView for live breaches). */
const STATE_PREDICATES: Record<ClockState, (now: () => string) => string> = {
  running: (now) => `(c.state = 'running' AND (c.deadline IS NULL OR c.deadline > ${now()}))`,
  breached: (now) =>
    `(c.state = 'breached' OR (c.state = 'running' AND c.stopped_at IS NULL AND c.deadline <= ${now()}))`,
  paused: () => `c.state = 'paused'`,
  met: () => `c.state = 'met'`,
  not_applicable: () => `c.state = 'not_applicable'`,
  cancelled: () => `c.state = 'cancelled'`,
};

/** A clock that still counts toward its deadline: running, or overdue and not yet stopped. */
const COUNTING_SQL = `c.state IN ('running', 'breached') AND c.stopped_at IS NULL AND c.target_ms IS NOT NULL`;

/** At risk: a counting clock at or above `percent` % used as of now (a paused or stopped clock is not). */
function atRiskNow(row: TicketClockEntity, view: ClockView, percent: number): boolean {
  const counting = row.stoppedAt === null && (row.state === 'running' || row.state === 'breached');
  return counting && view.percentUsed !== null && view.percentUsed >= percent;
}

/** The read side: one ticket with all its clocks, and the agent queue. */
@Injectable()
export class TicketsQueryService {
  constructor(
    @InjectRepository(TicketEntity) private readonly tickets: Repository<TicketEntity>,
    @InjectRepository(TicketClockEntity) private readonly clocks: Repository<TicketClockEntity>,
    private readonly evaluationConfig: EvaluationConfigService,
  ) {}

  /** One ticket with every clock, each with its recorded warnings and breaches and its SLA event log. */
  async getOne(
    integrationId: string,
    externalId: string,
  ): Promise<TicketView<ClockDetailView & { steps: ClockStepView[]; log: ClockLogEntry[] }>> {
    const ticket = await this.tickets.findOneBy({ integrationId, externalId });
    if (!ticket) throw new NotFoundError('Ticket', `${integrationId}/${externalId}`);
    const [rows, steps, calendarOf] = await Promise.all([
      this.clocks.findBy({ ticketId: ticket.id }),
      this.steps(ticket.id),
      this.calendars(),
    ]);
    const now = Date.now();
    return toTicketView(
      ticket,
      sortClocks(rows).map((row) => {
        const view = toClockDetailView(row, now, calendarOf);
        const own = steps.filter((s) => s.metric === row.metric && s.cycle === row.cycle).map((s) => s.view);
        return { ...view, steps: own, log: clockLog(view, own) };
      }),
    );
  }

  private async steps(
    ticketId: string,
  ): Promise<Array<{ metric: string; cycle: number; view: ClockStepView }>> {
    const rows: Array<Record<string, unknown>> = await this.tickets.query(
      `SELECT id, metric, cycle, step, kind, percent, status, due_at, detected_at, lateness_ms, late,
              withdrawn_at, acknowledged_at, acknowledged_by
       FROM sla_steps WHERE ticket_id = $1 ORDER BY due_at, id`,
      [ticketId],
    );
    const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
    return rows.map((r) => ({
      metric: r.metric as string,
      cycle: r.cycle as number,
      view: {
        id: String(r.id),
        step: r.step as string,
        kind: r.kind as ClockStepView['kind'],
        percent: (r.percent as number | null) ?? null,
        status: r.status as ClockStepView['status'],
        dueAt: iso(r.due_at)!,
        detectedAt: iso(r.detected_at)!,
        latenessMs: Number(r.lateness_ms),
        late: r.late as boolean,
        withdrawnAt: iso(r.withdrawn_at),
        acknowledgedAt: iso(r.acknowledged_at),
        acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
      },
    }));
  }

  /**
   * Open tickets (not solved, closed or removed), filtered, sorted by next deadline (nulls last,
   * then id), paginated by keyset cursor.
   */
  async list(query: ListTicketsQuery): Promise<TicketPage> {
    const now = Date.now();
    const params: unknown[] = [];
    const where = [`t.status NOT IN ('solved', 'closed')`, `t.removed IS NULL`];
    const param = (value: unknown) => `$${params.push(value)}`;
    // Bound lazily: Postgres rejects a parameter that no predicate uses.
    let at: string | undefined;
    const nowParam = () => (at ??= `${param(new Date(now).toISOString())}::timestamptz`);
    if (query.tier) where.push(`t.tier = ANY(${param(query.tier)}::text[])`);
    if (query.priority) where.push(`t.priority = ANY(${param(query.priority)}::text[])`);
    if (query.assignee) where.push(`t.assignee_id = ${param(query.assignee)}`);
    if (query.group) where.push(`t.group_id = ${param(query.group)}`);
    if (query.integrationId) where.push(`t.integration_id = ${param(query.integrationId)}`);
    if (query.breachWithin !== undefined) {
      where.push(
        `t.next_deadline <= ${param(new Date(now + query.breachWithin).toISOString())}::timestamptz`,
      );
    }
    if (query.state) {
      const states = query.state.map((s) => STATE_PREDICATES[s](nowParam)).join(' OR ');
      where.push(`EXISTS (SELECT 1 FROM ticket_clocks c WHERE c.ticket_id = t.id AND (${states}))`);
    }
    if (query.atRisk !== undefined) {
      // A superset in SQL: business time grows at most as fast as wall time, so a clock whose stored use plus
      // the wall time since its evaluation stays under N % cannot be at N % now. The exact live % is checked below.
      const share = param(query.atRisk / 100);
      where.push(
        `EXISTS (SELECT 1 FROM ticket_clocks c WHERE c.ticket_id = t.id AND ${COUNTING_SQL}
           AND c.used_ms::float8 + GREATEST(0, EXTRACT(EPOCH FROM (${nowParam()} - c.evaluated_at))::float8 * 1000)
               >= ${share}::float8 * c.target_ms::float8)`,
      );
    }
    const limit = query.limit;
    let cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const baseParams = params.length;
    // Without atRisk one round gives the page. With it, rows the live check drops (few: the SQL superset is
    // tight) are made up for by reading on, in next-deadline order and in growing rounds, until the page is full
    // or the candidates run out.
    let batch = limit + 1;
    // Loaded once, at the revision the keyset query read: no query of its own.
    let calendars: ReturnType<TicketsQueryService['calendars']> | undefined;
    const picked: Array<{ ticket: TicketEntity; clocks: ClockView[] }> = [];
    for (;;) {
      params.length = baseParams;
      const keyset: string[] = [];
      if (cursor) {
        const id = param(cursor.id);
        if (cursor.deadline === null) {
          keyset.push(`t.next_deadline IS NULL AND t.id > ${id}::uuid`);
        } else {
          const d = param(new Date(cursor.deadline).toISOString());
          keyset.push(
            `(t.next_deadline > ${d}::timestamptz OR (t.next_deadline = ${d}::timestamptz AND t.id > ${id}::uuid)` +
              ` OR t.next_deadline IS NULL)`,
          );
        }
      }
      // The keyset query stays short (quick to plan, cheap for an empty queue) and brings the configuration
      // revision along; the page itself is a second, fixed statement.
      const ids: Array<{ id: string; config_revision: number | null }> = await this.tickets.query(
        `SELECT t.id, (SELECT revision FROM config_revision WHERE id = 1) AS config_revision
         FROM tickets t WHERE ${[...where, ...keyset].join(' AND ')}
         ORDER BY t.next_deadline ASC NULLS LAST, t.id ASC LIMIT ${param(batch)}`,
        params,
      );
      if (ids.length === 0) break;
      const batchIds = ids.map((r) => r.id);
      const [rows, calendarOf] = await Promise.all([
        this.tickets.query(QUEUE_PAGE_SQL, [batchIds]) as Promise<Array<Record<string, unknown>>>,
        (calendars ??= this.calendars(Number(ids[0].config_revision ?? 0))),
      ]);
      const batchPage = groupQueuePage(batchIds, rows);
      for (const { ticket, clocks: clockRows } of batchPage) {
        const sorted = sortClocks(clockRows);
        const clocks = sorted.map((c) => toClockView(c, now, calendarOf));
        if (query.atRisk === undefined || clocks.some((c, i) => atRiskNow(sorted[i], c, query.atRisk!)))
          picked.push({ ticket, clocks });
        if (picked.length > limit) break;
      }
      const last = batchPage.at(-1)?.ticket;
      if (picked.length > limit || ids.length < batch || !last) break;
      cursor = { deadline: last.nextDeadline?.getTime() ?? null, id: last.id };
      batch = Math.min(batch * 2, 1000);
    }
    const page = picked.slice(0, limit);
    const last = page[page.length - 1]?.ticket;
    const nextCursor =
      picked.length > limit && last
        ? encodeCursor({ deadline: last.nextDeadline?.getTime() ?? null, id: last.id })
        : null;
    return { items: page.map((p) => toTicketView(p.ticket, p.clocks)), nextCursor };
  }

  private async calendars(
    revision?: number,
  ): Promise<(calendarId: string | null) => BusinessCalendar | undefined> {
    const config = await (revision === undefined
      ? this.evaluationConfig.load()
      : this.evaluationConfig.atRevision(revision));
    return (calendarId) => (calendarId === null ? undefined : config.calendars.get(calendarId));
  }
}

function toTicketView<C extends ClockView>(t: TicketEntity, clocks: C[]): TicketView<C> {
  return {
    id: t.id,
    integrationId: t.integrationId,
    externalId: t.externalId,
    status: t.status,
    priority: t.priority,
    tier: t.tier,
    removed: t.removed,
    policyId: t.policyId,
    policyVersion: t.policyVersion,
    createdAt: t.createdAt?.toISOString() ?? null,
    lastEventAt: t.lastEventAt?.toISOString() ?? null,
    nextDeadline: t.nextDeadline?.toISOString() ?? null,
    clockVersion: t.clockVersion,
    evaluatedAt: t.evaluatedAt?.toISOString() ?? null,
    clocks,
  };
}

function sortClocks(rows: TicketClockEntity[]): TicketClockEntity[] {
  return [...rows].sort((a, b) => METRICS.indexOf(a.metric) - METRICS.indexOf(b.metric) || a.cycle - b.cycle);
}

interface Cursor {
  deadline: number | null;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.deadline, cursor.id])).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  try {
    const [deadline, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    // Deadlines within what a Date (and PostgreSQL) can hold: ±8.64e15 ms.
    const instant =
      deadline === null || (Number.isFinite(deadline) && Math.abs(deadline as number) <= 8.64e15);
    if (instant && typeof id === 'string' && uuid.test(id)) {
      return { deadline: deadline as number | null, id };
    }
  } catch {
    // fall through
  }
  throw new ValidationError(
    'Invalid cursor. Pass the nextCursor of the previous page unchanged, or omit it.',
  );
}
