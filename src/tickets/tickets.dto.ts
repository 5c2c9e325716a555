import { CLOCK_LOG_EVENTS } from './clock-log.js';
import { Duration } from 'luxon';
import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { CLOCK_STATES, PRIORITIES } from '../engine/types.js';

export const ticketParamsSchema = z
  .object({
    integrationId: z.string().min(1).max(64),
    externalId: z.string().min(1).max(255),
  })
  .strict();
export type TicketParams = z.infer<typeof ticketParamsSchema>;

/** The longest breachWithin window accepted. */
const MAX_WINDOW_MS = 400 * 24 * 3600_000;

/** `a,b` or repeated `?x=a&x=b` → ['a', 'b'], each from `values`. */
function listOf<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).min(1));
}

/**
 * `breachWithin`: an ISO 8601 duration (PT2H, PT30M, P1D) or a whole number of minutes ("120").
 * Wall-clock time from now, not business time: "what breaches in the next two hours".
 */
const breachWithinSchema = z.string().transform((raw, ctx) => {
  const ms = /^\d+$/.test(raw) ? Number(raw) * 60_000 : Duration.fromISO(raw).as('milliseconds');
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_WINDOW_MS) {
    ctx.addIssue({
      code: 'custom',
      message:
        'expected an ISO 8601 duration such as PT2H, PT30M or P1D, or a whole number of minutes (at most 400 days)',
    });
    return z.NEVER;
  }
  return ms;
});

export const TICKET_SORTS = ['next_deadline'] as const;

export const listTicketsQuerySchema = z
  .object({
    state: listOf(CLOCK_STATES).optional(),
    tier: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')))
      .optional(),
    priority: listOf(PRIORITIES).optional(),
    assignee: z.string().min(1).max(255).optional().describe("The helpdesk's assignee id"),
    group: z.string().min(1).max(255).optional().describe("The helpdesk's group id"),
    integrationId: z.string().min(1).max(64).optional(),
    breachWithin: breachWithinSchema.optional(),
    atRisk: z
      .string()
      .regex(/^\d{1,4}(\.\d{1,2})?$/, 'expected a percentage such as 75 or 90.5')
      .transform(Number)
      .pipe(z.number().max(1000))
      .optional()
      .describe(
        'Tickets with a counting clock (running, or overdue and not stopped) at or above this % used',
      ),
    sort: z.enum(TICKET_SORTS).default('next_deadline'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export type ListTicketsQuery = z.infer<typeof listTicketsQuerySchema>;

// Response shapes, for the OpenAPI document (the services build TicketView/ClockView to match).

const clockSummarySchema = z.object({
  metric: z.string().describe('reaction | first_response | resolution | next_response'),
  cycle: z.int().describe('0; next_response cycles count 1, 2, …'),
  state: z.enum(CLOCK_STATES).describe('Live: a running clock past its deadline reads as breached'),
  policyId: z.string().nullable(),
  policyVersion: z.int().nullable(),
  calendarId: z.string().nullable(),
  timeZone: z.string().describe("The calendar's IANA zone (UTC for 24/7)"),
  startedAt: instantSchema,
  deadline: instantSchema.nullable(),
  deadlineLocal: z.string().nullable().describe("The deadline in the calendar's zone, with offset"),
  noDeadlineReason: z.string().nullable(),
  notApplicableReason: z.string().nullable(),
  stoppedAt: instantSchema.nullable(),
  targetMs: z.number().nullable().describe('Target in business milliseconds'),
  usedMs: z.number().describe('Business time used, as of this response'),
  remainingMs: z
    .number()
    .nullable()
    .describe('Business time left, as of this response; negative when overdue'),
  percentUsed: z.number().nullable(),
  pausedIntervals: z.array(
    z.object({ from: instantSchema, to: instantSchema.nullable(), status: z.string() }),
  ),
  breachedAt: instantSchema.nullable().describe('The deadline that was missed'),
  breachDetectedAt: instantSchema.nullable().describe('When the breach was first detected'),
  breachWithdrawnAt: instantSchema.nullable().describe('When a late event showed the breach did not happen'),
  warnings: z.array(z.object({ percent: z.number(), at: instantSchema })),
});

const clockStepSchema = z.object({
  id: z.string().describe('The step record; for breaches, the id of /breaches/{id}'),
  step: z.string().describe('warning-<percent> | breach'),
  kind: z.enum(['warning', 'breach', 'escalation']),
  percent: z.number().nullable(),
  status: z
    .enum(['recorded', 'skipped', 'withdrawn'])
    .describe(
      'skipped: reached together with a later step, only that one counts; withdrawn: undone by later history',
    ),
  dueAt: instantSchema,
  detectedAt: instantSchema,
  latenessMs: z.number(),
  late: z.boolean(),
  withdrawnAt: instantSchema.nullable(),
  acknowledgedAt: instantSchema.nullable(),
  acknowledgedBy: z.string().nullable(),
});

const clockDetailSchema = clockSummarySchema.extend({
  steps: z.array(clockStepSchema).describe('Warnings and breaches recorded for this clock cycle'),
  log: z
    .array(z.object({ at: instantSchema, event: z.enum(CLOCK_LOG_EVENTS), detail: z.string().optional() }))
    .describe(
      'The SLA event log: started, paused, resumed, warned, breached, withdrawn, acknowledged, met …',
    ),
  explanation: z
    .array(
      z.object({
        from: instantSchema,
        to: instantSchema,
        kind: z.enum(['counted', 'paused', 'out_of_hours', 'holiday']),
        detail: z.string().optional(),
      }),
    )
    .describe('Counted, paused, out-of-hours and holiday spans from the start'),
});

const ticketBase = {
  id: z.uuid(),
  integrationId: z.string(),
  externalId: z.string(),
  status: z.string().nullable(),
  priority: z.string().nullable(),
  tier: z.string().nullable(),
  removed: z.string().nullable().describe('deleted | spam | merged'),
  policyId: z.string().nullable(),
  policyVersion: z.int().nullable(),
  createdAt: instantSchema.nullable().describe('Creation in the helpdesk'),
  lastEventAt: instantSchema.nullable(),
  nextDeadline: instantSchema
    .nullable()
    .describe('Earliest deadline among clocks still counting (the queue order)'),
  clockVersion: z.int().describe('Bumped on every re-evaluation'),
  evaluatedAt: instantSchema.nullable(),
};

export const ticketDetailSchema = z.object({ ...ticketBase, clocks: z.array(clockDetailSchema) });
export const ticketPageSchema = z.object({
  items: z.array(z.object({ ...ticketBase, clocks: z.array(clockSummarySchema) })),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});
