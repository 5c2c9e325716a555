import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { canonicalEvent, postSigned } from '../webhooks/webhook-test-kit.js';

interface AuditItem {
  id: string;
  at: string;
  actor: { keyId: string | null; name: string; role: string | null };
  action: string;
  resourceType: string;
  resourceId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
}

const POLICY = {
  name: 'Gold',
  position: 10,
  conditions: {},
  targets: { urgent: { first_response: { minutes: 60 } } },
};

describe('audit log', () => {
  let t: TestApp;
  let alice: { key: string; id: string };
  const as = (key: string) => ({
    get: (path: string) => request(t.app.getHttpServer()).get(path).set('authorization', `Bearer ${key}`),
    post: (path: string) => request(t.app.getHttpServer()).post(path).set('authorization', `Bearer ${key}`),
    put: (path: string) => request(t.app.getHttpServer()).put(path).set('authorization', `Bearer ${key}`),
    delete: (path: string) =>
      request(t.app.getHttpServer()).delete(path).set('authorization', `Bearer ${key}`),
  });
  const audit = async (query: Record<string, string | number>): Promise<AuditItem[]> =>
    (await t.http().get('/audit').query(query).expect(200)).body.items as AuditItem[];
  const keyId = async (name: string): Promise<string> =>
    (await t.sql.query<{ id: string }>('SELECT id FROM api_keys WHERE name = $1', [name])).rows[0].id;

  beforeAll(async () => {
    t = await startTestApp();
    const key = await t.keyFor('admin', { name: 'ops-alice' });
    alice = { key, id: await keyId('ops-alice') };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records a policy edit with its before and after, and the key that made it', async () => {
    await as(alice.key)
      .post('/policies')
      .send({ id: 'gold', ...POLICY })
      .expect(201);
    await as(alice.key)
      .put('/policies/gold')
      .send({ ...POLICY, name: 'Gold (faster)', targets: { urgent: { first_response: { minutes: 30 } } } })
      .expect(200);
    // An identical PUT changes nothing, so it records nothing.
    await as(alice.key)
      .put('/policies/gold')
      .send({ ...POLICY, name: 'Gold (faster)', targets: { urgent: { first_response: { minutes: 30 } } } })
      .expect(200);

    const [edit, create, ...rest] = await audit({ resourceType: 'policy', resourceId: 'gold' });
    expect(rest).toEqual([]);
    expect(create).toMatchObject({ action: 'create', before: null, after: { version: 1, name: 'Gold' } });
    expect(edit).toMatchObject({
      action: 'update',
      resourceType: 'policy',
      resourceId: 'gold',
      actor: { keyId: alice.id, name: 'ops-alice', role: 'admin' },
      before: {
        id: 'gold',
        version: 1,
        name: 'Gold',
        targets: { urgent: { first_response: { minutes: 60 } } },
      },
      after: {
        id: 'gold',
        version: 2,
        name: 'Gold (faster)',
        targets: { urgent: { first_response: { minutes: 30 } } },
      },
      requestId: expect.any(String),
    });
    expect(Date.parse(edit.at)).toBeGreaterThanOrEqual(Date.parse(create.at));
  });

  it('records tiers, calendars, customers, ladders and keys; a refused change records nothing', async () => {
    await t.http().post('/tiers').send({ id: 'gold', name: 'Gold' }).expect(201);
    await t.http().post('/tiers').send({ id: 'gold', name: 'Gold again' }).expect(409);
    await t.http().put('/customers/acme').send({ tier: 'gold' }).expect(201);
    await t
      .http()
      .post('/calendars')
      .send({ id: 'always', name: 'Always', timeZone: 'UTC', alwaysOpen: true });
    await t
      .http()
      .post('/ladders')
      .send({
        id: 'gold-ladder',
        name: 'Gold',
        tiers: ['gold'],
        steps: [{ breach: true, notify: [{ type: 'assignee' }] }],
      })
      .expect(201);
    const key = await t.http().post('/apikeys').send({ name: 'reporting', role: 'manager' }).expect(201);
    await t.http().post(`/apikeys/${key.body.apiKey.id}/revoke`).expect(201);

    const tiers = await audit({ resourceType: 'tier', resourceId: 'gold' });
    expect(tiers.map((e) => e.action)).toEqual(['create']);
    expect((await audit({ resourceType: 'customer', resourceId: 'acme' }))[0]).toMatchObject({
      action: 'create',
      after: { id: 'acme', tier: 'gold', integrationId: null },
    });
    expect((await audit({ resourceType: 'calendar', resourceId: 'always' }))[0]).toMatchObject({
      action: 'create',
      after: { id: 'always', version: 1, alwaysOpen: true },
    });
    expect((await audit({ resourceType: 'ladder', resourceId: 'gold-ladder' }))[0].action).toBe('create');
    const keys = await audit({ resourceType: 'apikey', resourceId: key.body.apiKey.id });
    expect(keys.map((e) => e.action)).toEqual(['revoke', 'create']);
    expect(keys[0]).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });
    // The keys made at start-up (the test helper's, like the CLI's) have no key behind them.
    const setup = (await audit({ resourceType: 'apikey', limit: 500 })).find(
      (e) => e.after?.name === 'ops-alice',
    );
    expect(setup?.actor).toEqual({ keyId: null, name: 'system', role: null });
    const rows = JSON.stringify((await t.sql.query('SELECT * FROM audit_entries')).rows);
    expect(rows).not.toContain(key.body.key);
    expect(rows).not.toContain(alice.key);
  });

  it('records integrations with their credentials redacted, never their values', async () => {
    const secret = 'first-signing-secret-4f0c9a1b2e';
    const rotated = 'second-signing-secret-77d1e0c3aa';
    const password = 'basic-auth-password-9c1e';
    const headerValue = 'header-token-value-5b2d8e7f';
    const created = await as(alice.key)
      .post('/integrations')
      .send({ id: 'desk', name: 'Desk', provider: 'generic', secret })
      .expect(201);
    const updated = await as(alice.key)
      .put('/integrations/desk')
      .send({ name: 'Desk (EU)', secret: rotated })
      .expect(200);
    await as(alice.key)
      .post('/integrations')
      .send({
        id: 'fresh',
        name: 'Freshdesk',
        provider: 'freshdesk',
        basicAuth: { username: 'sla', password },
        secretHeader: { name: 'X-Token', value: headerValue },
      })
      .expect(201);
    const channelSecret = 'channel-signing-secret-31c6';
    const channelUrl = 'https://hooks.example.com/services/T000/B000/XXXXSECRETPATH';
    await as(alice.key)
      .post('/channels')
      .send({ id: 'ops', type: 'webhook', name: 'Ops', url: channelUrl, secret: channelSecret })
      .expect(201);
    await as(alice.key)
      .put('/channels/ops')
      .send({ type: 'slack', name: 'Ops', url: channelUrl })
      .expect(200);

    const [update, create] = await audit({ resourceType: 'integration', resourceId: 'desk' });
    expect(create).toMatchObject({
      action: 'create',
      actor: { keyId: alice.id, name: 'ops-alice' },
      before: null,
      after: { ...created.body, secret: '[redacted]' },
    });
    expect(update).toMatchObject({
      action: 'update',
      before: { name: 'Desk', hasSecret: true },
      after: { ...updated.body, name: 'Desk (EU)', secret: '[redacted]' },
    });
    const [fresh] = await audit({ resourceType: 'integration', resourceId: 'fresh' });
    expect(fresh.after).toMatchObject({ basicAuth: '[redacted]', secretHeader: '[redacted]' });
    const channel = await audit({ resourceType: 'channel', resourceId: 'ops' });
    expect(channel.map((e) => e.action)).toEqual(['update', 'create']);
    expect(channel[1].after).toMatchObject({
      url: '[redacted]',
      secret: '[redacted]',
      urlHost: 'https://hooks.example.com',
    });

    const response = (await t.http().get('/audit').query({ limit: 500 }).expect(200)).text;
    const rows = JSON.stringify((await t.sql.query('SELECT * FROM audit_entries')).rows);
    for (const value of [secret, rotated, password, headerValue, channelSecret, 'XXXXSECRETPATH']) {
      expect(response).not.toContain(value);
      expect(rows).not.toContain(value);
    }
  });

  it('records deletes with what was deleted, and a purge as such', async () => {
    await t.http().post('/tiers').send({ id: 'bronze', name: 'Bronze' }).expect(201);
    await as(alice.key).delete('/tiers/bronze').expect(204);
    const [deleted] = await audit({ resourceType: 'tier', resourceId: 'bronze' });
    expect(deleted).toMatchObject({
      action: 'delete',
      actor: { keyId: alice.id },
      before: { id: 'bronze', name: 'Bronze' },
      after: null,
    });

    await as(alice.key).delete('/integrations/fresh').expect(204);
    expect((await audit({ resourceType: 'integration', resourceId: 'fresh' }))[0]).toMatchObject({
      action: 'delete',
      before: { id: 'fresh', hasBasicAuth: true },
      after: null,
    });

    const secret = 'purge-signing-secret-0a1b2c3d4e';
    await t
      .http()
      .post('/integrations')
      .send({ id: 'old', name: 'Old', provider: 'generic', secret })
      .expect(201);
    const now = new Date().toISOString();
    await postSigned(
      t,
      'old',
      canonicalEvent({ eventId: 'e1', ticketId: 'T1', occurredAt: now }),
      secret,
    ).expect(202);
    await t.http().delete('/integrations/old').expect(409);
    await t.http().delete('/integrations/old').query({ purge: 'true' }).expect(204);
    const old = await audit({ resourceType: 'integration', resourceId: 'old' });
    expect(old.map((e) => e.action)).toEqual(['purge', 'create']);
    expect(old[0]).toMatchObject({ before: { id: 'old' }, after: null });
  });

  it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const before = (await t.sql.query('SELECT count(*)::int AS n FROM audit_entries')).rows[0].n as number;
    expect(before).toBeGreaterThan(0);
    await expect(t.sql.query(`UPDATE audit_entries SET actor_name = 'someone else'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.sql.query('DELETE FROM audit_entries')).rejects.toThrow(/append-only/);
    await expect(t.sql.query('TRUNCATE audit_entries')).rejects.toThrow(/append-only/);
    const after = await t.sql.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE actor_name = 'someone else'`,
    );
    expect(after.rows[0].n).toBe(0);
    expect((await t.sql.query('SELECT count(*)::int AS n FROM audit_entries')).rows[0].n).toBe(before);
  });

  it('filters by actor, action, resource and time, newest first, page by page', async () => {
    const byAlice = await audit({ actorKeyId: alice.id, limit: 500 });
    expect(byAlice.length).toBeGreaterThanOrEqual(8);
    expect(byAlice.every((e) => e.actor.keyId === alice.id)).toBe(true);
    const ids = byAlice.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));

    const deletes = await audit({ action: 'delete' });
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    expect(deletes.every((e) => e.action === 'delete')).toBe(true);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = { actorKeyId: alice.id, limit: 3 };
      if (cursor) query.cursor = cursor;
      const page = await t.http().get('/audit').query(query).expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      pages.push(...page.body.items.map((e: AuditItem) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual(byAlice.map((e) => e.id));

    const middle = byAlice[Math.floor(byAlice.length / 2)];
    const later = await audit({ actorKeyId: alice.id, from: middle.at, limit: 500 });
    expect(later.every((e) => e.at >= middle.at)).toBe(true);
    expect(later.map((e) => e.id)).toContain(middle.id);
    const earlier = await audit({ actorKeyId: alice.id, to: middle.at, limit: 500 });
    expect(earlier.every((e) => e.at < middle.at)).toBe(true);
    expect(later.length + earlier.length).toBe(byAlice.length);
    expect(await audit({ to: '2000-01-01T00:00:00Z' })).toEqual([]);
  });

  it('refuses a bad query with 400, and agents and managers with 403', async () => {
    for (const query of [
      { resourceType: 'nope' },
      { action: 'erase' },
      { actorKeyId: 'not-a-uuid' },
      { from: 'yesterday' },
      { cursor: 'abc' },
      { limit: 0 },
      { unknown: 'x' },
    ]) {
      const res = await t.http().get('/audit').query(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
    }
    for (const role of ['agent', 'manager'] as const) {
      const res = await as(await t.keyFor(role))
        .get('/audit')
        .expect(403);
      expect(res.body).toMatchObject({
        error: 'insufficient_role',
        message: expect.stringContaining('admin'),
      });
    }
    await request(t.app.getHttpServer()).get('/audit').expect(401);
  });

  it('documents GET /audit with its filters', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const operation = doc.paths['/audit'].get;
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'resourceType',
        'resourceId',
        'actorKeyId',
        'action',
        'from',
        'to',
        'cursor',
        'limit',
      ]),
    );
    expect(operation.responses).toHaveProperty(['200']);
  });

  it('records the acknowledging key as who acknowledged a breach, and refuses a `by` in the body', async () => {
    const ticket = await t.sql.query<{ id: string }>(
      `INSERT INTO tickets (integration_id, external_id, default_priority) VALUES ('desk', 'ack-1', 'normal') RETURNING id`,
    );
    const step = await t.sql.query<{ id: string }>(
      `INSERT INTO sla_steps (ticket_id, metric, cycle, step, kind, status, due_at, deadline, detected_at, lateness_ms,
         late, clock_version)
       VALUES ($1, 'first_response', 0, 'breach', 'breach', 'recorded', now(), now(), now(), 0, false, 1) RETURNING id`,
      [ticket.rows[0].id],
    );
    const id = step.rows[0].id;
    const manager = await t.keyFor('manager', { name: 'lead-bob' });
    const bobId = await keyId('lead-bob');

    const refused = await as(manager).post(`/breaches/${id}/ack`).send({ by: 'someone-else' }).expect(400);
    expect(refused.body.message).toContain('API key');
    const acked = await as(manager).post(`/breaches/${id}/ack`).send({ note: 'on it' }).expect(200);
    expect(acked.body).toMatchObject({
      acknowledgedBy: 'lead-bob',
      acknowledgedByKeyId: bobId,
      acknowledgedAt: expect.any(String),
    });
    const again = await as(alice.key).post(`/breaches/${id}/ack`).send({}).expect(200);
    expect(again.body).toMatchObject({
      acknowledgedBy: 'lead-bob',
      acknowledgedAt: acked.body.acknowledgedAt,
    });
  });
});
