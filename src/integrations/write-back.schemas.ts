import { z } from 'zod';
import type { ProviderName } from '../webhooks/providers/provider-adapter.js';

/** Hosts a write-back base URL may use plain http with: only this machine (a local stand-in for the helpdesk). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The helpdesk API's root: https (http only on this machine), no credentials, query or fragment in it. */
export const writeBackBaseUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .superRefine((value, ctx) => {
    // Refinements run even when the URL check above failed: that one has said what is wrong.
    if (!URL.canParse(value)) return;
    const url = new URL(value);
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
      ctx.addIssue({ code: 'custom', message: 'use https (plain http only for 127.0.0.1 or localhost)' });
    if (url.username || url.password)
      ctx.addIssue({ code: 'custom', message: 'put credentials in "auth", not in the URL' });
    if (url.search || url.hash)
      ctx.addIssue({ code: 'custom', message: 'give the API root without a query or fragment' });
  })
  .transform((value) => value.replace(/\/+$/, ''));

const tagName = z
  .string()
  .regex(/^[A-Za-z0-9_:.-]{1,80}$/, 'a tag: 1–80 letters, digits, "_", "-", ":" or "."');

export const writeBackTagsSchema = z.strictObject({
  warning: tagName.default('sla_warning').describe('Added on a warning; removed when the clock is met'),
  breached: tagName
    .default('sla_breached')
    .describe('Added on a breach; removed when the breach is withdrawn'),
});
export type WriteBackTags = z.infer<typeof writeBackTagsSchema>;

const secret = z.string().min(1).max(2000);
const email = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'an e-mail address');

/** Each provider's API credentials, as its REST API authenticates them (README "Write-back to the helpdesk"). */
export const writeBackAuthSchemas = {
  zendesk: z.strictObject({ email, apiToken: secret }),
  freshdesk: z.strictObject({ apiKey: secret }),
  jira: z.strictObject({ email, apiToken: secret }),
  zammad: z.strictObject({ token: secret }),
  intercom: z.strictObject({
    accessToken: secret,
    adminId: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z_-]{1,64}$/, 'the Intercom admin id notes and tags are made as'),
  }),
} as const;
export type WriteBackProvider = keyof typeof writeBackAuthSchemas;
export type WriteBackAuth<P extends WriteBackProvider = WriteBackProvider> = z.infer<
  (typeof writeBackAuthSchemas)[P]
>;

export function supportsWriteBack(provider: ProviderName): provider is WriteBackProvider {
  return provider in writeBackAuthSchemas;
}

/**
 * `writeBack` on an integration. `auth` is checked against the integration's provider by the service (its shape
 * depends on the provider); on an update it may be left out to keep the stored credentials.
 */
export const writeBackInputSchema = z.strictObject({
  baseUrl: writeBackBaseUrlSchema.describe(
    'The helpdesk API root, e.g. https://acme.zendesk.com, https://acme.freshdesk.com, https://acme.atlassian.net, https://zammad.example.com, https://api.intercom.io',
  ),
  auth: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'zendesk/jira: {email, apiToken}; freshdesk: {apiKey}; zammad: {token}; intercom: {accessToken, adminId}. Stored sealed, never returned',
    ),
  tags: writeBackTagsSchema.default({ warning: 'sla_warning', breached: 'sla_breached' }),
});
export type WriteBackInput = z.infer<typeof writeBackInputSchema>;

/** What the API shows: the URL and tags, and only that credentials are set. */
export const writeBackViewSchema = z.object({
  baseUrl: z.string(),
  tags: writeBackTagsSchema,
  hasCredentials: z.boolean(),
});
export type WriteBackView = z.infer<typeof writeBackViewSchema>;

/** The `integrations.write_back` column: the credentials as one SecretBox-sealed JSON document. */
export interface StoredWriteBack {
  baseUrl: string;
  authSealed: string;
  tags: WriteBackTags;
}
