import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import type { DataSource } from 'typeorm';
import { complianceSql, REPORT_DAYS_SQL } from './compliance-query.js';
import { drillDownSql } from './drill-down-query.js';
import { durationPercentile } from './duration-percentile.js';
import type {
  ComplianceQuery,
  ComplianceReport,
  ComplianceRow,
  DrillDownQuery,
  TrendQuery,
} from './reports.schemas.js';

type RawRow = Record<string, unknown> & {
  met: number;
  breached: number;
  in_progress: number;
} & Record<`${'business' | 'calendar'}_${'n' | 'min_ms' | 'max_ms'}`, number[] | null>;

interface ReportDay {
  day: string;
  lo: Date;
  hi: Date;
  rolled: boolean;
}

const PERIOD_KEYS = new Set(['day', 'week', 'month']);
/** Per hash table or sort, in each of the query's processes (PostgreSQL's default is 4 MB). */
const REPORT_WORK_MEM = '32MB';

/** Compliance for managers: % of clocks within SLA by group and period, with durations and a drill-down. */
@Injectable()
export class ReportsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async compliance(q: ComplianceQuery): Promise<ComplianceReport> {
    // One snapshot for both statements: the days the rollup answers for, and the report that relies on them.
    const rows: RawRow[] = await this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const days = (await tx.query(REPORT_DAYS_SQL, [q.from, q.to, q.timeZone])) as ReportDay[];
      const raw = adjoiningMerged(days.filter((d) => !d.rolled));
      const split = {
        rolledDays: days.filter((d) => d.rolled).map((d) => d.day),
        rawFrom: raw.map((d) => d.lo),
        rawTo: raw.map((d) => d.hi),
      };
      // Grouping the clocks by hash in memory rather than on disk; and parallel workers at PostgreSQL's usual price
      // (the service raises it for its small statements): the clocks still counting are many and worth sharing out.
      await tx.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'; SET LOCAL parallel_setup_cost = 1000`);
      const params: unknown[] = [];
      return tx.query(complianceSql(q, split, params), params);
    });
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      groupBy: q.groupBy,
      rows: rows.map((r) => toRow(r, q)),
    };
  }

  /** The same measure as a time series: one point per metric and period. */
  async trend(q: TrendQuery): Promise<ComplianceReport> {
    return this.compliance({ ...q, groupBy: ['metric', q.interval] });
  }

  async drillDown(q: DrillDownQuery): Promise<Array<Record<string, unknown>>> {
    const params: unknown[] = [];
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(drillDownSql(q, params), params);
    return rows.map((r) => ({
      ticketId: r.ticket_id,
      integrationId: r.integration_id,
      externalId: r.external_id,
      metric: r.metric,
      cycle: r.cycle,
      tier: r.tier,
      priority: r.priority,
      assigneeId: r.assignee_id,
      groupId: r.group_id,
      outcome: r.outcome,
      countedAt: (r.counted_at as Date).toISOString(),
      deadline: (r.deadline as Date | null)?.toISOString() ?? null,
      stoppedAt: (r.stopped_at as Date | null)?.toISOString() ?? null,
      businessMs: Number(r.used_ms),
    }));
  }
}

/** The days' ranges, adjoining ones joined: fewer, longer ranges for the index (a report in another zone has one). */
function adjoiningMerged(days: ReportDay[]): Array<{ lo: Date; hi: Date }> {
  const ranges: Array<{ lo: Date; hi: Date }> = [];
  for (const { lo, hi } of days) {
    const last = ranges.at(-1);
    if (last && last.hi.getTime() === lo.getTime()) last.hi = hi;
    else ranges.push({ lo, hi });
  }
  return ranges;
}

function toRow(r: RawRow, q: ComplianceQuery): ComplianceRow {
  const group = Object.fromEntries(q.groupBy.map((key) => [key, (r[key] as string | null) ?? null]));
  const decided = r.met + r.breached;
  const drill = new URLSearchParams({ from: q.from.toISOString(), to: q.to.toISOString() });
  if (q.timeZone !== 'UTC') drill.set('timeZone', q.timeZone);
  for (const key of ['metric', 'tier', 'priority', 'integration', 'assignee', 'group'] as const) {
    const value = key in group ? group[key] : q[key];
    if (value) drill.set(key, value);
  }
  const period = q.groupBy.find((k) => PERIOD_KEYS.has(k));
  if (period && group[period]) {
    drill.set('interval', period);
    drill.set('period', group[period]);
  }
  return {
    group,
    met: r.met,
    breached: r.breached,
    inProgress: r.in_progress,
    achievedPercent: decided === 0 ? null : Math.round((r.met / decided) * 10_000) / 100,
    businessMs: durations(r, 'business'),
    calendarMs: durations(r, 'calendar'),
    drillDown: `/reports/compliance/clocks?${drill.toString()}`,
  };
}

function durations(r: RawRow, what: 'business' | 'calendar'): { median: number | null; p90: number | null } {
  const counts = r[`${what}_n`];
  if (!counts) return { median: null, p90: null };
  const histogram = { counts, min: r[`${what}_min_ms`] ?? [], max: r[`${what}_max_ms`] ?? [] };
  return {
    median: rounded(durationPercentile(histogram, 0.5)),
    p90: rounded(durationPercentile(histogram, 0.9)),
  };
}

function rounded(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

const CSV_VALUES = [
  'met',
  'breached',
  'in_progress',
  'achieved_percent',
  'business_median_ms',
  'business_p90_ms',
  'calendar_median_ms',
  'calendar_p90_ms',
];

/** The report as CSV: the group keys, counts, achievement and durations in milliseconds; a header even when empty. */
export function complianceCsv(report: ComplianceReport): string {
  return stringify(complianceCsvRecords(report), {
    header: true,
    columns: [...report.groupBy, ...CSV_VALUES],
  });
}

function complianceCsvRecords(report: ComplianceReport): Array<Record<string, unknown>> {
  return report.rows.map((row) => ({
    ...row.group,
    met: row.met,
    breached: row.breached,
    in_progress: row.inProgress,
    achieved_percent: row.achievedPercent ?? '',
    business_median_ms: row.businessMs.median ?? '',
    business_p90_ms: row.businessMs.p90 ?? '',
    calendar_median_ms: row.calendarMs.median ?? '',
    calendar_p90_ms: row.calendarMs.p90 ?? '',
  }));
}
