import { describe, expect, it } from 'vitest';
import { writeBackBaseUrlSchema, writeBackInputSchema } from '../../src/integrations/write-back.schemas.js';
import type { NotificationFacts } from '../../src/notifications/notification-message.js';
import { duration, writeBackAction } from '../../src/notifications/writeback/writeback-action.js';
import { retryAfterMs } from '../../src/notifications/writeback/writeback-sender.js';

const TAGS = { warning: 'sla_warning', breached: 'sla_breached' };

function facts(over: Partial<NotificationFacts['step']> = {}, event: NotificationFacts['event'] = 'step') {
  return {
    idempotencyKey: 'key-1',
    event,
    step: {
      id: '1',
      metric: 'first_response',
      cycle: 1,
      step: 'breach',
      kind: 'breach',
      percent: null,
      status: 'recorded',
      dueAt: new Date('2026-12-01T10:00:00Z'),
      deadline: new Date('2026-12-01T10:00:00Z'),
      detectedAt: new Date('2026-12-01T11:05:00Z'),
      withdrawnAt: null,
      latenessMs: 0,
      late: false,
      ...over,
    },
    ticket: { integrationId: 'zd', externalId: '4711', priority: 'urgent', tier: 'enterprise' },
  } satisfies NotificationFacts;
}

describe('write-back actions', () => {
  it('tags a warning, tags and notes a breach, untags on met and withdrawal', () => {
    expect(writeBackAction(facts({ kind: 'warning', step: 'warn-90' }), TAGS)).toEqual({
      add: ['sla_warning'],
      remove: [],
      note: null,
    });
    const breach = writeBackAction(facts(), TAGS);
    expect(breach.add).toEqual(['sla_breached']);
    expect(breach.note).toBe(
      'SLA breached: the first response clock missed its deadline.\n' +
        'Deadline: 2026-12-01T10:00:00.000Z (UTC). Missed by: 1 h 5 min when detected at 2026-12-01T11:05:00.000Z.\n' +
        'Priority urgent, tier enterprise. Reference: key-1',
    );
    expect(writeBackAction(facts({ kind: 'warning' }, 'met'), TAGS)).toEqual({
      add: [],
      remove: ['sla_warning'],
      note: null,
    });
    const withdrawal = writeBackAction(facts({}, 'withdrawal'), TAGS);
    expect(withdrawal.remove).toEqual(['sla_warning', 'sla_breached']);
    expect(withdrawal.note).toMatch(
      /^SLA breach withdrawn: the first response clock met its deadline 2026-12-01T10/,
    );
    expect(writeBackAction(facts({ metric: 'next_response', cycle: 3 }), TAGS).note).toContain(
      'the next response (cycle 3) clock',
    );
  });

  it('writes durations the way a person reads them', () => {
    expect(duration(350)).toBe('350 ms');
    expect(duration(42_000)).toBe('42 s');
    expect(duration(125_000)).toBe('2 min 5 s');
    expect(duration(2 * 3600_000 + 5 * 60_000 + 7000)).toBe('2 h 5 min');
    expect(duration(26 * 3600_000)).toBe('1 d 2 h');
    expect(duration(-5)).toBe('0 ms');
  });
});

describe('write-back settings', () => {
  it('takes https anywhere and plain http only on this machine', () => {
    expect(writeBackBaseUrlSchema.parse('https://acme.zendesk.com/')).toBe('https://acme.zendesk.com');
    expect(writeBackBaseUrlSchema.parse('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(writeBackBaseUrlSchema.parse('http://localhost:3000/zammad')).toBe('http://localhost:3000/zammad');
    for (const bad of [
      'http://acme.zendesk.com',
      'ftp://acme.zendesk.com',
      'https://user:pw@acme.zendesk.com',
      'https://acme.zendesk.com/?x=1',
      'not a url',
    ])
      expect(writeBackBaseUrlSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('defaults the tag names', () => {
    expect(writeBackInputSchema.parse({ baseUrl: 'https://x.example.com' }).tags).toEqual(TAGS);
  });
});

describe('Retry-After', () => {
  it('reads seconds or an HTTP date, within 1 s and an hour', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('0', now)).toBe(1000);
    expect(retryAfterMs('86400', now)).toBe(3_600_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});
