import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import type { DataSource } from 'typeorm';
import { complianceSql, drillDownSql } from './compliance-query.js';
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
  /** [median, p90], or null when no clock in the group stopped. */
  business: number[] | null;
  calendar: number[] | null;
};

const PERIOD_KEYS = new Set(['day', 'week', 'month']);
/** Per sort, in each of the query's processes (PostgreSQL's default is 4 MB). */
const REPORT_WORK_MEM = '32MB';

/** Compliance for managers: % of clocks within SLA by group and period, with durations and a drill-down. */
@Injectable()
export class ReportsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async compliance(q: ComplianceQuery): Promise<ComplianceReport> {
    const params: unknown[] = [];
    const sql = complianceSql(q, params);
    const rows: RawRow[] = await this.dataSource.transaction(async (tx) => {
      // Sorting a quarter's clocks per group (for the percentiles) in memory rather than on disk.
      await tx.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
      return tx.query(sql, params);
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
    businessMs: { median: num(r.business?.[0]), p90: num(r.business?.[1]) },
    calendarMs: { median: num(r.calendar?.[0]), p90: num(r.calendar?.[1]) },
    drillDown: `/reports/compliance/clocks?${drill.toString()}`,
  };
}

function num(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(Number(value));
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
