import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/index.js';
import type { MetricTargets } from '../../src/engine/types.js';
import { HOUR, MIN, TicketScript, at, clockOf, context, policy } from './evaluate-fixtures.js';

const T0 = at('2026-03-02T08:00:00Z');
const targets = (reaction: number, firstResponse: number, resolution = 24 * 60): MetricTargets => ({
  reaction: { minutes: reaction },
  first_response: { minutes: firstResponse },
  resolution: { minutes: resolution },
});
/** 24/7: urgent 5/15 min, high 15/30, normal 30/60, low 60/240. */
const tiered = policy({
  id: 'standard',
  targets: { urgent: targets(5, 15), high: targets(15, 30), normal: targets(30, 60), low: targets(60, 240) },
});

describe('priority changes (rules 18, 19)', () => {
  it('rule 18: priority up recomputes the running clock from its original start', () => {
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .priority('urgent', { by: 'system' });
    const clock = clockOf(evaluate(t.events, context([tiered], T0 + 12 * MIN)), 'first_response');
    expect(clock).toMatchObject({
      state: 'running',
      startedAt: T0,
      deadline: T0 + 15 * MIN,
      targetMs: 15 * MIN,
    });
  });

  it('rule 19: a stricter target already exceeded → exactly one breach, at the new deadline, detected when the change was received', () => {
    const t = new TicketScript(T0)
      .created()
      .after(30 * MIN)
      .priority('urgent', { by: 'system', lateBy: 2 * MIN });
    for (const now of [T0 + 33 * MIN, T0 + 2 * HOUR, T0 + 50 * HOUR]) {
      const result = evaluate(t.events, context([tiered], now));
      const breached = result.clocks.filter((c) => c.metric === 'first_response' && c.state === 'breached');
      expect(breached).toHaveLength(1);
      expect(breached[0]).toMatchObject({
        breachedAt: T0 + 15 * MIN,
        breachDetectedAt: T0 + 32 * MIN,
        deadline: T0 + 15 * MIN,
      });
    }
  });

  it('rule 19: detection is never earlier than the deadline', () => {
    // The change is received before the (new) deadline: the breach is detected at the deadline itself.
    const t = new TicketScript(T0)
      .created()
      .after(5 * MIN)
      .priority('urgent', { by: 'system' });
    expect(clockOf(evaluate(t.events, context([tiered], T0 + HOUR)), 'first_response')).toMatchObject({
      breachedAt: T0 + 15 * MIN,
      breachDetectedAt: T0 + 15 * MIN,
    });
  });

  it('rule 18: priority down moves the deadline later; the running clock is no longer breached', () => {
    const t = new TicketScript(T0, { priority: 'urgent' }).created();
    expect(clockOf(evaluate(t.events, context([tiered], T0 + 20 * MIN)), 'first_response').state).toBe(
      'breached',
    );
    t.after(20 * MIN).priority('low', { by: 'system' });
    expect(clockOf(evaluate(t.events, context([tiered], T0 + 30 * MIN)), 'first_response')).toMatchObject({
      state: 'running',
      deadline: T0 + 240 * MIN,
      breachedAt: null,
    });
  });

  it('rule 4: a clock stopped before the priority change keeps its outcome', () => {
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .comment('agent', false)
      .after(10 * MIN)
      .priority('urgent', { by: 'system' });
    const result = evaluate(t.events, context([tiered], T0 + HOUR));
    expect(clockOf(result, 'reaction')).toMatchObject({ state: 'met', targetMs: 30 * MIN });
    expect(clockOf(result, 'first_response')).toMatchObject({ state: 'breached', targetMs: 15 * MIN });
  });

  it('a priority change carried by the stopping event itself applies after the stop', () => {
    // The agent's triage (normal → urgent at 20 min) is the reaction: judged under normal (30 min), met.
    const t = new TicketScript(T0)
      .created()
      .after(20 * MIN)
      .priority('urgent', { by: 'agent' });
    expect(clockOf(evaluate(t.events, context([tiered], T0 + HOUR)), 'reaction')).toMatchObject({
      state: 'met',
      targetMs: 30 * MIN,
    });
  });

  it('rule 21: a snapshot without priority takes the default priority', () => {
    const t = new TicketScript(T0, { priority: undefined }).created();
    const result = evaluate(t.events, context([tiered], T0 + MIN, { defaultPriority: 'high' }));
    expect(result.priority).toBe('high');
    expect(clockOf(result, 'first_response').targetMs).toBe(30 * MIN);
  });
});

