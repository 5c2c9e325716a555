import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createGenericIntegration, postSigned, canonicalEvent } from '../webhooks/webhook-test-kit.js';

const LISTED = 'https://support.example.com';

/** Rate limits, security headers, CORS and request ids, over real HTTP. */
describe('HTTP hardening', () => {
  let t: TestApp;
  const raw = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    // A 2-second window: 5 requests and 4 deliveries per window.
    t = await startTestApp({
      RATE_LIMIT_WINDOW_SECONDS: 2,
      RATE_LIMIT_PER_MINUTE: 150,
      WEBHOOK_RATE_LIMIT_PER_MINUTE: 120,
      CORS_ORIGINS: [LISTED],
    });
    await createGenericIntegration(t, 'limited-desk');
    await createGenericIntegration(t, 'other-desk');
  });
  afterAll(() => t?.close());

  it('limits requests per key with 429, Retry-After and the usual body, separately from other keys', async () => {
    const agentKey = await t.keyFor('agent');
    const managerKey = await t.keyFor('manager');
    const as = (key: string) => raw().get('/tickets').set('authorization', `Bearer ${key}`);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await as(agentKey)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await as(agentKey);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('5');
    expect(limited.body).toMatchObject({
      error: 'rate_limited',
      message: expect.stringContaining('retry after'),
      requestId: limited.headers['x-request-id'],
    });
    // Another key has its own budget.
    expect((await as(managerKey)).status).toBe(200);
    // The budget comes back with the next window.
    await new Promise((r) => setTimeout(r, Number(limited.headers['retry-after']) * 1000 + 100));
    expect((await as(agentKey)).status).toBe(200);
    // Probes are never limited.
    for (let i = 0; i < 8; i++) expect((await raw().get('/health/live')).status).toBe(200);
  });

  it('counts unknown keys against the client address, so random keys buy no fresh budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await raw()
        .get('/tickets')
        .set('x-forwarded-for', '203.0.113.9')
        .set('authorization', `Bearer sla_random_${i}_${'x'.repeat(30)}`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('limits webhook deliveries per integration, before anything is stored', async () => {
    const at = new Date().toISOString();
    const post = (desk: string, n: number) =>
      postSigned(t, desk, canonicalEvent({ eventId: `${desk}-${n}`, ticketId: `L-${n}`, occurredAt: at }));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post('limited-desk', i)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
    const limited = await post('limited-desk', 99);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.body.error).toBe('rate_limited');
    expect((await post('other-desk', 1)).status).toBe(202);
    const { rows } = await t.sql.query(
      `SELECT count(*)::int AS n FROM inbox_deliveries WHERE integration_id = 'limited-desk'`,
    );
    expect(rows[0].n).toBe(4);
  });

  it('sends security headers', async () => {
    const res = await raw().get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers CORS for a listed origin only', async () => {
    const preflight = (origin: string) =>
      raw()
        .options('/tickets')
        .set('origin', origin)
        .set('access-control-request-method', 'GET')
        .set('access-control-request-headers', 'authorization');
    const allowed = await preflight(LISTED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(LISTED);
    expect(allowed.headers['access-control-allow-headers']).toContain('authorization');
    const refused = await preflight('https://evil.example.net');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await raw().get('/health/live').set('origin', 'https://evil.example.net');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const listed = await raw().get('/health/live').set('origin', LISTED);
    expect(listed.headers['access-control-allow-origin']).toBe(LISTED);
  });

  it('gives every response a request id, keeps a plain one the caller sent, and puts it in error bodies', async () => {
    const plain = await raw().get('/health/live');
    expect(plain.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await raw().get('/tiers').set('x-request-id', 'helpdesk-trace.42');
    expect(kept.status).toBe(401);
    expect(kept.headers['x-request-id']).toBe('helpdesk-trace.42');
    expect(kept.body.requestId).toBe('helpdesk-trace.42');
    const replaced = await raw().get('/tiers').set('x-request-id', 'no spaces <allowed>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const webhook = await raw().post('/webhooks/no-such-desk').send({});
    expect(webhook.status).toBe(404);
    expect(webhook.body.requestId).toBe(webhook.headers['x-request-id']);
  });
});
