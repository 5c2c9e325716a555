import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { METRICS, PRIORITIES } from '../engine/types.js';

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const listBreachesQuerySchema = z
  .object({
    state: z
      .enum(['active', 'withdrawn', 'all'])
      .default('active')
      .describe('active: recorded and not withdrawn (default); withdrawn: undone by later history'),
    metric: z.enum(METRICS).optional(),
    tier: z.string().min(1).max(64).optional(),
    priority: z.enum(PRIORITIES).optional(),
    integrationId: z.string().min(1).max(64).optional(),
    acknowledged: z.enum(['true', 'false']).optional(),
    from: isoInstant.optional().describe('Deadlines at or after this instant'),
    to: isoInstant.optional().describe('Deadlines before this instant'),
    cursor: z
      .string()
      .regex(/^\d{1,18}$/, 'the nextCursor of the previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type ListBreachesQuery = z.infer<typeof listBreachesQuerySchema>;

export const ackBreachSchema = z
  .object({
    by: z
      .never({
        error:
          'is not accepted: the acknowledgement is recorded under the name and id of the API key that sends it',
      })
      .optional()
      .describe('Not accepted: who acknowledged is the API key that sends the request'),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type AckBreachBody = z.infer<typeof ackBreachSchema>;

export const breachSchema = z.object({
  id: z.string(),
  ticket: z.object({
    id: z.uuid(),
    integrationId: z.string(),
    externalId: z.string(),
    tier: z.string().nullable(),
    priority: z.string().nullable(),
    status: z.string().nullable(),
  }),
  metric: z.enum(METRICS),
  cycle: z.int(),
  deadline: instantSchema.nullable().describe('The deadline that was missed'),
  detectedAt: instantSchema.describe('When it was recorded (within a second of the deadline, unless late)'),
  latenessMs: z.number(),
  late: z.boolean().describe('Recorded more than TIMER_LATE_AFTER_SECONDS after the deadline'),
  policyId: z.string().nullable(),
  policyVersion: z.int().nullable(),
  state: z.enum(['active', 'withdrawn']),
  withdrawnAt: instantSchema.nullable(),
  acknowledgedAt: instantSchema.nullable(),
  acknowledgedBy: z.string().nullable().describe('The name of the API key that acknowledged it'),
  acknowledgedByKeyId: z.uuid().nullable().describe('The id of that API key'),
});
export type BreachView = z.infer<typeof breachSchema>;

export const breachPageSchema = z.object({
  items: z.array(breachSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});
export type BreachPage = z.infer<typeof breachPageSchema>;
