import { describe, expect, it } from 'vitest';
import { asStringList } from '../../src/webhooks/providers/shared/json.js';
import { applyTier, createMapper } from '../../src/webhooks/providers/shared/mapping.js';
import { safeEqual } from '../../src/webhooks/providers/shared/signature.js';
import { parseTimestamp } from '../../src/webhooks/providers/shared/time.js';

describe('parseTimestamp', () => {
  const z = Date.parse('2026-11-20T09:15:00Z');
  it.each([
    ['epoch seconds', 1795166100, z],
    ['epoch seconds as string', '1795166100', z],
    ['epoch ms', 1795166100000, z],
    ['ISO Z', '2026-11-20T09:15:00Z', z],
    ['ISO ms Z', '2026-11-20T09:15:00.250Z', z + 250],
    ['nanoseconds', '2026-11-20T09:15:00.123456789Z', z + 123],
    ['offset with colon', '2026-11-20T10:15:00+01:00', z],
    ['Jira offset without colon', '2026-11-20T05:45:00.000-0330', z],
    ['hour-only offset', '2026-11-20T11:15:00+02', z],
    ['minute precision (Zendesk placeholders)', '2026-11-20T09:15Z', z],
    ['space separator and spaced offset', '2026-11-20 09:15:00.000000000 +0000', z],
    ['no zone → UTC', '2026-11-20T09:15:00', z],
  ])('%s', (_name, input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([['garbage'], [''], ['2026-02-31T00:00:00Z'], [null], [-5], [{}]])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });
});

describe('mapping helpers', () => {
  it('case- and separator-insensitive keys; invalid override values are ignored', () => {
    const m = createMapper(
      { statuses: { 'on hold': 'on_hold' }, priorities: { high: 'high' } },
      { defaultPriority: 'normal', statuses: { 'In-Review': 'open', Bad: 'nonsense' as never } },
    );
    expect(m.status('ON_HOLD')).toBe('on_hold');
    expect(m.status('in review')).toBe('open');
    expect(m.status('bad')).toBeUndefined();
    expect(m.priority('HIGH')).toBe('high');
    expect(m.priority('whatever')).toBe('normal');
    // Missing: unchanged (a partial payload); the engine carries the last priority forward.
    expect(m.priority(undefined)).toBeUndefined();
  });

  it('lists from arrays or separated strings', () => {
    expect(asStringList('a b,c')).toEqual(['a', 'b', 'c']);
    expect(asStringList([{ name: 'x' }, 'y', 3])).toEqual(['x', 'y', '3']);
  });

  it('reads a tier from a tag, field or payload as a tier id (tier ids are lower-case slugs)', () => {
    const tierOf = (
      sources: Parameters<typeof applyTier>[1],
      tier: NonNullable<Parameters<typeof applyTier>[2]['tier']>,
    ) => {
      const snapshot: { customerId?: string; tier?: string } = {};
      applyTier(snapshot, sources, { defaultPriority: 'normal', tier });
      return snapshot.tier;
    };
    expect(tierOf({ field: () => 'Enterprise' }, { source: 'field', field: 'plan' })).toBe('enterprise');
    expect(tierOf({ field: () => ' Premium  Support ' }, { source: 'field', field: 'plan' })).toBe(
      'premium-support',
    );
    expect(tierOf({ tags: ['x', 'Tier_Gold_Plus'] }, { source: 'tag', tagPrefix: 'tier_' })).toBe(
      'gold_plus',
    );
    expect(tierOf({ payloadTier: 'Business' }, { source: 'customer' })).toBe('business');
  });

  it('safeEqual', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
