import type { PolicyVersion } from '../types.js';
import { policiesInForceAt } from './select-policy.js';

/**
 * The set of policy versions in force only changes at validFrom/validTo boundaries, so it is computed once per
 * boundary interval and found by binary search. Cached per policies array (callers pass the same array to many
 * evaluations), so steady-state selection allocates nothing.
 */
export class PolicyIndex {
  private readonly boundaries: number[];
  private readonly ordered: PolicyVersion[][];

  constructor(readonly policies: readonly PolicyVersion[]) {
    const edges = new Set<number>();
    for (const v of policies) {
      edges.add(v.validFrom);
      if (v.validTo !== null) edges.add(v.validTo);
    }
    this.boundaries = [...edges].sort((a, b) => a - b);
    // ordered[i] holds for boundaries[i-1] ≤ t < boundaries[i] (i = 0: before the first boundary).
    this.ordered = [policiesInForceAt(policies, -Infinity)];
    for (const edge of this.boundaries) this.ordered.push(policiesInForceAt(policies, edge));
  }

  /** The active versions in force at `at`, in precedence order. Do not modify the returned array. */
  inForceAt(at: number): readonly PolicyVersion[] {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid] <= at) lo = mid + 1;
      else hi = mid;
    }
    return this.ordered[lo];
  }

  /** Every version of one policy, oldest first. */
  versionsOf(policyId: string): PolicyVersion[] {
    return this.policies
      .filter((v) => v.policyId === policyId)
      .sort((a, b) => a.validFrom - b.validFrom || a.version - b.version);
  }
}

const indexes = new WeakMap<readonly PolicyVersion[], PolicyIndex>();

/** The index of a policies array; rebuilt only when a different array is passed (treat it as immutable). */
export function policyIndexOf(policies: readonly PolicyVersion[]): PolicyIndex {
  let index = indexes.get(policies);
  if (index === undefined) {
    index = new PolicyIndex(policies);
    indexes.set(policies, index);
  }
  return index;
}
