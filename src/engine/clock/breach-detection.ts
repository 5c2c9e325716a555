import type { Metric, PolicyVersion, Priority, TargetDefinition, TicketSnapshot } from '../types.js';
import type { PolicySelector } from '../policy/policy-selector.js';
import { targetFor } from '../policy/select-policy.js';
import { sameFacts } from '../policy/ticket-facts.js';
import type { ClockRun } from './clock-runs.js';
import type { PauseInterval } from './pauses.js';
import type { TicketHistory } from './ticket-history.js';

/** What decided a clock's target: the policy version, and the snapshot and instant it was selected with. */
export interface Judgement {
  snapshotIndex: number;
  at: number;
  policy: PolicyVersion;
  priority: Priority;
}

const serialised = new WeakMap<TargetDefinition, string>();

/** Equal for two selections exactly when they give the same target (policy and its definition). */
function targetSignature(policy: PolicyVersion | null, priority: Priority, metric: Metric): string {
  if (policy === null) return '';
  const target = targetFor(policy, priority, metric);
  if (target === undefined) return `${policy.policyId}\u0000-`;
  let json = serialised.get(target);
  if (json === undefined) {
    json = JSON.stringify(target);
    serialised.set(target, json);
  }
  return `${policy.policyId}\u0000${json}`;
}

/** Receipt of the latest ticket change that changed which target applies (a priority, tier, group … change). */
function targetChangeReceivedAt(
  history: TicketHistory,
  selector: PolicySelector,
  judgement: Judgement,
  metric: Metric,
): number {
  const events = history.events;
  const signatureOf = (snapshot: TicketSnapshot): string => {
    const policy = selector.select(snapshot, judgement.at);
    return targetSignature(policy, selector.factsOf(snapshot).priority, metric);
  };
  const current = targetSignature(judgement.policy, judgement.priority, metric);
  for (let j = judgement.snapshotIndex; j > 0; j--) {
    const previous = events[j - 1].ticket;
    if (
      !sameFacts(selector.factsOf(previous), selector.factsOf(events[j].ticket)) &&
      signatureOf(previous) !== current
    ) {
      return events[j].receivedAt;
    }
  }
  return -Infinity;
}

/** Since when the policy has had this very target: the validFrom of the earliest unbroken version with it. */
function targetKnownSince(selector: PolicySelector, judgement: Judgement, metric: Metric): number {
  const versions = selector.versionsOf(judgement.policy.policyId);
  const signature = targetSignature(judgement.policy, judgement.priority, metric);
  let i = versions.indexOf(judgement.policy);
  while (
    i > 0 &&
    versions[i - 1].active &&
    versions[i - 1].validTo === versions[i].validFrom &&
    targetSignature(versions[i - 1], judgement.priority, metric) === signature
  ) {
    i--;
  }
  return i >= 0 ? versions[i].validFrom : judgement.policy.validFrom;
}

/**
 * When a missed deadline was (or could first be) known: max(deadline, the latest receipt among the events that
 * decided the deadline — the clock's start, pause boundaries before the deadline, the ticket change that selected
 * its target — and the saving of the policy version that set the target). A stricter target that is already
 * exceeded is therefore detected when the change was received (rule 19), never earlier than the deadline.
 */
export function breachDetectedAt(
  deadline: number,
  run: ClockRun,
  pauses: readonly PauseInterval[],
  history: TicketHistory,
  selector: PolicySelector,
  judgement: Judgement,
): number {
  const events = history.events;
  let known = events[run.startIndex].receivedAt;
  for (const pause of pauses) {
    if (pause.from >= deadline) break;
    if (pause.fromIndex >= 0) known = Math.max(known, events[pause.fromIndex].receivedAt);
    if (pause.toIndex >= 0 && pause.to !== null && pause.to <= deadline)
      known = Math.max(known, events[pause.toIndex].receivedAt);
  }
  known = Math.max(known, targetChangeReceivedAt(history, selector, judgement, run.metric));
  known = Math.max(known, targetKnownSince(selector, judgement, run.metric));
  return Math.max(deadline, known);
}
