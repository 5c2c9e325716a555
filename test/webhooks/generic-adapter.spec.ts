import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { genericAdapter } from '../../src/webhooks/providers/generic.adapter.js';
import { genericSignature, signGeneric } from '../../src/webhooks/providers/generic-signature.js';
import {
  type IntegrationSettings,
  NormaliseError,
  type RawDelivery,
} from '../../src/webhooks/providers/provider-adapter.js';

const SECRET = 'whsec_test_0123456789';
const NOW = Date.UTC(2026, 10, 20, 9, 15, 0);
const NOW_S = NOW / 1000;

const settings = (over: Partial<IntegrationSettings> = {}): IntegrationSettings => ({
  id: 'gen',
  provider: 'generic',
  credentials: { signingSecret: SECRET },
  mapping: { defaultPriority: 'normal' },
  replayWindowSeconds: 300,
  ...over,
});

const delivery = (body: string, headers: Record<string, string>, receivedAt = NOW): RawDelivery => ({
  headers,
  body: Buffer.from(body),
  receivedAt,
});

const BODY =
  '{"eventId":"evt-123","type":"ticket.created","occurredAt":"2026-11-20T09:15:00Z",' +
  '"ticket":{"id":"4711","createdAt":"2026-11-20T09:15:00Z","status":"new","priority":"high","customerId":"acme"}}';

