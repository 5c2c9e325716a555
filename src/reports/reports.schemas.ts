import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { ZoneClock } from '../engine/calendar/zone-clock.js';
import { METRICS, PRIORITIES } from '../engine/types.js';

export const GROUP_KEYS = ['metric', 'tier', 'priority', 'integration', 'assignee', 'group'] as const;
export const PERIODS = ['day', 'week', 'month'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];
export type Period = (typeof PERIODS)[number];

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const MAX_RANGE_MS = 400 * 24 * 3600_000;

/** Filters shared by the report, its trend and its drill-down. */
const filters = {
  from: instant.describe('Start of the period (inclusive), ISO 8601'),
  to: instant.describe('End of the period (exclusive), ISO 8601; at most 400 days after from'),
  metric: z.enum(METRICS).optional(),
  tier: z.string().min(1).max(64).optional(),
  priority: z.enum(PRIORITIES).optional(),
  integration: z.string().min(1).max(64).optional(),
  assignee: z.string().min(1).max(255).optional(),
  group: z.string().min(1).max(255).optional(),
  timeZone: z
    .string()
    .max(64)
    .refine((zone) => ZoneClock.isKnownZone(zone), 'an IANA time zone')
    .default('UTC')
    .describe('The zone whose days, weeks (Monday first) and months bucket the periods'),
};

const validRange = <T extends { from: Date; to: Date }>(q: T, ctx: z.RefinementCtx) => {
  // Zod runs object refinements even when a field failed: check only what parsed.
  if (!(q.from instanceof Date) || !(q.to instanceof Date)) return;
  if (q.to <= q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (q.to.getTime() - q.from.getTime() > MAX_RANGE_MS)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'the range may span at most 400 days' });
};

export const complianceQuerySchema = z
  .object({
    ...filters,
    groupBy: z
      .string()
      .default('metric')
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(
        z
          .array(z.enum([...GROUP_KEYS, ...PERIODS]))
          .min(1)
          .max(8),
      )
      .describe(
        'Comma-separated: metric, tier, priority, integration, assignee, group, and one of day|week|month',
      ),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .describe('csv: the same rows as CSV (also by Accept: text/csv)'),
  })
  .strict()
  .superRefine((q, ctx) => {
    validRange(q, ctx);
    if (
      Array.isArray(q.groupBy) &&
      q.groupBy.filter((k) => (PERIODS as readonly string[]).includes(k)).length > 1
    )
      ctx.addIssue({
        code: 'custom',
        path: ['groupBy'],
        message: 'group by at most one of day, week and month',
      });
  });
export type ComplianceQuery = z.infer<typeof complianceQuerySchema>;

export const trendQuerySchema = z
  .object({
    ...filters,
    interval: z.enum(PERIODS).default('day'),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict()
  .superRefine(validRange);
export type TrendQuery = z.infer<typeof trendQuerySchema>;

export const drillDownQuerySchema = z
  .object({
    ...filters,
    outcome: z.enum(['met', 'breached', 'in_progress']).optional(),
    period: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a period label as the report gives it, YYYY-MM-DD')
      .optional()
      .describe('With interval: the day, week or month (its first day, local) of a report row'),
    interval: z.enum(PERIODS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict()
  .superRefine(validRange);
export type DrillDownQuery = z.infer<typeof drillDownQuerySchema>;

export const complianceRowSchema = z.object({
  group: z.record(z.string(), z.string().nullable()).describe('The values of the groupBy keys'),
  met: z.int(),
  breached: z.int(),
  inProgress: z.int().describe('Clocks still counting before their deadline (paused included)'),
  achievedPercent: z.number().nullable().describe('met / (met + breached) × 100; null when both are 0'),
  businessMs: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  calendarMs: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  drillDown: z.string().describe('GET this to list the clocks behind the row'),
});
export type ComplianceRow = z.infer<typeof complianceRowSchema>;

export const complianceReportSchema = z.object({
  from: instantSchema,
  to: instantSchema,
  groupBy: z.array(z.string()),
  rows: z.array(complianceRowSchema),
});
export type ComplianceReport = z.infer<typeof complianceReportSchema>;
