import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import { METRICS, PRIORITIES } from '../engine/types.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';

/** Which steps a channel hears of without an escalation ladder naming it; an empty filter hears nothing. */
const subscribeSchema = z.strictObject({
  kinds: z.array(z.enum(['warning', 'breach'])).default([]),
  tiers: z.array(configIdSchema).optional(),
  priorities: z.array(z.enum(PRIORITIES)).optional(),
  metrics: z.array(z.enum(METRICS)).optional(),
});

export const CHANNEL_TYPES = ['webhook', 'slack', 'email', 'helpdesk'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** One plain address (no display name, no line breaks: it goes into a mail header). */
export const emailAddressSchema = z.email().max(320);

const common = {
  name: z.string().trim().min(1).max(200),
  subscribe: subscribeSchema.default({ kinds: [] }),
  enabled: z.boolean().default(true),
};

export const channelBodySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    ...common,
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC-SHA256 key for X-Signature-256; stored sealed, never returned. */
    secret: z.string().min(16).max(200),
  }),
  z.strictObject({ type: z.literal('slack'), ...common, url: z.url({ protocol: /^https?$/ }) }),
  z.strictObject({
    type: z.literal('email'),
    ...common,
    /** Sent over SMTP_URL from SMTP_FROM, one message to all of them. */
    to: z.array(emailAddressSchema).min(1).max(50),
  }),
  z.strictObject({
    type: z.literal('helpdesk'),
    ...common,
    /** Write-back through the ticket's own integration; naming one limits the channel to that one's tickets. */
    integrationId: z.string().min(1).max(64).optional(),
  }),
]);

export const createChannelSchema = channelBodySchema.and(z.object({ id: configIdSchema }));

export const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  subscribe: subscribeSchema,
  enabled: z.boolean(),
  /**
   * Scheme and host only: the path of a Slack or webhook URL is itself a credential. null: a helpdesk channel;
   * absent: an e-mail channel.
   */
  urlHost: z.string().nullable().optional(),
  /** A helpdesk channel's integration (null: each ticket's own); absent on other channels. */
  integrationId: z.string().nullable().optional(),
  /** An e-mail channel's addresses. */
  to: z.array(z.string()).optional(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

export type ChannelBody = z.infer<typeof channelBodySchema>;
export type CreateChannelBody = z.infer<typeof createChannelSchema>;
export type ChannelDto = z.infer<typeof channelSchema>;
export type ChannelSubscription = z.infer<typeof subscribeSchema>;
