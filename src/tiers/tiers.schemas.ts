import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';

export const tierBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullish(),
  /** Making a tier the default takes the flag away from the previous default. */
  isDefault: z.boolean().default(false),
});

export const createTierSchema = tierBodySchema.extend({ id: configIdSchema });

export const tierSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  isDefault: z.boolean(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

export type TierBody = z.infer<typeof tierBodySchema>;
export type CreateTierBody = z.infer<typeof createTierSchema>;
export type TierDto = z.infer<typeof tierSchema>;
