import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';

/** A customer id as the helpdesk sends it: any text without control characters. */
export const customerIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

export const customerBodySchema = z.strictObject({
  integrationId: configIdSchema
    .nullish()
    .describe(
      'The integration this mapping is for; absent or null: all integrations (an integration row overrides it)',
    ),
  name: z.string().trim().max(200).nullish(),
  tier: configIdSchema.describe('An existing tier id'),
});

export const createCustomerSchema = customerBodySchema.extend({
  id: customerIdSchema.describe('The customer/organisation id as the helpdesk sends it'),
});

export const customerQuerySchema = z.strictObject({
  integrationId: configIdSchema
    .optional()
    .describe('The integration-specific mapping; absent: the global one'),
});

export const customerListQuerySchema = z.strictObject({
  integrationId: configIdSchema
    .optional()
    .describe('Only mappings of this integration (global ones excluded)'),
  tier: configIdSchema.optional(),
});

export const customerSchema = z.object({
  id: z.string(),
  integrationId: z.string().nullable(),
  name: z.string().nullable(),
  tier: z.string(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

export type CustomerBody = z.infer<typeof customerBodySchema>;
export type CreateCustomerBody = z.infer<typeof createCustomerSchema>;
export type CustomerQuery = z.infer<typeof customerQuerySchema>;
export type CustomerListQuery = z.infer<typeof customerListQuerySchema>;
export type CustomerDto = z.infer<typeof customerSchema>;
