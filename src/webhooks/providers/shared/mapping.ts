import { PRIORITIES, TICKET_STATUSES } from '../../../engine/types.js';
import type { Priority, TicketSnapshot, TicketStatus } from '../../../engine/types.js';
import { NormaliseError } from '../provider-adapter.js';
import type { IntegrationMapping } from '../provider-adapter.js';

/**
 * Provider status/priority vocabularies → canonical values: the adapter's defaults merged with the integration's
 * overrides (keys compared case-insensitively, whitespace collapsed). Pure.
 */

export interface DefaultMappings {
  statuses: Record<string, TicketStatus>;
  priorities: Record<string, Priority>;
}

export interface ValueMapper {
  /** The canonical status, or undefined when the provider value is not mapped. */
  status(raw: string | undefined): TicketStatus | undefined;
  /**
   * The canonical priority; `mapping.defaultPriority` for unknown values (SEMANTICS rule 21). A missing value is
   * undefined: a partial payload leaves the priority unchanged (the engine carries the last one forward, and the
   * service applies the default to a ticket that never had one).
   */
  priority(raw: string | undefined): Priority | undefined;
  /** The canonical priority, or undefined when the provider value is not mapped. */
  lookupPriority(raw: string | undefined): Priority | undefined;
}

export function normaliseKey(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

export function createMapper(defaults: DefaultMappings, mapping: IntegrationMapping): ValueMapper {
  const statuses = mergeMaps(defaults.statuses, mapping.statuses, TICKET_STATUSES);
  const priorities = mergeMaps(defaults.priorities, mapping.priorities, PRIORITIES);
  const lookupPriority = (raw: string | undefined): Priority | undefined =>
    raw === undefined ? undefined : priorities.get(normaliseKey(raw));
  return {
    status: (raw) => (raw === undefined ? undefined : statuses.get(normaliseKey(raw))),
    priority: (raw) => (raw === undefined ? undefined : (lookupPriority(raw) ?? mapping.defaultPriority)),
    lookupPriority,
  };
}

function mergeMaps<T extends string>(
  defaults: Record<string, T>,
  overrides: Record<string, T> | undefined,
  allowed: readonly T[],
): Map<string, T> {
  const map = new Map<string, T>();
  for (const [k, v] of Object.entries(defaults)) map.set(normaliseKey(k), v);
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if ((allowed as readonly string[]).includes(v)) map.set(normaliseKey(k), v);
  }
  return map;
}

/** Maps a status or throws a NormaliseError that says how to fix the integration. */
export function requireStatus(mapper: ValueMapper, raw: string | undefined, provider: string): TicketStatus {
  if (raw === undefined) {
    throw new NormaliseError(
      'missing_status',
      `The ${provider} payload has no ticket status; include it in the webhook body (see the provider's recommended template).`,
    );
  }
  const status = mapper.status(raw);
  if (status === undefined) {
    throw new NormaliseError(
      'unknown_status',
      `Unknown ${provider} status "${raw}": add it to the integration's status mapping (mapping.statuses), ` +
        `e.g. {"${raw}": "pending"}; allowed values: ${TICKET_STATUSES.join(', ')}.`,
    );
  }
  return status;
}

export function requireTicketId(raw: string | undefined, provider: string, where: string): string {
  if (raw === undefined) {
    throw new NormaliseError(
      'missing_ticket_id',
      `The ${provider} payload has no ticket id (expected at ${where}); check the webhook's body or template.`,
    );
  }
  return raw;
}

export interface TierSources {
  /** A tier stated explicitly in the payload (wins over everything). */
  payloadTier?: string;
  /** Organisation / company id or name. */
  customer?: string;
  tags?: string[];
  /** Reads a custom field by the id/name configured in `mapping.tier.field`. */
  field?: (name: string) => string | undefined;
}

/**
 * Fills `customerId` and `tier` of a snapshot: the payload's tier if any, else per `mapping.tier`
 * ('customer': the organisation goes into customerId and the customers table decides; 'tag': the first tag with
 * `tagPrefix`; 'field': the custom field's value). The organisation is kept as customerId in every case.
 * A tier taken from the payload is read as a tier id (see `tierId`), so a Jira select option "Enterprise" or an
 * Intercom attribute "Premium Support" selects the tiers `enterprise` and `premium-support`.
 */
export function applyTier(
  snapshot: Pick<TicketSnapshot, 'customerId' | 'tier'>,
  sources: TierSources,
  mapping: IntegrationMapping,
): void {
  if (sources.customer !== undefined) snapshot.customerId = sources.customer;
  if (sources.payloadTier !== undefined) {
    snapshot.tier = tierId(sources.payloadTier);
    return;
  }
  const tier = mapping.tier;
  if (!tier) return;
  if (tier.source === 'tag' && tier.tagPrefix) {
    const prefix = tier.tagPrefix.toLowerCase();
    const tag = sources.tags?.find((t) => t.toLowerCase().startsWith(prefix) && t.length > prefix.length);
    if (tag !== undefined) snapshot.tier = tierId(tag.slice(prefix.length));
  } else if (tier.source === 'field' && tier.field && sources.field) {
    const value = sources.field(tier.field);
    if (value !== undefined) snapshot.tier = tierId(value);
  }
}

/**
 * A helpdesk's tier value as a tier id: tier ids are lower-case slugs, while helpdesks show display values
 * ("Enterprise", "Premium Support"), so the value is trimmed, lower-cased and its spaces become "-".
 */
export function tierId(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, '-');
}

/** Removes undefined properties so events compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
