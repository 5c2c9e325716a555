import type { PolicyVersion, TicketSnapshot } from '../types.js';
import { type PolicyIndex, policyIndexOf } from './policy-index.js';
import { firstMatching } from './select-policy.js';
import { type FactDefaults, type TicketFacts, ticketFacts } from './ticket-facts.js';

/**
 * Policy selection for one evaluation, memoised: most clocks of a ticket ask the same question (the versions in
 * force at `now`, applied to the latest snapshot), so each distinct instant and snapshot is resolved once.
 */
export class PolicySelector {
  private readonly index: PolicyIndex;
  private readonly facts = new Map<TicketSnapshot, TicketFacts>();
  private readonly selections = new Map<TicketSnapshot, Map<number, PolicyVersion | null>>();

  constructor(
    policies: readonly PolicyVersion[],
    private readonly defaults: FactDefaults,
  ) {
    this.index = policyIndexOf(policies);
  }

  factsOf(snapshot: TicketSnapshot): TicketFacts {
    let facts = this.facts.get(snapshot);
    if (facts === undefined) {
      facts = ticketFacts(snapshot, this.defaults);
      this.facts.set(snapshot, facts);
    }
    return facts;
  }

  select(snapshot: TicketSnapshot, at: number): PolicyVersion | null {
    let byInstant = this.selections.get(snapshot);
    if (byInstant === undefined) {
      byInstant = new Map();
      this.selections.set(snapshot, byInstant);
    }
    let selected = byInstant.get(at);
    if (selected === undefined) {
      selected = firstMatching(this.index.inForceAt(at), this.factsOf(snapshot));
      byInstant.set(at, selected);
    }
    return selected;
  }

  /** Every version of one policy, oldest first (for finding since when a target has been unchanged). */
  versionsOf(policyId: string): PolicyVersion[] {
    return this.index.versionsOf(policyId);
  }
}
