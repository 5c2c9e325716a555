import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';

/** Notification hygiene per recipient: wait for working hours instead of paging at night. */
const waitSchema = {
  workingHours: configIdSchema
    .optional()
    .describe("A calendar id: outside its working time the notice waits for the calendar's next opening"),
};
/** For assignee and group: where the step goes when the directory does not know them (else NOTIFY_FALLBACK_CHANNEL). */
const fallbackSchema = {
  fallback: configIdSchema.optional().describe('A channel id for an assignee or group the directory lacks'),
};

export const recipientSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('channel'),
    id: configIdSchema.describe('A channel id (/channels)'),
    ...waitSchema,
  }),
  z
    .strictObject({ type: z.literal('assignee'), ...fallbackSchema, ...waitSchema })
    .describe("The ticket's assignee, through the directory"),
  z
    .strictObject({ type: z.literal('group'), ...fallbackSchema, ...waitSchema })
    .describe("The ticket's group, through the directory"),
]);

export const ladderStepSchema = z
  .strictObject({
    percent: z.number().gt(0).lt(100).optional().describe('At this % of the target, in business time'),
    breach: z.literal(true).optional().describe('At the breach'),
    afterBreachMinutes: z.int().min(1).max(525_600).optional().describe('This long after the breach'),
    basis: z
      .enum(['business', 'calendar'])
      .default('business')
      .describe("For afterBreachMinutes: counted in the metric's calendar (business) or around the clock"),
    notify: z.array(recipientSchema).min(1).max(20),
  })
  .refine(
    (s) =>
      [s.percent !== undefined, s.breach === true, s.afterBreachMinutes !== undefined].filter(Boolean)
        .length === 1,
    { message: 'give exactly one of percent, breach and afterBreachMinutes' },
  );

export const ladderBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  tiers: z
    .array(configIdSchema)
    .max(100)
    .default([])
    .describe("The tiers whose clocks use this ladder unless a policy target's ladderId names another"),
  steps: z.array(ladderStepSchema).min(1).max(20),
});

export const createLadderSchema = ladderBodySchema.extend({
  id: configIdSchema.optional().describe('A slug; a UUID is generated when absent'),
});

export const ladderSchema = z.object({
  id: z.string(),
  name: z.string(),
  tiers: z.array(z.string()),
  steps: z.array(ladderStepSchema),
  version: z.int().describe('Every change is a new version; recorded steps keep the recipients they had'),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

export type LadderBody = z.infer<typeof ladderBodySchema>;
export type CreateLadderBody = z.infer<typeof createLadderSchema>;
export type LadderDto = z.infer<typeof ladderSchema>;