describe('tier, group and policy selection', () => {
  const enterprise = policy({
    id: 'enterprise',
    position: 1,
    conditions: { tiers: ['enterprise'] },
    targets: { normal: targets(10, 20) },
  });

  it('rule 18: a tier change re-selects the policy from the original start', () => {
    const t = new TicketScript(T0)
      .created()
      .after(30 * MIN)
      .update({ tier: 'enterprise' }, { by: 'system' });
    const result = evaluate(t.events, context([enterprise, tiered], T0 + 40 * MIN));
    expect(result.tier).toBe('enterprise');
    expect(clockOf(result, 'first_response')).toMatchObject({
      policyId: 'enterprise',
      state: 'breached',
      breachedAt: T0 + 20 * MIN,
      breachDetectedAt: T0 + 30 * MIN,
    });
  });

  it('the tier comes from the customer mapping when the snapshot has none', () => {
    const t = new TicketScript(T0).created();
    const result = evaluate(
      t.events,
      context([enterprise, tiered], T0 + MIN, { customerTiers: new Map([['acme', 'enterprise']]) }),
    );
    expect(clockOf(result, 'first_response').policyId).toBe('enterprise');
  });

  it('a group condition selects the policy; moving the ticket to another group re-selects', () => {
    const billing = policy({
      id: 'billing',
      position: 2,
      conditions: { groups: ['billing'] },
      targets: { normal: targets(120, 240) },
    });
    const t = new TicketScript(T0, { groupId: 'billing' }).created();
    expect(clockOf(evaluate(t.events, context([billing, tiered], T0 + MIN)), 'first_response')).toMatchObject(
      {
        policyId: 'billing',
        targetMs: 240 * MIN,
      },
    );
    t.after(10 * MIN).update({ groupId: 'support' }, { by: 'system' });
    expect(
      clockOf(evaluate(t.events, context([billing, tiered], T0 + 11 * MIN)), 'first_response'),
    ).toMatchObject({
      policyId: 'standard',
      targetMs: 60 * MIN,
    });
  });

  it('rule 20: no policy matches → every clock is not_applicable', () => {
    const t = new TicketScript(T0).created();
    const result = evaluate(t.events, context([enterprise], T0 + 2 * HOUR));
    for (const clock of result.clocks) {
      expect(clock).toMatchObject({
        state: 'not_applicable',
        policyId: null,
        deadline: null,
        breachedAt: null,
        warnings: [],
      });
      expect(clock.notApplicableReason).toMatch(/no active policy/);
    }
  });

  it('rule 20: a deactivated policy gives not_applicable (when nothing else matches)', () => {
    const t = new TicketScript(T0).created();
    const result = evaluate(t.events, context([policy({ active: false })], T0 + 2 * HOUR));
    expect(result.clocks.every((c) => c.state === 'not_applicable')).toBe(true);
  });

  it('a priority without targets, or a metric without a target, is not_applicable (with the policy recorded)', () => {
    const urgentOnly = policy({
      id: 'urgent-only',
      targets: { urgent: { first_response: { minutes: 10 } } },
    });
    const normal = evaluate(new TicketScript(T0).created().events, context([urgentOnly], T0 + MIN));
    expect(clockOf(normal, 'first_response')).toMatchObject({
      state: 'not_applicable',
      policyId: 'urgent-only',
      policyVersion: 1,
    });
    const urgent = evaluate(
      new TicketScript(T0, { priority: 'urgent' }).created().events,
      context([urgentOnly], T0 + MIN),
    );
    expect(clockOf(urgent, 'first_response').state).toBe('running');
    expect(clockOf(urgent, 'resolution')).toMatchObject({
      state: 'not_applicable',
      notApplicableReason: expect.stringMatching(/no resolution target/),
    });
  });

  it('a target in an unknown calendar is not_applicable and says so', () => {
    const p = policy({ targets: { normal: { first_response: { minutes: 10, calendarId: 'mars' } } } });
    expect(
      clockOf(evaluate(new TicketScript(T0).created().events, context([p], T0)), 'first_response'),
    ).toMatchObject({
      state: 'not_applicable',
      notApplicableReason: 'unknown calendar "mars"',
    });
  });
});

