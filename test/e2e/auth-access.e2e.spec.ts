import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../src/bootstrap.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Routes anyone may call on purpose: the webhook (its integration's credentials), liveness, readiness and docs by default. */
const PUBLIC_ROUTES = new Set([
  'POST /webhooks/:integrationId',
  'GET /health',
  'GET /health/live',
  'HEAD /health',
  'HEAD /health/live',
]);

/** The dashboard's static files (the page, its scripts and styles): public, they hold no data. */
const DASHBOARD_FILE = /^\/(?:[\w-]+\.(?:html|js|css|svg))?$/;

describe('access control', () => {
  let t: TestApp;
  const keys: Record<'agent' | 'manager', string> = { agent: '', manager: '' };
  beforeAll(async () => {
    t = await startTestApp();
    keys.agent = await t.keyFor('agent');
    keys.manager = await t.keyFor('manager');
  });
  afterAll(async () => {
    await t?.close();
  });
  const anonymous = () => request(t.app.getHttpServer());

  it('every route of the application makes an access decision: without a key, only the public ones answer', async () => {
    const routes = routesOf(t.app).filter((r) => r.method !== 'OPTIONS' && !r.url.startsWith('/docs'));
    expect(routes.length).toBeGreaterThan(20);
    const open: string[] = [];
    for (const { method, url } of routes) {
      // A stream (SSE) would answer an allowed caller forever: an invalid filter makes it answer 400 after the guard.
      const stream = url === '/events' ? '?types=none' : '';
      const path = url.replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'x') + stream;
      const verb = method.toLowerCase() as 'get';
      const body = method === 'GET' || method === 'HEAD' ? undefined : {};
      const res = await anonymous()[verb](path).send(body);
      const label = `${method} ${url}`;
      if (PUBLIC_ROUTES.has(label)) continue;
      if (DASHBOARD_FILE.test(url) && (method === 'GET' || method === 'HEAD')) {
        if (res.status !== 200) open.push(`${label}: a dashboard file answered ${res.status} without a key`);
        continue;
      }
      if (res.status !== 401) open.push(`${label} answered ${res.status} without a key`);
      // With an admin key, no route may lack a decision (the guard refuses those for everyone).
      const admin = await t.http()[verb](path).send(body);
      if (admin.body?.error === 'no_access_decision') open.push(`${label} declares no access rule`);
    }
    expect(open).toEqual([]);
  });

  it('agents read tickets but not configuration; managers neither configure; admins do everything', async () => {
    await anonymous().get('/tickets').set('authorization', `Bearer ${keys.agent}`).expect(200);
    await anonymous().get('/tickets').set('x-api-key', keys.manager).expect(200);
    await t.http().get('/tickets').expect(200);

    const forbidden = await anonymous()
      .get('/policies')
      .set('authorization', `Bearer ${keys.agent}`)
      .expect(403);
    expect(forbidden.body).toEqual({
      error: 'insufficient_role',
      message: expect.stringContaining('admin role'),
      requestId: expect.any(String),
    });
    await anonymous().put('/tiers/gold').set('x-api-key', keys.manager).send({ name: 'Gold' }).expect(403);
    await anonymous().get('/webhooks/deliveries').set('x-api-key', keys.manager).expect(403);
    await anonymous().get('/apikeys').set('x-api-key', keys.agent).expect(403);
    await t.http().get('/policies').expect(200);
    await t.http().get('/webhooks/deliveries').expect(200);
  });

  it('GET /apikeys/me tells any key its own name and role, never the key', async () => {
    const me = await anonymous().get('/apikeys/me').set('authorization', `Bearer ${keys.agent}`).expect(200);
    expect(me.body).toEqual({ id: expect.any(String), name: 'test-agent', role: 'agent' });
    expect((await t.http().get('/apikeys/me').expect(200)).body).toMatchObject({ role: 'admin' });
    await anonymous().get('/apikeys/me').expect(401);
  });

  it('401 for a missing, malformed or unknown key, each saying what to do', async () => {
    const missing = await anonymous().get('/tickets').expect(401);
    expect(missing.body).toEqual({
      error: 'missing_api_key',
      message: expect.stringContaining('Bearer'),
      requestId: expect.any(String),
    });
    const malformed = await anonymous().get('/tickets').set('authorization', 'Basic abc').expect(401);
    expect(malformed.body.error).toBe('malformed_api_key');
    const unknown = await anonymous()
      .get('/tickets')
      .set('authorization', `Bearer sla_${'x'.repeat(43)}`)
      .expect(401);
    expect(unknown.body.error).toBe('unknown_api_key');
  });

  it('expired and revoked keys are refused with 401', async () => {
    const expired = await t.keyFor('admin', { expiresAt: new Date(Date.now() - 1000) });
    const res = await anonymous().get('/tickets').set('x-api-key', expired).expect(401);
    expect(res.body.error).toBe('expired_api_key');

    const created = await t.http().post('/apikeys').send({ name: 'short-lived', role: 'agent' }).expect(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^sla_/);
    await anonymous().get('/tickets').set('x-api-key', key).expect(200);
    await t.http().post(`/apikeys/${created.body.apiKey.id}/revoke`).expect(201);
    const revoked = await anonymous().get('/tickets').set('x-api-key', key).expect(401);
    expect(revoked.body.error).toBe('revoked_api_key');
  });

  it('lists keys with prefix, role and last use, never the key or its hash', async () => {
    const res = await t.http().get('/apikeys').expect(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(t.adminKey);
    expect(text).not.toContain('hash');
    const admin = res.body.find((k: { name: string }) => k.name === 'test-admin');
    expect(admin).toMatchObject({ role: 'admin', prefix: t.adminKey.slice(0, 12), revokedAt: null });
    expect(admin.lastUsedAt).not.toBeNull();
  });

  it('the admin API accepts the key as X-API-Key too, and refuses bad input with 400', async () => {
    const res = await t.http().post('/apikeys').send({ name: '', role: 'root' }).expect(400);
    expect(res.body.error).toBe('validation_failed');
  });
});

describe('configurable access to readiness, metrics and docs', () => {
  it('behind a role when configured, and the bootstrap admin key works while no admin key exists', async () => {
    const bootstrap = `bootstrap-${'k'.repeat(40)}`;
    const t = await startTestApp({
      HEALTH_ACCESS: 'agent',
      METRICS_ACCESS: 'agent',
      DOCS_ACCESS: 'admin',
      BOOTSTRAP_ADMIN_KEY: bootstrap,
    });
    try {
      const anonymous = () => request(t.app.getHttpServer());
      await anonymous().get('/health').expect(401);
      await anonymous().get('/health/live').expect(200);
      await anonymous().get('/metrics').expect(401);
      const docs = await anonymous().get('/docs-json').expect(401);
      expect(docs.body.error).toBe('missing_api_key');
      const agent = await t.keyFor('agent');
      await anonymous().get('/docs-json').set('x-api-key', agent).expect(403);
      await anonymous().get('/metrics').set('x-api-key', agent).expect(200);
      await anonymous().get('/docs-json').set('x-api-key', bootstrap).expect(200);
    } finally {
      await t.close();
    }
  });
});
