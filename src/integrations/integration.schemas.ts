import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES } from '../engine/types.js';
import { JIRA_CUSTOMER_RULES, PROVIDERS } from '../webhooks/providers/provider-adapter.js';
import { writeBackInputSchema, writeBackViewSchema } from './write-back.schemas.js';

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
    jira: z
      .object({
        customerRule: z
          .enum(JIRA_CUSTOMER_RULES)
          .optional()
          .describe(
            'Who is the customer: "reporter" (the issue\'s reporter), "accountType" (JSM portal customers), "both" (either; default)',
          ),
      })
      .strict()
      .optional(),
  })
  .strict();

const providerSchema = z.enum(PROVIDERS, {
  error: (issue) => `unknown provider ${JSON.stringify(issue.input)}; use one of: ${PROVIDERS.join(', ')}`,
});

/** Below this a signing secret is accepted (Zammad and Jira tokens are chosen by the admin) with a warning. */
export const RECOMMENDED_SECRET_LENGTH = 16;

const credentials = {
  secret: z
    .string()
    .min(8, 'use at least 8 characters (16 or more recommended)')
    .max(512)
    .optional()
    .describe('HMAC signing secret: at least 8 characters; under 16 is accepted with a warning'),
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
    writeBack: writeBackInputSchema
      .optional()
      .describe('Write-back to the helpdesk: its API root, credentials and tag names (README "Write-back")'),
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
    writeBack: writeBackInputSchema
      .nullable()
      .optional()
      .describe(
        'Replaces the write-back settings (auth left out: the stored credentials stay); null removes them',
      ),
  })
  .strict();
export type UpdateIntegrationInput = z.infer<typeof updateIntegrationSchema>;

/** Longest grace period a rotation may give the credentials it replaces (7 days). */
export const MAX_GRACE_PERIOD_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_PERIOD_SECONDS = 24 * 3600;

/**
 * Rotation: the credentials given replace the current ones (absent ones carry over); the whole set they replace
 * stays accepted for the grace period.
 */
export const rotateSecretSchema = z
  .object({
    ...credentials,
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_PERIOD_SECONDS)
      .default(DEFAULT_GRACE_PERIOD_SECONDS)
      .describe(
        'How long the replaced credentials stay accepted (default 86400 = 24 h, at most 7 days); 0 ends them, and every earlier set still in grace, at once',
      ),
  })
  .strict()
  .refine((i) => i.secret !== undefined || i.basicAuth !== undefined || i.secretHeader !== undefined, {
    message: 'give the new credentials: secret (HMAC signing secret), basicAuth and/or secretHeader',
    path: ['secret'],
  });
export type RotateSecretInput = z.infer<typeof rotateSecretSchema>;

const credentialKinds = z.enum(['secret', 'basicAuth', 'secretHeader']);

/** One accepted credential set, described without any value, hash or fingerprint of it. */
export const activeCredentialsSchema = z.object({
  label: z.enum(['current', 'previous']),
  kinds: z.array(credentialKinds).describe('Which credentials the set holds'),
  basicAuthUsername: z.string().nullable(),
  secretHeaderName: z.string().nullable(),
  activeSince: z.string().meta({ format: 'date-time' }),
  expiresAt: z
    .string()
    .meta({ format: 'date-time' })
    .nullable()
    .describe('null for the current set; a previous set is refused from this instant on'),
});

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
  writeBack: writeBackViewSchema.nullable().describe('Write-back to the helpdesk; null: none'),
  activeCredentials: z
    .array(activeCredentialsSchema)
    .describe(
      'The credential sets deliveries are accepted with now: the current one, then any in a grace period',
    ),
  createdAt: z.string().meta({ format: 'date-time' }),
  updatedAt: z.string().meta({ format: 'date-time' }),
  warnings: z
    .array(z.string())
    .optional()
    .describe(
      'Only in answers to a create, change or rotation: what was accepted but is weaker than advised',
    ),
});
export type IntegrationView = z.infer<typeof integrationViewSchema>;

/** Warnings about credentials that were accepted but are weaker than advised (never echoing a value). */
export function credentialWarnings(input: { secret?: string | null }): string[] {
  const warnings: string[] = [];
  if (typeof input.secret === 'string' && input.secret.length < RECOMMENDED_SECRET_LENGTH) {
    warnings.push(
      `The signing secret has ${input.secret.length} characters; ${RECOMMENDED_SECRET_LENGTH} or more are recommended. ` +
        'It is accepted because some helpdesks (Zammad, Jira) use a token the admin chose; rotate to a longer one when you can.',
    );
  }
  return warnings;
}

export const deleteIntegrationQuerySchema = z
  .object({
    purge: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe('true: also delete its tickets, clocks and stored deliveries'),
  })
  .strict();
