import type { ComplianceQuery, DrillDownQuery, Period } from './reports.schemas.js';

type Filters = Pick<
  ComplianceQuery,
  'from' | 'to' | 'metric' | 'tier' | 'priority' | 'integration' | 'assignee' | 'group'
>;

/**
 * The clocks a report counts, one row each, with its outcome and the instant that decides its period (README,
 * "Compliance reports"): a met clock counts when it stopped, a breached one at its deadline (a running clock past
 * its deadline is breached), a clock still counting before its deadline is in progress and counts in the period it
 * started in. Cancelled and not-applicable clocks, and removed tickets, are not counted; a withdrawn breach is not
 * a breach (its clock is met, or still counting).
 */
export function countedClocks(q: Filters, params: unknown[]): string {
  const p = (value: unknown) => `$${params.push(value)}`;
  const now = p(new Date());
  const where = [`c.state IN ('met', 'breached', 'running', 'paused')`, 't.removed IS NULL'];
  if (q.metric) where.push(`c.metric = ${p(q.metric)}`);
  if (q.tier) where.push(`t.tier = ${p(q.tier)}`);
  if (q.priority) where.push(`t.priority = ${p(q.priority)}`);
  if (q.integration) where.push(`t.integration_id = ${p(q.integration)}`);
  if (q.assignee) where.push(`t.assignee_id = ${p(q.assignee)}`);
  if (q.group) where.push(`t.group_id = ${p(q.group)}`);
  const from = p(q.from);
  const to = p(q.to);
  // Never NULL (a running clock without a deadline is not breached), so that NOT breached holds for it.
  const breached = `(c.state = 'breached' OR (c.state = 'running' AND coalesce(c.deadline <= ${now}, false)))`;
  // The period filter on each outcome's own column (not on the CASE below): the planner can then estimate how
  // many clocks a report reads, and joins them to their tickets by hash in parallel rather than one by one.
  where.push(`(
      (c.state = 'met' AND c.stopped_at >= ${from} AND c.stopped_at < ${to})
      OR (${breached} AND c.deadline >= ${from} AND c.deadline < ${to})
      OR (c.state IN ('running', 'paused') AND NOT ${breached} AND c.started_at >= ${from} AND c.started_at < ${to}))`);
  return `
    SELECT c.ticket_id, c.metric, c.cycle, t.integration_id, t.external_id, t.tier, t.priority, t.assignee_id,
           t.group_id, c.started_at, c.stopped_at, c.deadline, c.used_ms,
           CASE WHEN c.state = 'met' THEN 'met' WHEN ${breached} THEN 'breached' ELSE 'in_progress' END AS outcome,
           CASE WHEN c.state = 'met' THEN c.stopped_at WHEN ${breached} THEN c.deadline ELSE c.started_at END
             AS counted_at
    FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id
    WHERE ${where.join(' AND ')}`;
}

/** The local start of the period that contains `counted_at`, in the zone, as a YYYY-MM-DD label. */
export function periodExpression(period: Period, timeZone: string, params: unknown[]): string {
  return `to_char(date_trunc('${period}', counted_at AT TIME ZONE $${params.push(timeZone)}), 'YYYY-MM-DD')`;
}

/** The clocks behind one report cell. */
export function drillDownSql(q: DrillDownQuery, params: unknown[]): string {
  const base = countedClocks(q, params);
  const where: string[] = [];
  if (q.outcome) where.push(`outcome = $${params.push(q.outcome)}`);
  if (q.interval && q.period) {
    where.push(`${periodExpression(q.interval, q.timeZone, params)} = $${params.push(q.period)}`);
  }
  return `
    WITH counted AS (${base})
    SELECT * FROM counted ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY counted_at, ticket_id, metric, cycle LIMIT $${params.push(q.limit)}`;
}
