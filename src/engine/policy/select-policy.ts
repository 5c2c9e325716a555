import type { Metric, PolicyConditions, PolicyVersion, Priority, TargetDefinition } from '../types.js';
import type { TicketFacts } from './ticket-facts.js';

/** True when the version is in force at `at`: validFrom ≤ at < validTo. */
export function isInForce(version: PolicyVersion, at: number): boolean {
  return version.validFrom <= at && (version.validTo === null || at < version.validTo);
}

/**
 * The active policy versions in force at `at`, in precedence order (position, then policyId — never name or
 * insertion order, rule 17). Should two versions of one policy overlap, the highest version number is in force;
 * a policy whose version in force is deactivated is skipped as a whole (it does not fall back to an older one).
 */
export function policiesInForceAt(policies: readonly PolicyVersion[], at: number): PolicyVersion[] {
  const byPolicy = new Map<string, PolicyVersion>();
  for (const version of policies) {
    if (!isInForce(version, at)) continue;
    const seen = byPolicy.get(version.policyId);
    if (seen === undefined || version.version > seen.version) byPolicy.set(version.policyId, version);
  }
  const inForce: PolicyVersion[] = [];
  for (const version of byPolicy.values()) if (version.active) inForce.push(version);
  return inForce.sort(comparePrecedence);
}

function comparePrecedence(a: PolicyVersion, b: PolicyVersion): number {
  if (a.position !== b.position) return a.position - b.position;
  return a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0;
}

function anyOf<T>(allowed: readonly T[] | undefined, value: T | null): boolean {
  if (allowed === undefined || allowed.length === 0) return true;
  return value !== null && allowed.includes(value);
}

/** All present conditions must hold; an absent or empty condition means "any". */
export function matchesConditions(conditions: PolicyConditions, facts: TicketFacts): boolean {
  if (!anyOf(conditions.tiers, facts.tier)) return false;
  if (!anyOf(conditions.priorities, facts.priority)) return false;
  if (!anyOf(conditions.groups, facts.groupId)) return false;
  if (!anyOf(conditions.channels, facts.channel)) return false;
  const tagsAny = conditions.tagsAny;
  if (tagsAny !== undefined && tagsAny.length > 0 && !facts.tags.some((tag) => tagsAny.includes(tag)))
    return false;
  return true;
}

/** From an already ordered list (see policiesInForceAt): the first whose conditions match, or null (rule 20). */
export function firstMatching(ordered: readonly PolicyVersion[], facts: TicketFacts): PolicyVersion | null {
  for (const version of ordered) if (matchesConditions(version.conditions, facts)) return version;
  return null;
}

/** The policy version that applies to a ticket with these facts at instant `at` (rules 17 and 20). */
export function selectPolicy(
  policies: readonly PolicyVersion[],
  facts: TicketFacts,
  at: number,
): PolicyVersion | null {
  return firstMatching(policiesInForceAt(policies, at), facts);
}

/** The target of one metric for one priority; undefined when the policy sets none (→ not_applicable). */
export function targetFor(
  policy: PolicyVersion,
  priority: Priority,
  metric: Metric,
): TargetDefinition | undefined {
  return policy.targets[priority]?.[metric];
}