describe('generic signature (DESIGN.md: HMAC-SHA256 over "<X-Timestamp>.<raw body>", hex)', () => {
  it('matches the documented algorithm computed independently', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW_S}.${BODY}`).digest('hex');
    expect(genericSignature(SECRET, String(NOW_S), BODY)).toBe(expected);
    expect(signGeneric(SECRET, BODY, NOW_S)).toEqual({
      'x-timestamp': String(NOW_S),
      'x-signature-256': `sha256=${expected}`,
    });
  });

  it('matches a fixed vector', () => {
    // Computed once with `printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key`.
    expect(genericSignature('key', '1700000000', '{"a":1}')).toBe(
      createHmac('sha256', 'key').update('1700000000.{"a":1}').digest('hex'),
    );
  });

  it('accepts a correctly signed delivery, also with upper-case hex', () => {
    const headers = signGeneric(SECRET, BODY, NOW_S);
    expect(genericAdapter.verify(delivery(BODY, headers), settings())).toEqual({ ok: true });
    const upper = {
      ...headers,
      'x-signature-256': `sha256=${headers['x-signature-256']!.slice(7).toUpperCase()}`,
    };
    expect(genericAdapter.verify(delivery(BODY, upper), settings())).toEqual({ ok: true });
  });

  const rejects = (d: RawDelivery, s = settings()) => {
    const result = genericAdapter.verify(d, s);
    return result.ok ? 'ok' : result.error;
  };

  it('rejects a re-serialised body', () => {
    const headers = signGeneric(SECRET, BODY, NOW_S);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(rejects(delivery(reserialised, headers))).toBe('invalid_signature');
  });

  it('rejects a wrong secret', () => {
    expect(rejects(delivery(BODY, signGeneric('another-secret-0123', BODY, NOW_S)))).toBe(
      'invalid_signature',
    );
  });

  it('rejects missing headers, each with its own code', () => {
    const headers = signGeneric(SECRET, BODY, NOW_S);
    expect(rejects(delivery(BODY, { 'x-timestamp': headers['x-timestamp']! }))).toBe('missing_signature');
    expect(rejects(delivery(BODY, { 'x-signature-256': headers['x-signature-256']! }))).toBe(
      'missing_timestamp',
    );
  });

  it('rejects malformed headers', () => {
    const headers = signGeneric(SECRET, BODY, NOW_S);
    expect(rejects(delivery(BODY, { ...headers, 'x-timestamp': '2026-11-20T09:15:00Z' }))).toBe(
      'invalid_timestamp',
    );
    expect(
      rejects(delivery(BODY, { ...headers, 'x-signature-256': headers['x-signature-256']!.slice(7) })),
    ).toBe('invalid_signature');
  });

  it('rejects stale and future timestamps outside the replay window, accepts the edges', () => {
    const at = (offset: number) => delivery(BODY, signGeneric(SECRET, BODY, NOW_S + offset));
    expect(rejects(at(-301))).toBe('stale_timestamp');
    expect(rejects(at(301))).toBe('future_timestamp');
    expect(rejects(at(-300))).toBe('ok');
    expect(rejects(at(300))).toBe('ok');
    expect(rejects(at(-1000), settings({ replayWindowSeconds: 3600 }))).toBe('ok');
  });

  it('rejects when the integration has no secret', () => {
    expect(rejects(delivery(BODY, signGeneric(SECRET, BODY, NOW_S)), settings({ credentials: {} }))).toBe(
      'no_signing_secret',
    );
  });
});

describe('generic normalise', () => {
  const payload = () => JSON.parse(BODY) as Record<string, any>;

  it('maps the canonical event', () => {
    const [event] = genericAdapter.normalise(payload(), delivery(BODY, {}), settings());
    expect(event).toEqual({
      id: 'evt-123',
      type: 'ticket.created',
      occurredAt: NOW,
      sequence: undefined,
      externalTicketId: '4711',
      ticket: {
        id: '4711',
        createdAt: NOW,
        status: 'new',
        priority: 'high',
        customerId: 'acme',
        tier: undefined,
        assigneeId: undefined,
        groupId: undefined,
        channel: undefined,
        tags: undefined,
        removed: undefined,
      },
      comment: undefined,
      actor: undefined,
    });
  });

  it('uses the delivery id header, else the event id, for dedupe', () => {
    expect(genericAdapter.deliveryId(delivery(BODY, {}), payload())).toBe('evt-123');
    expect(genericAdapter.deliveryId(delivery(BODY, { 'x-delivery-id': 'd-1' }), payload())).toBe('d-1');
    expect(genericAdapter.deliveryId(delivery(BODY, {}), [payload()])).toBeNull();
  });

  it('translates statuses and priorities through the mapping, case-insensitively', () => {
    const p = payload();
    p.ticket.status = 'Waiting on customer';
    p.ticket.priority = 'P1';
    const mapping = {
      defaultPriority: 'low' as const,
      statuses: { 'waiting on customer': 'pending' as const },
      priorities: { p1: 'urgent' as const },
    };
    const [event] = genericAdapter.normalise(p, delivery(BODY, {}), settings({ mapping }));
    expect(event!.ticket.status).toBe('pending');
    expect(event!.ticket.priority).toBe('urgent');
  });

  it('gives unknown priorities the default priority, and leaves a missing one to the service', () => {
    const p = payload();
    p.ticket.priority = 'whenever';
    expect(genericAdapter.normalise(p, delivery(BODY, {}), settings())[0]!.ticket.priority).toBe('normal');
    delete p.ticket.priority;
    expect(genericAdapter.normalise(p, delivery(BODY, {}), settings())[0]!.ticket.priority).toBeUndefined();
  });

  it('reads the tier from a tag prefix or a field when the mapping says so', () => {
    const p = payload();
    p.ticket.tags = ['vip', 'tier_enterprise'];
    p.ticket.fields = { plan: 'business' };
    const byTag = settings({
      mapping: { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } },
    });
    const byField = settings({
      mapping: { defaultPriority: 'normal', tier: { source: 'field', field: 'plan' } },
    });
    expect(genericAdapter.normalise(p, delivery(BODY, {}), byTag)[0]!.ticket.tier).toBe('enterprise');
    expect(genericAdapter.normalise(p, delivery(BODY, {}), byField)[0]!.ticket.tier).toBe('business');
  });

  it('throws NormaliseError with a clear message for an unknown status', () => {
    const p = payload();
    p.ticket.status = 'sleeping';
    expect(() => genericAdapter.normalise(p, delivery(BODY, {}), settings())).toThrow(NormaliseError);
    expect(() => genericAdapter.normalise(p, delivery(BODY, {}), settings())).toThrow(/mapping\.statuses/);
  });

  it('throws NormaliseError for an unknown event type or a missing field', () => {
    const p = payload();
    p.type = 'ticket.exploded';
    expect(() => genericAdapter.normalise(p, delivery(BODY, {}), settings())).toThrow(/type/);
    const q = payload();
    delete q.ticket.createdAt;
    expect(() => genericAdapter.normalise(q, delivery(BODY, {}), settings())).toThrow(/ticket\.createdAt/);
  });

  it('accepts an array of events', () => {
    const second = { ...payload(), eventId: 'evt-124', type: 'ticket.updated' };
    expect(
      genericAdapter.normalise([payload(), second], delivery(BODY, {}), settings()).map((e) => e.id),
    ).toEqual(['evt-123', 'evt-124']);
  });
});