describe('policy version edits (rules 9, 18)', () => {
  const EDIT = T0 + 30 * MIN;
  const v1 = policy({ id: 'p', version: 1, validTo: EDIT, targets: { normal: targets(30, 60) } });
  const v2 = policy({ id: 'p', version: 2, validFrom: EDIT, targets: { normal: targets(30, 20) } });

  it('rule 9: an edit re-evaluates a running clock under the new version (breach detected when the edit was saved)', () => {
    const t = new TicketScript(T0).created();
    const result = evaluate(t.events, context([v1, v2], T0 + 40 * MIN));
    expect(clockOf(result, 'first_response')).toMatchObject({
      policyVersion: 2,
      state: 'breached',
      breachedAt: T0 + 20 * MIN,
      breachDetectedAt: EDIT,
    });
  });

  it('rule 9: a clock stopped before the edit keeps its outcome under the version it stopped under', () => {
    const t = new TicketScript(T0)
      .created()
      .after(25 * MIN)
      .reply();
    const result = evaluate(t.events, context([v1, v2], T0 + 40 * MIN));
    expect(clockOf(result, 'first_response')).toMatchObject({
      policyVersion: 1,
      state: 'met',
      targetMs: 60 * MIN,
    });
  });

  it('rule 9: a stop that only became known after the edit is judged under the new version', () => {
    const t = new TicketScript(T0)
      .created()
      .after(25 * MIN)
      .reply({ lateBy: 10 * MIN });
    expect(clockOf(evaluate(t.events, context([v1, v2], T0 + 40 * MIN)), 'first_response')).toMatchObject({
      policyVersion: 2,
      state: 'breached',
    });
  });

  it('an edit that leaves this target unchanged does not move the breach detection', () => {
    const u1 = policy({ id: 'p', version: 1, validTo: EDIT, targets: { normal: targets(30, 20) } });
    const u2 = policy({ id: 'p', version: 2, validFrom: EDIT, targets: { normal: targets(45, 20) } });
    const t = new TicketScript(T0).created();
    expect(clockOf(evaluate(t.events, context([u1, u2], T0 + HOUR)), 'first_response')).toMatchObject({
      policyVersion: 2,
      breachedAt: T0 + 20 * MIN,
      breachDetectedAt: T0 + 20 * MIN,
    });
  });

  it('a ticket change after the deadline that does not change the target does not move the breach detection', () => {
    const t = new TicketScript(T0)
      .created()
      .after(2 * HOUR)
      .update({ tags: ['x'] }, { by: 'system' });
    expect(clockOf(evaluate(t.events, context([tiered], T0 + 3 * HOUR)), 'first_response')).toMatchObject({
      breachedAt: T0 + HOUR,
      breachDetectedAt: T0 + HOUR,
    });
  });

  it('a policy created after the ticket: detection is when it was saved', () => {
    const created = policy({ id: 'new', validFrom: T0 + 2 * HOUR, targets: { normal: targets(30, 60) } });
    const t = new TicketScript(T0).created();
    expect(clockOf(evaluate(t.events, context([created], T0 + 3 * HOUR)), 'first_response')).toMatchObject({
      breachedAt: T0 + HOUR,
      breachDetectedAt: T0 + 2 * HOUR,
    });
  });
});
