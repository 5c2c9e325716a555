import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES } from '../engine/types.js';
import { PROVIDERS } from '../webhooks/providers/provider-adapter.js';

/** Ids become URL segments (/webhooks/<id>); "deliveries" is taken by the inbox API. */
const integrationId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use 1–64 lower-case letters, digits, "-" or "_"')
  .refine((id) => id !== 'deliveries', '"deliveries" is reserved');

const mappingSchema = z
  .object({
    statuses: z.record(z.string().min(1).max(200), z.enum(TICKET_STATUSES)).optional(),
    priorities: z.record(z.string().min(1).max(200), z.enum(PRIORITIES)).optional(),
    defaultPriority: z.enum(PRIORITIES).default('normal'),
    tier: z
      .object({
        source: z.enum(['customer', 'tag', 'field']),
        tagPrefix: z.string().min(1).max(100).optional(),
        field: z.string().min(1).max(200).optional(),
      })
      .strict()
      .refine((t) => t.source !== 'tag' || t.tagPrefix, {
        message: 'tagPrefix is required when source is "tag"',
      })
      .refine((t) => t.source !== 'field' || t.field, { message: 'field is required when source is "field"' })
      .optional(),
  })
  .strict();

const providerSchema = z.enum(PROVIDERS, {
  error: (issue) => `unknown provider ${JSON.stringify(issue.input)}; use one of: ${PROVIDERS.join(', ')}`,
});

const credentials = {
  secret: z.string().min(16, 'use at least 16 characters').max(512).optional(),
  basicAuth: z
    .object({ username: z.string().min(1).max(200), password: z.string().min(8).max(512) })
    .strict()
    .optional(),
  secretHeader: z
    .object({
      name: z.string().regex(/^[A-Za-z0-9-]{1,200}$/, 'a header name'),
      value: z.string().min(16, 'use at least 16 characters').max(512),
    })
    .strict()
    .optional(),
};

export const createIntegrationSchema = z
  .object({
    id: integrationId.optional(),
    name: z.string().min(1).max(200),
    provider: providerSchema,
    ...credentials,
    mapping: mappingSchema.default({ defaultPriority: 'normal' }),
    replayWindowSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict()
  .refine((i) => i.secret !== undefined || i.basicAuth !== undefined || i.secretHeader !== undefined, {
    message:
      'give the credentials deliveries are checked with: secret (HMAC signing secret), or for Freshdesk basicAuth and/or secretHeader',
    path: ['secret'],
  });
export type CreateIntegrationInput = z.infer<typeof createIntegrationSchema>;

/**
 * PUT replaces the settable fields it names. A credential given rotates it; `null` removes it; absent keeps it.
 * The provider cannot change: the stored deliveries were written by that provider.
 */
export const updateIntegrationSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    secret: credentials.secret.unwrap().nullable().optional(),
    basicAuth: credentials.basicAuth.unwrap().nullable().optional(),
    secretHeader: credentials.secretHeader.unwrap().nullable().optional(),
    mapping: mappingSchema.optional(),
    replayWindowSeconds: z.number().int().min(1).max(86_400).nullable().optional(),
  })
  .strict();
export type UpdateIntegrationInput = z.infer<typeof updateIntegrationSchema>;

/** What the API shows of an integration: never a secret, only whether one is set. */
export const integrationViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.enum(PROVIDERS),
  webhookPath: z.string().describe('Where the helpdesk posts: POST <this path>'),
  hasSecret: z.boolean(),
  hasBasicAuth: z.boolean(),
  basicAuthUsername: z.string().nullable(),
  hasSecretHeader: z.boolean(),
  secretHeaderName: z.string().nullable(),
  mapping: mappingSchema,
  replayWindowSeconds: z.int().nullable().describe('null: the WEBHOOK_REPLAY_WINDOW_SECONDS default'),
  createdAt: z.string().meta({ format: 'date-time' }),
  updatedAt: z.string().meta({ format: 'date-time' }),
});
export type IntegrationView = z.infer<typeof integrationViewSchema>;

export const deleteIntegrationQuerySchema = z
  .object({
    purge: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe('true: also delete its tickets, clocks and stored deliveries'),
  })
  .strict();
