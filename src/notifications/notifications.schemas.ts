import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';

/**
 * suppressed: not sent because its step was withdrawn or its channel deleted; skipped: not sent because the clock
 * stopped in between (met, paused, the ticket solved), with the reason in lastError.
 */
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'suppressed', 'skipped'] as const;

export const listNotificationsQuerySchema = z.strictObject({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  channelId: z.string().max(64).optional(),
  stepId: z.string().regex(/^\d+$/, 'must be a step id (digits)').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const notificationSchema = z.object({
  id: z.string(),
  stepId: z.string(),
  event: z.enum(['step', 'withdrawal', 'met']),
  channelId: z.string().nullable(),
  /** An address from the directory (then channelId is null). */
  address: z.string().nullable(),
  status: z.enum(NOTIFICATION_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  idempotencyKey: z.string(),
  createdAt: instantSchema,
  sentAt: instantSchema.nullable(),
  /** Held back until then: the recipient's working hours, a digest window or the rate limit. */
  notBefore: instantSchema.nullable(),
  /** The delivery whose message carried this one (a digest carries several). */
  batchId: z.string().nullable(),
});

export type ListNotificationsQuery = z.infer<typeof listNotificationsQuerySchema>;
export type NotificationView = z.infer<typeof notificationSchema>;
