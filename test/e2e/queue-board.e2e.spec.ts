import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The BullMQ board at /queues: admins only, by Bearer key or by the key as a basic-auth password (browsers). */
describe('queue board', () => {
  let t: TestApp;
  const anonymous = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('is refused without an admin key, asking browsers for the key', async () => {
    const none = await anonymous().get('/queues').expect(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(none.body.error).toBe('missing_api_key');
    const agent = await t.keyFor('agent');
    const forbidden = await anonymous().get('/queues/api/queues').set('authorization', `Bearer ${agent}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('insufficient_role');
    const wrong = await anonymous()
      .get('/queues')
      .set('authorization', `Basic ${Buffer.from(`ops:sla_wrong_${'x'.repeat(30)}`).toString('base64')}`);
    expect(wrong.status).toBe(401);
  });

  it('shows every queue of the service to an admin', async () => {
    const page = await anonymous()
      .get('/queues')
      .set('authorization', `Basic ${Buffer.from(`ops:${t.adminKey}`).toString('base64')}`)
      .expect(200);
    expect(page.text).toContain('SLA Tracker queues');
    const api = await t.http().get('/queues/api/queues').expect(200);
    const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    expect(names).toEqual(['ingest', 'notify', 'reevaluate', 'timers']);
  });
});
