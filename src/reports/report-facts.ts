/**
 * SQL fragments shared by the compliance report and its daily rollup, so that both count and bucket a clock the same
 * way (README, "Compliance reports").
 */

/** Met and breached clocks: decided, whatever happens to the ticket later (a reopen starts a new cycle). */
export const decided = (c: string) => `${c}.state IN ('met', 'breached')`;

/** When a decided clock counts: a met clock when it stopped, a breach at its deadline. */
export const countedAt = (c: string) =>
  `(CASE WHEN ${c}.state = 'met' THEN ${c}.stopped_at ELSE ${c}.deadline END)`;

/** The business time a stopped clock used, in milliseconds (null while it counts). */
export const businessMs = (c: string) =>
  `CASE WHEN ${c}.stopped_at IS NOT NULL THEN ${c}.used_ms::float8 END`;

/** The calendar time from start to stop, in milliseconds (null while it counts). */
export const calendarMs = (c: string) =>
  `CASE WHEN ${c}.stopped_at IS NOT NULL THEN extract(epoch FROM ${c}.stopped_at - ${c}.started_at)::float8 * 1000 END`;

/**
 * The duration histogram's bucket of a value in milliseconds: buckets are 1 % wide (e^0.01), and everything under
 * 1 ms shares bucket -1. Each bucket also keeps its smallest and largest value, which makes the percentiles exact
 * whenever the ranks they need fall in buckets holding at most two distinct values (durationPercentile).
 */
export const bucketOf = (ms: string) => `CASE WHEN ${ms} < 1 THEN -1 ELSE floor(ln(${ms}) * 100)::int END`;

/** The dimensions a report groups and filters by, as the rollup and the report's facts name them. */
export const DIMENSIONS = [
  'metric',
  'tier',
  'priority',
  'integration_id',
  'assignee_id',
  'group_id',
] as const;

/** Row kinds of `report_rollup` and of a report's cells. */
export const Kind = { Counts: 0, Business: 1, Calendar: 2 } as const;

/**
 * Cells of a set of facts (columns: the DIMENSIONS, `outcome` 0 met / 1 breached / 2 in progress, `business_ms`,
 * `calendar_ms`), grouped by `keys`: one counts row per group, and one row per histogram bucket with its count and
 * smallest and largest value. Columns: keys, kind, bucket, n (met, or the bucket's count), breached, in_progress,
 * min_ms, max_ms.
 */
export function factCells(facts: string, keys: string[]): string {
  const by = keys.length ? `${keys.join(', ')}, ` : '';
  const histogram = (kind: number, column: string) => `
    SELECT ${by}${kind} AS kind, ${bucketOf(column)} AS bucket, count(*) AS n, 0 AS breached, 0 AS in_progress,
           min(${column}) AS min_ms, max(${column}) AS max_ms
    FROM ${facts} WHERE ${column} IS NOT NULL GROUP BY ${by}bucket`;
  return `
    SELECT ${by}${Kind.Counts} AS kind, 0 AS bucket, count(*) FILTER (WHERE outcome = 0) AS n,
           count(*) FILTER (WHERE outcome = 1) AS breached, count(*) FILTER (WHERE outcome = 2) AS in_progress,
           NULL::float8 AS min_ms, NULL::float8 AS max_ms
    FROM ${facts} ${keys.length ? `GROUP BY ${keys.join(', ')}` : ''}
    UNION ALL ${histogram(Kind.Business, 'business_ms')}
    UNION ALL ${histogram(Kind.Calendar, 'calendar_ms')}`;
}
