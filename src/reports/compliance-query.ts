import { businessMs, calendarMs, countedAt, decided, DIMENSIONS, factCells, Kind } from './report-facts.js';
import type { ComplianceQuery, GroupKey, Period } from './reports.schemas.js';

/** The column behind each group key. */
export const GROUP_COLUMNS: Record<GroupKey, string> = {
  metric: 'metric',
  tier: 'tier',
  priority: 'priority',
  integration: 'integration_id',
  assignee: 'assignee_id',
  group: 'group_id',
};

/**
 * The local days a report's range touches, in its zone: each day's part of the range, and whether the daily rollup
 * answers for it (a whole day, in the rollup's zone, not marked stale). Run in the same snapshot as the report.
 */
export const REPORT_DAYS_SQL = `
  SELECT to_char(d, 'YYYY-MM-DD') AS day,
         greatest($1::timestamptz, d AT TIME ZONE $3) AS lo,
         least($2::timestamptz, (d + interval '1 day') AT TIME ZONE $3) AS hi,
         s.time_zone = $3 AND d AT TIME ZONE $3 >= $1::timestamptz
           AND (d + interval '1 day') AT TIME ZONE $3 <= $2::timestamptz
           AND NOT EXISTS (SELECT 1 FROM report_dirty_days x WHERE x.day = d::date) AS rolled
  FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $3),
                       ($2::timestamptz - interval '1 microsecond') AT TIME ZONE $3, interval '1 day') AS d,
       report_rollup_settings s`;

/** Which days a report reads from the rollup, and the ranges it reads from the clocks. */
export interface ReportSplit {
  rolledDays: string[];
  rawFrom: Date[];
  rawTo: Date[];
}

/**
 * One row per group: counts and the merged duration histograms (each bucket's count, smallest and largest value, in
 * bucket order). The cells come from the daily rollup for whole days it holds, and from the clocks for the rest: the
 * decided clocks of the other days (partial, stale, or another zone) and the clocks still counting.
 */
export function complianceSql(q: ComplianceQuery, split: ReportSplit, params: unknown[]): string {
  const p = (value: unknown) => `$${params.push(value)}`;
  const periodKey = q.groupBy.find((key) => key === 'day' || key === 'week' || key === 'month') as
    Period | undefined;
  const zone = periodKey ? `${p(q.timeZone)}::text` : '';
  const column = (key: string) => GROUP_COLUMNS[key as GroupKey];
  // Group columns g0, g1, …: the period's local start (a timestamp), or the dimension.
  const groups = (period: (unit: Period) => string) =>
    q.groupBy.map((key, i) => `${key === periodKey ? period(key as Period) : column(key)} AS g${i}`);
  const names = q.groupBy.map((_, i) => `g${i}`);
  const filters: string[] = [];
  for (const key of ['metric', 'tier', 'priority', 'integration', 'assignee', 'group'] as const) {
    if (q[key]) filters.push(`${column(key)} = ${p(q[key])}`);
  }
  const where = (extra: string[]) => {
    const all = [...extra, ...filters];
    return all.length ? `WHERE ${all.join(' AND ')}` : '';
  };
  const factGroups = groups((unit) => `date_trunc('${unit}', counted_at AT TIME ZONE ${zone})`).join(', ');
  const rollupGroups = groups((unit) => `date_trunc('${unit}', day::timestamp)`).join(', ');
  const by = names.length ? `${names.join(', ')}, ` : '';
  const label = (name: string, i: number) =>
    q.groupBy[i] === periodKey
      ? `to_char(${name}, 'YYYY-MM-DD') AS "${q.groupBy[i]}"`
      : `${name} AS "${q.groupBy[i]}"`;
  const histogram = (kind: number, what: string) =>
    ['n', 'min_ms', 'max_ms']
      .map((c) => `array_agg(${c} ORDER BY bucket) FILTER (WHERE kind = ${kind}) AS ${what}_${c}`)
      .join(', ');
  return `
    WITH decided_facts AS (SELECT * FROM (${decidedFacts(split, p)}) u ${where([])}),
    cells AS (
      SELECT * FROM (${factCells(`(SELECT ${factGroups}, * FROM decided_facts) f`, names)}) decided_cells
      UNION ALL
      SELECT ${by}${Kind.Counts} AS kind, 0 AS bucket, 0 AS n, count(*) FILTER (WHERE outcome = 1) AS breached,
             count(*) FILTER (WHERE outcome = 2) AS in_progress, NULL::float8 AS min_ms, NULL::float8 AS max_ms
      FROM (SELECT ${factGroups}, outcome FROM (${liveFacts(q, p)}) u ${where([])}) f
      ${names.length ? `GROUP BY ${names.join(', ')}` : ''}
      UNION ALL
      SELECT ${by}kind, bucket, sum(n) AS n, sum(breached) AS breached, 0 AS in_progress,
             min(min_ms) AS min_ms, max(max_ms) AS max_ms
      FROM (SELECT ${rollupGroups}, kind, bucket, n, breached, min_ms, max_ms
            FROM report_rollup ${where([`day = ANY(${p(split.rolledDays)}::date[])`])}) r
      GROUP BY ${by}kind, bucket
    ),
    merged AS (
      SELECT ${by}kind, bucket, sum(n)::int AS n, sum(breached)::int AS breached, sum(in_progress)::int AS in_progress,
             min(min_ms) AS min_ms, max(max_ms) AS max_ms
      FROM cells GROUP BY ${by}kind, bucket
    )
    SELECT ${[...names.map(label), ''].join(
      ', ',
    )}coalesce(sum(n) FILTER (WHERE kind = ${Kind.Counts}), 0)::int AS met,
           coalesce(sum(breached) FILTER (WHERE kind = ${Kind.Counts}), 0)::int AS breached,
           coalesce(sum(in_progress) FILTER (WHERE kind = ${Kind.Counts}), 0)::int AS in_progress,
           ${histogram(Kind.Business, 'business')}, ${histogram(Kind.Calendar, 'calendar')}
    FROM merged
    ${names.length ? `GROUP BY ${names.join(', ')} ORDER BY ${names.map((n) => `${n} NULLS LAST`).join(', ')}` : ''}`;
}

