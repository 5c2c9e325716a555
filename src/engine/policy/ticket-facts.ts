import type { EvaluationContext, Priority, TicketSnapshot } from '../types.js';

/** The attributes of a ticket that policy conditions look at, with tier and priority defaults applied. */
export interface TicketFacts {
  tier: string | null;
  priority: Priority;
  groupId: string | null;
  channel: string | null;
  tags: readonly string[];
}

export type FactDefaults = Pick<EvaluationContext, 'customerTiers' | 'defaultTier' | 'defaultPriority'>;

const NO_TAGS: readonly string[] = [];

/**
 * Tier: the snapshot's own tier, else the customer's mapped tier, else the default tier.
 * Priority: the snapshot's priority, else the integration's default, else `normal` (rule 21).
 */
export function ticketFacts(snapshot: TicketSnapshot, defaults: FactDefaults): TicketFacts {
  const mappedTier =
    snapshot.customerId === undefined ? undefined : defaults.customerTiers?.get(snapshot.customerId);
  return {
    tier: snapshot.tier ?? mappedTier ?? defaults.defaultTier ?? null,
    priority: snapshot.priority ?? defaults.defaultPriority ?? 'normal',
    groupId: snapshot.groupId ?? null,
    channel: snapshot.channel ?? null,
    tags: snapshot.tags ?? NO_TAGS,
  };
}

/** True when every policy condition sees the two fact sets alike. */
export function sameFacts(a: TicketFacts, b: TicketFacts): boolean {
  if (a === b) return true;
  if (a.tier !== b.tier || a.priority !== b.priority || a.groupId !== b.groupId || a.channel !== b.channel)
    return false;
  if (a.tags === b.tags) return true;
  if (a.tags.length !== b.tags.length) return false;
  return a.tags.every((tag) => b.tags.includes(tag));
}
