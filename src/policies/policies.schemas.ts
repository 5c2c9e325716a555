import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { METRICS, PRIORITIES, TICKET_STATUSES } from '../engine/types.js';
import { configIdSchema } from './config-core/config-id.schema.js';

/** Strict objects whose keys are an enum: an unknown key is answered with the allowed ones. */
function keyedBy<K extends string, V extends z.ZodType>(what: string, keys: readonly K[], value: V) {
  const shape = Object.fromEntries(keys.map((key) => [key, value.optional()])) as {
    [P in K]: z.ZodOptional<V>;
  };
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown ${what} ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed: ${keys.join(', ')}`
        : undefined,
  });
}

/** A clock stops (it is not paused) in solved and closed, so those cannot be pause statuses. */
const PAUSABLE_STATUSES = TICKET_STATUSES.filter((s) => s !== 'solved' && s !== 'closed');

export const targetSchema = z
  .strictObject({
    minutes: z.int().min(1).max(5_256_000).optional().describe('Business minutes of the calendar'),
    businessDays: z.int().min(1).max(365).optional().describe('Due at the close of the N-th working day'),
    calendarId: configIdSchema
      .optional()
      .describe('The calendar the target counts in; absent or "24x7": around the clock'),
    warnAtPercent: z
      .array(z.number().gt(0).lt(100))
      .max(10)
      .optional()
      .describe('Warning thresholds, e.g. [75, 90]'),
    ladderId: configIdSchema
      .optional()
      .describe("An escalation ladder (/ladders) for this metric, instead of the ticket tier's ladder"),
    pauseOn: z
      .array(z.enum(PAUSABLE_STATUSES))
      .optional()
      .describe(
        'Statuses that pause the clock; default: resolution → pending, on_hold; the others never pause',
      ),
  })
  .refine((t) => (t.minutes === undefined) !== (t.businessDays === undefined), {
    message: 'give exactly one of minutes and businessDays',
  });

export const metricTargetsSchema = keyedBy('metric', METRICS, targetSchema);
export const targetsSchema = keyedBy('priority', PRIORITIES, metricTargetsSchema);

const label = z.string().trim().min(1).max(255);

export const conditionsSchema = z
  .strictObject({
    tiers: z.array(configIdSchema).max(100).optional(),
    priorities: z.array(z.enum(PRIORITIES)).max(PRIORITIES.length).optional(),
    groups: z.array(label).max(500).optional(),
    channels: z.array(label).max(100).optional(),
    tagsAny: z.array(label).max(500).optional().describe('The ticket has at least one of these tags'),
  })
  .describe(
    'Which tickets the policy covers; absent or empty lists mean "any"; all given conditions must hold',
  );

export const policyBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  position: z.int().min(0).max(1_000_000).describe('Precedence: lower first; unique among active policies'),
  active: z
    .boolean()
    .default(true)
    .describe('false deactivates the policy (its clocks become not_applicable)'),
  conditions: conditionsSchema.default({}),
  targets: targetsSchema.describe('Per priority, per metric'),
});

export const createPolicySchema = policyBodySchema.extend({
  id: configIdSchema.optional().describe('A slug; a UUID is generated when absent'),
});

export const policyVersionSummarySchema = z.object({
  version: z.int(),
  name: z.string(),
  position: z.int(),
  active: z.boolean(),
  validFrom: instantSchema,
  validTo: instantSchema.nullable(),
});

export const policyVersionSchema = policyVersionSummarySchema.extend({
  id: z.string(),
  conditions: conditionsSchema,
  targets: targetsSchema,
});

export const policySchema = policyVersionSchema.extend({
  versions: z.array(policyVersionSummarySchema).describe('Every version, oldest first'),
});

export type PolicyBody = z.infer<typeof policyBodySchema>;
export type CreatePolicyBody = z.infer<typeof createPolicySchema>;
export type PolicyVersionDto = z.infer<typeof policyVersionSchema>;
export type PolicyVersionSummary = z.infer<typeof policyVersionSummarySchema>;
export type PolicyDto = z.infer<typeof policySchema>;
