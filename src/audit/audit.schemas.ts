import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { ROLES } from '../auth/roles.js';
import { AUDIT_ACTIONS, AUDIT_RESOURCE_TYPES } from './audit-entry.entity.js';

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const listAuditQuerySchema = z
  .object({
    resourceType: z.enum(AUDIT_RESOURCE_TYPES).optional(),
    resourceId: z.string().min(1).max(255).optional().describe('The id of the tier, policy, key … changed'),
    actorKeyId: z.uuid().optional().describe('Changes made with this API key'),
    action: z.enum(AUDIT_ACTIONS).optional(),
    from: isoInstant.optional().describe('Changes at or after this instant'),
    to: isoInstant.optional().describe('Changes before this instant'),
    cursor: z
      .string()
      .regex(/^\d{1,18}$/, 'the nextCursor of the previous page')
      .optional()
      .describe('The nextCursor of the previous page'),
    limit: z.coerce.number().int().min(1).max(500).default(100).describe('1–500, default 100'),
  })
  .strict();
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  at: instantSchema,
  actor: z.object({
    keyId: z.uuid().nullable().describe('null: not an API key (the CLI, the bootstrap key, a process)'),
    name: z.string().describe("The key's name at the time, or cli, bootstrap, system"),
    role: z.enum(ROLES).nullable(),
  }),
  action: z.enum(AUDIT_ACTIONS),
  resourceType: z.enum(AUDIT_RESOURCE_TYPES),
  resourceId: z.string(),
  before: z
    .unknown()
    .describe('The resource as the API showed it before (null for a create); secrets redacted'),
  after: z.unknown().describe('The resource as the API shows it after (null for a delete); secrets redacted'),
  requestId: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});
export type AuditPage = z.infer<typeof auditPageSchema>;
