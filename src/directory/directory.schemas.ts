import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { emailAddressSchema } from '../notifications/channels.schemas.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';

export const DIRECTORY_KINDS = ['agent', 'group'] as const;

/** Path of one entry: the integration, `agent` or `group`, and the helpdesk's own id for them. */
export const directoryKeySchema = z.strictObject({
  integrationId: configIdSchema,
  kind: z.enum(DIRECTORY_KINDS),
  externalId: z.string().min(1).max(255),
});

/** Where a step for this agent or group goes: an e-mail address, or a channel (exactly one). */
export const directoryBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional().describe('For people reading the list'),
    email: emailAddressSchema.optional(),
    channelId: configIdSchema.optional().describe('A channel id (/channels)'),
  })
  .refine((b) => (b.email === undefined) !== (b.channelId === undefined), {
    message: 'give exactly one of email and channelId',
  });

export const listDirectoryQuerySchema = z.strictObject({
  integrationId: configIdSchema.optional(),
  kind: z.enum(DIRECTORY_KINDS).optional(),
});

export const directoryEntrySchema = z.object({
  integrationId: z.string(),
  kind: z.enum(DIRECTORY_KINDS),
  externalId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  channelId: z.string().nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

export type DirectoryKey = z.infer<typeof directoryKeySchema>;
export type DirectoryBody = z.infer<typeof directoryBodySchema>;
export type ListDirectoryQuery = z.infer<typeof listDirectoryQuerySchema>;
export type DirectoryEntryDto = z.infer<typeof directoryEntrySchema>;
