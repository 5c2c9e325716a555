import { z } from 'zod';
import { isSecretProperty } from '../audit/audit-log.js';
import { createCalendarSchema, importHolidaysSchema } from '../calendars/calendars.schemas.js';
import { createCustomerSchema } from '../customers/customers.schemas.js';
import { directoryBodySchema, directoryKeySchema } from '../directory/directory.schemas.js';
import { createLadderSchema } from '../escalations/ladders.schemas.js';
import { createIntegrationSchema } from '../integrations/integration.schemas.js';
import { writeBackInputSchema } from '../integrations/write-back.schemas.js';
import { channelBodySchema } from '../notifications/channels.schemas.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';
import { policyBodySchema } from '../policies/policies.schemas.js';
import { createTierSchema } from '../tiers/tiers.schemas.js';

/**
 * The configuration file (YAML or JSON): every section is a list of resources in the API's own body schemas, with
 * an `id` each. Credentials are references to environment variables (`{ env: NAME }`), never values.
 */

export const envNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name: letters, digits and "_"');

export const secretRefSchema = z
  .strictObject({ env: envNameSchema })
  .describe('A credential: the name of the environment variable that holds it (never the value itself)');
export type SecretRef = z.infer<typeof secretRefSchema>;

export function isSecretRef(value: unknown): value is SecretRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { env?: unknown }).env === 'string'
  );
}

const calendarFileSchema = createCalendarSchema.extend({
  id: configIdSchema,
  importHolidays: z
    .array(importHolidaysSchema)
    .max(20)
    .optional()
    .describe(
      'Public holidays to add (as POST /calendars/{id}/holidays/import does); dates listed under holidays keep their entry',
    ),
});

const policyFileSchema = policyBodySchema.extend({ id: configIdSchema });

/**
 * A schema's credentials (the properties the audit log redacts: url, secret, password, …) turned into secret
 * references, keeping whether they are optional. Channel kinds are derived from the channels module's own schema,
 * so a new kind is accepted here as soon as the API accepts it.
 */
function withSecretRefs(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      if (isSecretProperty(key)) {
        shape[key] = field.safeParse(undefined).success ? secretRefSchema.optional() : secretRefSchema;
      } else {
        shape[key] = withSecretRefs(field);
      }
    }
    return z.strictObject(shape);
  }
  if (schema instanceof z.ZodOptional) return withSecretRefs(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodNullable) return withSecretRefs(schema.unwrap() as z.ZodType).nullable();
  return schema;
}

const channelKinds = channelBodySchema.options.map((kind) =>
  (withSecretRefs(kind) as z.ZodObject).extend({ id: configIdSchema }),
);
const channelFileSchema = z.discriminatedUnion(
  'type',
  channelKinds as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>],
);

const integrationShape = createIntegrationSchema.shape;
const writeBackShape = writeBackInputSchema.shape;

/**
 * Write-back settings. The API seals the whole `auth` object (an e-mail or admin id with the token), so every field
 * of it is a reference; which fields a provider takes is checked against the provider, as the API does.
 */
const writeBackFileSchema = z
  .strictObject({
    baseUrl: writeBackShape.baseUrl,
    auth: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a field name such as apiToken'),
        secretRefSchema,
      )
      .describe(
        'zendesk/jira: {email, apiToken}; freshdesk: {apiKey}; zammad: {token}; intercom: {accessToken, adminId}; each { env: NAME }',
      ),
    tags: writeBackShape.tags,
  })
  .nullable()
  .optional()
  .describe('Write-back to the helpdesk; null or absent: none (stored settings are removed)');
const integrationFileSchema = z.strictObject({
  id: integrationShape.id.unwrap(),
  name: integrationShape.name,
  provider: integrationShape.provider,
  secret: secretRefSchema.optional().describe('HMAC signing secret'),
  basicAuth: z
    .strictObject({
      username: integrationShape.basicAuth.unwrap().shape.username,
      password: secretRefSchema,
    })
    .optional(),
  secretHeader: z
    .strictObject({ name: integrationShape.secretHeader.unwrap().shape.name, value: secretRefSchema })
    .optional(),
  mapping: integrationShape.mapping,
  replayWindowSeconds: integrationShape.replayWindowSeconds,
  writeBack: writeBackFileSchema,
});

