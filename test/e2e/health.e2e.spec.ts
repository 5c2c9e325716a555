import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('health, metrics and error format', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports Postgres and Redis up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.redis.status).toBe('up');
  });

  it('serves Prometheus metrics', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('sla_process_cpu_user_seconds_total');
    expect(res.text).toContain('# HELP sla_webhook_deliveries_total');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.http().get('/no-such-route').expect(404);
    expect(res.body).toEqual({
      error: 'not_found',
      message: expect.stringContaining('/docs'),
      requestId: expect.any(String),
    });
  });
});
