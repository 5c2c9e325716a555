import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'suppressed'] as const;

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
  channelId: z.string(),
  status: z.enum(NOTIFICATION_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  idempotencyKey: z.string(),
  createdAt: instantSchema,
  sentAt: instantSchema.nullable(),
});

export type ListNotificationsQuery = z.infer<typeof listNotificationsQuerySchema>;
export type NotificationView = z.infer<typeof notificationSchema>;