/** A directory entry: its key (as in /directory/:integrationId/:kind/:externalId) and the API's body. */
const directoryFileSchema = z
  .strictObject({ ...directoryKeySchema.shape, ...directoryBodySchema.shape })
  .refine((b) => (b.email === undefined) !== (b.channelId === undefined), {
    message: 'give exactly one of email and channelId',
  });

const section = <T extends z.ZodType>(item: T, description: string) =>
  z
    .array(item)
    .max(10_000)
    .optional()
    .describe(`${description}. Absent: not managed by this file (never pruned)`);

export const configFileSchema = z
  .strictObject({
    version: z.literal(1).optional().describe('Format version'),
    tiers: section(createTierSchema, 'Customer tiers'),
    calendars: section(calendarFileSchema, 'Business calendars ("24x7" is built in)'),
    ladders: section(createLadderSchema.extend({ id: configIdSchema }), 'Escalation ladders'),
    channels: section(channelFileSchema, 'Notification channels'),
    integrations: section(integrationFileSchema, 'Helpdesk integrations'),
    policies: section(policyFileSchema, 'SLA policies'),
    customers: section(createCustomerSchema, 'Customer → tier mappings (per integration or global)'),
    directory: section(
      directoryFileSchema,
      'Helpdesk agents and groups → e-mail address or channel (keyed by integrationId, kind, externalId)',
    ),
  })
  .describe('SLA Tracker configuration (npm run config -- plan|apply FILE)');

export type ConfigFile = z.infer<typeof configFileSchema>;
export type CalendarEntry = z.infer<typeof calendarFileSchema>;
export type PolicyEntry = z.infer<typeof policyFileSchema>;
export type IntegrationEntry = z.infer<typeof integrationFileSchema>;
export type DirectoryEntry = z.infer<typeof directoryFileSchema>;
export type ChannelEntry = { id: string; type: string } & Record<string, unknown>;

/** The sections in the order they are applied (a resource after those it refers to); deletes run in reverse. */
export const SECTIONS = [
  'tiers',
  'calendars',
  'ladders',
  'channels',
  'integrations',
  'policies',
  'customers',
  'directory',
] as const;
export type Section = (typeof SECTIONS)[number];

/** The JSON Schema of the file, for editors (yaml-language-server, VS Code), from the same zod schemas. */
export function configJsonSchema(): object {
  const schema = z.toJSONSchema(configFileSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
  });
  return { ...schema, title: 'SLA Tracker configuration' };
}

/**
 * A copy of `value` with object keys in the order its schema declares them (stored JSON comes back in the
 * database's key order), so that an export reads like a hand-written file: id, name, …, and urgent before low.
 */
export function orderLikeSchema(value: unknown, schema: z.ZodType): unknown {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    return orderLikeSchema(value, schema.unwrap() as z.ZodType);
  if (Array.isArray(value))
    return schema instanceof z.ZodArray
      ? value.map((item) => orderLikeSchema(item, schema.element as z.ZodType))
      : value;
  if (typeof value !== 'object' || value === null) return value;
  if (schema instanceof z.ZodUnion) {
    const option = (schema.options as z.ZodType[]).find((o) => o.safeParse(value).success);
    return option ? orderLikeSchema(value, option) : value;
  }
  if (schema instanceof z.ZodIntersection) return orderLikeSchema(value, schema.def.left as z.ZodType);
  if (!(schema instanceof z.ZodObject)) return value;
  const shape = schema.shape as Record<string, z.ZodType>;
  const record = value as Record<string, unknown>;
  const keys = [
    ...Object.keys(shape).filter((key) => key in record),
    ...Object.keys(record).filter((key) => !(key in shape)),
  ];
  return Object.fromEntries(
    keys.map((key) => [key, shape[key] ? orderLikeSchema(record[key], shape[key]) : record[key]]),
  );
}
