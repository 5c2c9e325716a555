import type { Priority, TicketStatus, TimelineEvent } from '../../engine/types.js';

/**
 * The one small interface every helpdesk speaks through. Adding a helpdesk is one adapter file
 * (implementing this) plus its fixtures. Adapters are pure: no I/O, no framework.
 */

export const PROVIDERS = ['generic', 'zendesk', 'freshdesk', 'jira', 'zammad', 'intercom'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** A delivery exactly as received: raw bytes, never a re-serialised body. */
export interface RawDelivery {
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  /** Epoch ms at receipt. */
  receivedAt: number;
}

/** Where a ticket's tier comes from, besides an explicit tier in the payload. */
export interface TierMapping {
  /** organisation/company id or name → customer (then customer → tier via the customers table), a tag, or a field. */
  source: 'customer' | 'tag' | 'field';
  /** For 'tag': tags of the form `<tagPrefix><tier>`, e.g. "tier_" → "tier_enterprise". */
  tagPrefix?: string;
  /** For 'field': the provider's custom field id/name whose value is the tier. */
  field?: string;
}

export interface IntegrationMapping {
  /** Provider status (compared case-insensitively) → canonical status; merged over the adapter's defaults. */
  statuses?: Record<string, TicketStatus>;
  /** Provider priority (compared case-insensitively) → canonical priority; merged over the adapter's defaults. */
  priorities?: Record<string, Priority>;
  /** For unknown or missing priorities. */
  defaultPriority: Priority;
  tier?: TierMapping;
  /** Jira only: how a person is told apart as the customer (see the Jira adapter). */
  jira?: { customerRule?: JiraCustomerRule };
}

/**
 * Who is the customer in a Jira event: `accountType` (JSM portal customers are `customer`), the reporter
 * (the requester), or `both` (either one; the default).
 */
export const JIRA_CUSTOMER_RULES = ['both', 'reporter', 'accountType'] as const;
export type JiraCustomerRule = (typeof JIRA_CUSTOMER_RULES)[number];

/** How a verification may spend its effort. */
export interface VerifyOptions {
  /**
   * Accept hashed secrets (basic auth, secret header) only if they verified recently, without hashing: for a client
   * over its failure limit. Signatures are cheap and always checked.
   */
  cachedOnly?: boolean;
}

/** Decrypted credentials of an integration, as the verifying adapter needs them. */
export interface IntegrationCredentials {
  /** HMAC key (generic, zendesk, jira, zammad, intercom). */
  signingSecret?: string;
  /** Freshdesk: verifies HTTP basic auth against a stored hash (off the event loop). */
  verifyBasicAuth?: (
    username: string,
    password: string,
    options?: VerifyOptions,
  ) => Promise<boolean> | boolean;
  /** Freshdesk: a secret custom header; the value is verified against a stored hash. */
  secretHeaderName?: string;
  verifySecretHeader?: (value: string, options?: VerifyOptions) => Promise<boolean> | boolean;
}

/** Credentials a rotation replaced, still accepted until `expiresAt` (epoch ms). */
export interface PreviousIntegrationCredentials {
  credentials: IntegrationCredentials;
  expiresAt: number;
}

export interface IntegrationSettings {
  id: string;
  provider: ProviderName;
  credentials: IntegrationCredentials;
  /** Earlier credentials in their grace period after a rotation, newest first (expired ones may linger here). */
  previousCredentials?: readonly PreviousIntegrationCredentials[];
  mapping: IntegrationMapping;
  /** Replay window for timestamped signatures, in seconds (default 300). */
  replayWindowSeconds: number;
}

export type VerifyResult =
  | { ok: true }
  /** `error` is a stable code (e.g. "invalid_signature", "missing_signature", "stale_timestamp"). */
  | { ok: false; error: string; message: string };

/** A canonical event as an adapter produces it; the service adds arrival order and receipt time. */
export type NormalisedEvent = Omit<TimelineEvent, 'arrival' | 'receivedAt'> & {
  /** The ticket's external id in the helpdesk (also `ticket.id`). */
  externalTicketId: string;
};

/** Thrown by normalise() for payloads that cannot be understood; becomes a 422 (or a dead letter). */
export class NormaliseError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NormaliseError';
  }
}

export interface ProviderAdapter {
  readonly provider: ProviderName;
  /** Authenticates the delivery on its raw bytes and headers (against `integration.credentials` only). */
  verify(
    delivery: RawDelivery,
    integration: IntegrationSettings,
    options?: VerifyOptions,
  ): VerifyResult | Promise<VerifyResult>;
  /** The provider's delivery/event id for dedupe, if it sends one (header or body); else the caller hashes the body. */
  deliveryId(delivery: RawDelivery, payload: unknown): string | null;
  /** Parsed JSON payload → canonical events (zero or more). Throws NormaliseError on unusable payloads. */
  normalise(payload: unknown, delivery: RawDelivery, integration: IntegrationSettings): NormalisedEvent[];
}
