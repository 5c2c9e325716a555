import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../src/webhooks/providers/generic-signature.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  SECRET,
} from '../webhooks/webhook-test-kit.js';

/**
 * POST /webhooks/:integrationId — the accept path: what is stored, what is rejected (and that rejected
 * deliveries store nothing but a compact audit row). Workers run too (role `all`).
 */
describe('webhook inbox', () => {
  let t: TestApp;
  const id = 'inbox-generic';
  const event = (n: number) =>
    canonicalEvent({ eventId: `evt-${n}`, ticketId: `T-${n}`, occurredAt: new Date().toISOString() });
  const inboxCount = async () =>
    Number((await t.sql.query('SELECT count(*) FROM inbox_deliveries')).rows[0].count);

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    await createGenericIntegration(t, id);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores a signed delivery before answering 202', async () => {
    const body = JSON.stringify(event(1));
    const res = await postSigned(t, id, body).expect(202);
    expect(res.body).toEqual({ accepted: true, deliveryId: expect.any(String), duplicate: false });
    const { rows } = await t.sql.query('SELECT * FROM inbox_deliveries WHERE id = $1', [res.body.deliveryId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].integration_id).toBe(id);
    expect(rows[0].delivery_key).toBe('evt-1');
    expect(rows[0].status).toBe('pending');
    expect(rows[0].body.toString('utf8')).toBe(body);
    // No credentials in the stored headers.
    expect(Object.keys(rows[0].headers)).not.toContain('x-signature-256');
    expect(rows[0].headers['content-type']).toBe('application/json');
  });

  it('answers a duplicate delivery with duplicate: true and the original id, storing nothing new', async () => {
    const body = JSON.stringify(event(2));
    const first = await postSigned(t, id, body).expect(202);
    const before = await inboxCount();
    const again = await postSigned(t, id, body).expect(202);
    expect(again.body).toEqual({ accepted: true, deliveryId: first.body.deliveryId, duplicate: true });
    expect(await inboxCount()).toBe(before);
  });

  it('dedupes identical deliveries that arrive in the same group commit', async () => {
    const body = JSON.stringify(event(3));
    const results = await Promise.all(Array.from({ length: 5 }, () => postSigned(t, id, body).expect(202)));
    expect(new Set(results.map((r) => r.body.deliveryId)).size).toBe(1);
    expect(results.filter((r) => !r.body.duplicate)).toHaveLength(1);
  });

  it('keys deliveries without an event id by the hash of their body', async () => {
    const body = JSON.stringify([event(4)]);
    const res = await postSigned(t, id, body).expect(202);
    const { rows } = await t.sql.query('SELECT delivery_key FROM inbox_deliveries WHERE id = $1', [
      res.body.deliveryId,
    ]);
    expect(rows[0].delivery_key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('accepts many concurrent deliveries, each stored once', async () => {
    const before = await inboxCount();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => postSigned(t, id, JSON.stringify(event(1000 + i))).expect(202)),
    );
    expect(new Set(results.map((r) => r.body.deliveryId)).size).toBe(200);
    expect(await inboxCount()).toBe(before + 200);
  });

  describe('rejections store nothing', () => {
    const cases: Array<{ name: string; send: () => request.Test; status: number; error: string }> = [
      {
        name: 'unknown integration',
        send: () => postSigned(t, 'no-such-integration', JSON.stringify(event(50))),
        status: 404,
        error: 'unknown_integration',
      },
      {
        name: 'missing signature header',
        send: () =>
          t
            .http()
            .post(`/webhooks/${id}`)
            .set('content-type', 'application/json')
            .set('x-timestamp', String(Math.floor(Date.now() / 1000)))
            .send(JSON.stringify(event(51))),
        status: 401,
        error: 'missing_signature',
      },
      {
        name: 'wrong secret',
        send: () => postSigned(t, id, JSON.stringify(event(52)), 'some-other-secret-0123456789'),
        status: 401,
        error: 'invalid_signature',
      },
      {
        name: 'stale timestamp',
        send: () => {
          const raw = JSON.stringify(event(53));
          return t
            .http()
            .post(`/webhooks/${id}`)
            .set('content-type', 'application/json')
            .set(signGeneric(SECRET, raw, Math.floor(Date.now() / 1000) - 3600))
            .send(raw);
        },
        status: 401,
        error: 'stale_timestamp',
      },
      {
        name: 'malformed JSON (correctly signed)',
        send: () => postSigned(t, id, '{"eventId": "evt-54",'),
        status: 400,
        error: 'malformed_json',
      },
      { name: 'empty body', send: () => postSigned(t, id, ''), status: 400, error: 'empty_body' },
      {
        name: 'wrong content type',
        send: () => {
          const raw = JSON.stringify(event(55));
          return t
            .http()
            .post(`/webhooks/${id}`)
            .set('content-type', 'text/plain')
            .set(signGeneric(SECRET, raw))
            .send(raw);
        },
        status: 415,
        error: 'unsupported_media_type',
      },
      {
        name: 'body over 1 MiB',
        send: () => postSigned(t, id, JSON.stringify({ ...event(56), padding: 'x'.repeat(2 * 1024 * 1024) })),
        status: 413,
        error: 'payload_too_large',
      },
    ];

    for (const c of cases) {
      it(`${c.name} → ${c.status} ${c.error}`, async () => {
        const before = await inboxCount();
        const res = await c.send().expect(c.status);
        expect(res.body).toEqual({
          error: c.error,
          message: expect.any(String),
          requestId: expect.any(String),
        });
        expect(await inboxCount()).toBe(before);
      });
    }

    it('a re-serialised body fails the signature check', async () => {
      const original = '{"eventId":"evt-57",  "type":"ticket.created"}';
      const headers = signGeneric(SECRET, original);
      const res = await t
        .http()
        .post(`/webhooks/${id}`)
        .set('content-type', 'application/json')
        .set(headers)
        .send(JSON.stringify(JSON.parse(original)))
        .expect(401);
      expect(res.body.error).toBe('invalid_signature');
    });

    it('records a compact audit row per rejection of a known integration, without body or secrets', async () => {
      await postSigned(t, id, JSON.stringify(event(58)), 'some-other-secret-0123456789').expect(401);
      await new Promise((r) => setTimeout(r, 1_300));
      const { rows } = await t.sql.query('SELECT * FROM webhook_rejections WHERE integration_id = $1', [id]);
      expect(rows.map((r) => r.reason)).toContain('invalid_signature');
      expect(Object.keys(rows[0]).sort()).toEqual([
        'id',
        'integration_id',
        'reason',
        'received_at',
        'status',
      ]);
    });
  });

  it('leaves other routes with their own JSON handling', async () => {
    // The webhook route's raw-body parser is scoped to it: other routes still parse (and reject) JSON themselves.
    await t
      .http()
      .post('/integrations')
      .set('content-type', 'application/json')
      .send('{"name": ')
      .expect(400);
    const plain = await t.http().post('/integrations').set('content-type', 'text/plain').send('x');
    expect([400, 415]).toContain(plain.status);
  });
});