const DIMENSION_COLUMNS = DIMENSIONS.map((d) => (d === 'metric' ? 'c.metric' : `t.${d}`)).join(', ');

/**
 * The decided clocks in the ranges the rollup does not answer for, as facts (columns: the dimensions, `outcome` 0
 * met / 1 breached, `counted_at`, `business_ms`, `calendar_ms`). One condition per range, with its own bounds, so
 * that the planner sees how few clocks they hold and reaches their tickets by key.
 */
function decidedFacts(split: ReportSplit, p: (value: unknown) => string): string {
  const ranges = split.rawFrom.map(
    (lo, i) =>
      `(${countedAt('c')} >= ${p(lo)}::timestamptz AND ${countedAt('c')} < ${p(split.rawTo[i])}::timestamptz)`,
  );
  return `
    SELECT ${DIMENSION_COLUMNS}, CASE WHEN c.state = 'met' THEN 0 ELSE 1 END AS outcome,
           ${countedAt('c')} AS counted_at, ${businessMs('c')} AS business_ms, ${calendarMs('c')} AS calendar_ms
    FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id AND t.removed IS NULL
    WHERE ${decided('c')} AND (${ranges.length ? ranges.join(' OR ') : 'false'})`;
}

/**
 * The clocks still counting that count in the report's range (columns: the dimensions, `outcome` 1 breached / 2 in
 * progress, `counted_at`): a running clock past its deadline is breached, at its deadline; one before its deadline,
 * or paused, is in progress, counted when it started.
 */
function liveFacts(q: ComplianceQuery, p: (value: unknown) => string): string {
  const overdue = `(c.state = 'running' AND coalesce(c.deadline <= ${p(new Date())}, false))`;
  const counted = `CASE WHEN ${overdue} THEN c.deadline ELSE c.started_at END`;
  return `
    SELECT ${DIMENSION_COLUMNS}, CASE WHEN ${overdue} THEN 1 ELSE 2 END AS outcome, ${counted} AS counted_at
    FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id AND t.removed IS NULL
    WHERE c.state IN ('running', 'paused') AND ${counted} >= ${p(q.from)} AND ${counted} < ${p(q.to)}`;
}
