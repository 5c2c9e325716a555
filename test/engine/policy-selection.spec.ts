import { describe, expect, it } from 'vitest';
import {
  isInForce,
  matchesConditions,
  policiesInForceAt,
  selectPolicy,
  ticketFacts,
} from '../../src/engine/index.js';
import type { TicketSnapshot } from '../../src/engine/types.js';
import { policy } from './evaluate-fixtures.js';

const snapshot = (patch: Partial<TicketSnapshot> = {}): TicketSnapshot => ({
  id: 't',
  createdAt: 0,
  status: 'open',
  ...patch,
});
const facts = (patch: Partial<TicketSnapshot> = {}) =>
  ticketFacts(snapshot(patch), { defaultTier: 'standard' });

describe('ticket facts (tier and priority defaults)', () => {
  it("tier: the snapshot's own tier, else the customer's mapped tier, else the default tier", () => {
    const customerTiers = new Map([['acme', 'enterprise']]);
    expect(
      ticketFacts(snapshot({ tier: 'business', customerId: 'acme' }), {
        customerTiers,
        defaultTier: 'standard',
      }).tier,
    ).toBe('business');
    expect(
      ticketFacts(snapshot({ customerId: 'acme' }), { customerTiers, defaultTier: 'standard' }).tier,
    ).toBe('enterprise');
    expect(
      ticketFacts(snapshot({ customerId: 'other' }), { customerTiers, defaultTier: 'standard' }).tier,
    ).toBe('standard');
    expect(ticketFacts(snapshot(), {}).tier).toBeNull();
  });

  it("rule 21: a missing priority takes the integration's default priority, else normal", () => {
    expect(ticketFacts(snapshot(), { defaultPriority: 'high' }).priority).toBe('high');
    expect(ticketFacts(snapshot(), {}).priority).toBe('normal');
    expect(ticketFacts(snapshot({ priority: 'urgent' }), { defaultPriority: 'high' }).priority).toBe(
      'urgent',
    );
  });
});

describe('conditions', () => {
  it('absent or empty conditions match anything', () => {
    expect(matchesConditions({}, facts())).toBe(true);
    expect(
      matchesConditions({ tiers: [], priorities: [], groups: [], channels: [], tagsAny: [] }, facts()),
    ).toBe(true);
  });

  it('every present condition must hold', () => {
    const f = facts({
      tier: 'enterprise',
      priority: 'high',
      groupId: 'billing',
      channel: 'email',
      tags: ['vip', 'de'],
    });
    expect(
      matchesConditions(
        {
          tiers: ['enterprise'],
          priorities: ['high', 'urgent'],
          groups: ['billing'],
          channels: ['email'],
          tagsAny: ['vip'],
        },
        f,
      ),
    ).toBe(true);
    expect(matchesConditions({ tiers: ['enterprise'], groups: ['support'] }, f)).toBe(false);
    expect(matchesConditions({ channels: ['chat'] }, f)).toBe(false);
    expect(matchesConditions({ tagsAny: ['gold', 'de'] }, f)).toBe(true);
    expect(matchesConditions({ tagsAny: ['gold'] }, f)).toBe(false);
  });

  it('a group condition does not match a ticket without a group', () => {
    expect(matchesConditions({ groups: ['billing'] }, facts())).toBe(false);
  });
});

describe('selection (rules 17 and 20)', () => {
  it('rule 17: the first matching policy by position wins, not by name or insertion order', () => {
    const catchAll = policy({ id: 'a-default', name: 'A default', position: 100 });
    const enterprise = policy({
      id: 'z-enterprise',
      name: 'Z enterprise',
      position: 1,
      conditions: { tiers: ['enterprise'] },
    });
    expect(selectPolicy([catchAll, enterprise], facts({ tier: 'enterprise' }), 0)?.policyId).toBe(
      'z-enterprise',
    );
    expect(selectPolicy([enterprise, catchAll], facts({ tier: 'standard' }), 0)?.policyId).toBe('a-default');
  });

  it('rule 17: equal positions are decided by policy id', () => {
    const b = policy({ id: 'b', position: 5 });
    const a = policy({ id: 'a', position: 5 });
    expect(selectPolicy([b, a], facts(), 0)?.policyId).toBe('a');
  });

  it('rule 20: no policy matches → null', () => {
    expect(selectPolicy([policy({ conditions: { tiers: ['enterprise'] } })], facts(), 0)).toBeNull();
  });

  it('rule 20: a deactivated policy is skipped; the next matching one (e.g. the catch-all) applies', () => {
    const off = policy({ id: 'vip', position: 1, active: false });
    const catchAll = policy({ id: 'default', position: 9 });
    expect(selectPolicy([off, catchAll], facts(), 0)?.policyId).toBe('default');
    expect(selectPolicy([off], facts(), 0)).toBeNull();
  });

  it('only versions in force at the instant count: validFrom ≤ t < validTo', () => {
    const v1 = policy({ id: 'p', version: 1, validFrom: 0, validTo: 1000 });
    const v2 = policy({ id: 'p', version: 2, validFrom: 1000 });
    expect(isInForce(v1, 999)).toBe(true);
    expect(isInForce(v1, 1000)).toBe(false);
    expect(selectPolicy([v1, v2], facts(), 999)?.version).toBe(1);
    expect(selectPolicy([v1, v2], facts(), 1000)?.version).toBe(2);
    expect(selectPolicy([v2], facts(), 500)).toBeNull();
  });

  it('a policy deactivated in its newest version does not fall back to an older active version', () => {
    const v1 = policy({ id: 'p', version: 1, validFrom: 0, validTo: null });
    const v2 = policy({ id: 'p', version: 2, validFrom: 0, active: false });
    expect(policiesInForceAt([v1, v2], 10)).toEqual([]);
  });

  it('a later version may move a policy in the precedence order', () => {
    const other = policy({ id: 'other', position: 5 });
    const v1 = policy({ id: 'p', version: 1, position: 10, validTo: 100 });
    const v2 = policy({ id: 'p', version: 2, position: 1, validFrom: 100 });
    expect(selectPolicy([other, v1, v2], facts(), 50)?.policyId).toBe('other');
    expect(selectPolicy([other, v1, v2], facts(), 150)?.policyId).toBe('p');
  });
});
