import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { postSigned } from '../webhooks/webhook-test-kit.js';
import { canonicalEvent } from '../webhooks/webhook-test-kit.js';

const SECRET = 'crud-signing-secret-0123456789';
const PASSWORD = 'basic-auth-password-42';
const HEADER_VALUE = 'secret-header-value-0123456789';

describe('integrations API', () => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const secretsIn = (text: string) => [SECRET, PASSWORD, HEADER_VALUE].filter((s) => text.includes(s));

  it('creates, lists, reads and updates an integration without ever returning a secret', async () => {
    const created = await http()
      .post('/integrations')
      .send({
        id: 'acme-desk',
        name: 'Acme desk',
        provider: 'generic',
        secret: SECRET,
        basicAuth: { username: 'acme', password: PASSWORD },
        secretHeader: { name: 'X-Acme-Token', value: HEADER_VALUE },
        mapping: { statuses: { Waiting: 'pending' }, tier: { source: 'tag', tagPrefix: 'tier_' } },
      })
      .expect(201);
    expect(created.body).toMatchObject({
      id: 'acme-desk',
      provider: 'generic',
      webhookPath: '/webhooks/acme-desk',
      hasSecret: true,
      hasBasicAuth: true,
      basicAuthUsername: 'acme',
      hasSecretHeader: true,
      secretHeaderName: 'x-acme-token',
      mapping: { defaultPriority: 'normal', statuses: { Waiting: 'pending' } },
    });
    const list = await http().get('/integrations').expect(200);
    const one = await http().get('/integrations/acme-desk').expect(200);
    const updated = await http()
      .put('/integrations/acme-desk')
      .send({ name: 'Acme helpdesk', secret: `${SECRET}-rotated`, secretHeader: null })
      .expect(200);
    expect(updated.body).toMatchObject({ name: 'Acme helpdesk', hasSecret: true, hasSecretHeader: false });
    for (const res of [created, list, one, updated]) expect(secretsIn(JSON.stringify(res.body))).toEqual([]);
  });

  it('stores the signing secret encrypted and the other credentials hashed', async () => {
    await http()
      .post('/integrations')
      .send({
        id: 'stored-form',
        name: 'x',
        provider: 'generic',
        secret: SECRET,
        basicAuth: { username: 'u', password: PASSWORD },
      })
      .expect(201);
    const { rows } = await t.sql.query('SELECT * FROM integrations WHERE id = $1', ['stored-form']);
    expect(secretsIn(JSON.stringify(rows[0]))).toEqual([]);
    expect(rows[0].signing_secret_sealed).toMatch(/^v1\./);
    expect(rows[0].basic_auth_password_hash).toMatch(/^scrypt\$/);
  });

  it('generates an id from the name when none is given', async () => {
    const res = await http()
      .post('/integrations')
      .send({ name: 'Zendesk EU', provider: 'zendesk', secret: SECRET })
      .expect(201);
    expect(res.body.id).toMatch(/^zendesk-eu-[0-9a-f]{6}$/);
    expect(res.body.hasSecret).toBe(true);
  });

  it('refuses an integration without credentials, and bounds every string', async () => {
    const bare = await http().post('/integrations').send({ name: 'x', provider: 'zendesk' }).expect(400);
    expect(bare.body.message).toContain('credentials');
    await http()
      .post('/integrations')
      .send({
        name: 'x',
        provider: 'generic',
        secret: SECRET,
        mapping: { tier: { source: 'tag', tagPrefix: 'x'.repeat(100_000) } },
      })
      .expect(400);
  });

  it('rejects an unknown provider with the list of allowed ones', async () => {
    const res = await http().post('/integrations').send({ name: 'x', provider: 'helpscout' }).expect(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.message).toContain('generic, zendesk, freshdesk, jira, zammad, intercom');
  });

  it('rejects invalid input, duplicates and unknown ids with the right status', async () => {
    await http().post('/integrations').send({ id: 'Bad Id', name: 'x', provider: 'generic' }).expect(400);
    await http().post('/integrations').send({ id: 'deliveries', name: 'x', provider: 'generic' }).expect(400);
    await http()
      .post('/integrations')
      .send({ name: 'x', provider: 'generic', mapping: { statuses: { Waiting: 'sleeping' } } })
      .expect(400);
    await http().post('/integrations').send({ name: 'x', provider: 'generic', surprise: true }).expect(400);
    await http()
      .post('/integrations')
      .send({ id: 'acme-desk', name: 'again', provider: 'generic', secret: SECRET })
      .expect(409);
    await http().get('/integrations/nope').expect(404);
    await http().put('/integrations/nope').send({ name: 'x' }).expect(404);
  });

  it('a rotated secret takes effect for webhooks at once', async () => {
    await http()
      .post('/integrations')
      .send({ id: 'rotating', name: 'r', provider: 'generic', secret: SECRET })
      .expect(201);
    const event = (n: number) =>
      canonicalEvent({ eventId: `rot-${n}`, ticketId: 'R-1', occurredAt: new Date().toISOString() });
    await postSigned(t, 'rotating', event(1), SECRET).expect(202);
    await http()
      .put('/integrations/rotating')
      .send({ secret: `${SECRET}-new` })
      .expect(200);
    await postSigned(t, 'rotating', event(2), SECRET).expect(401);
    await postSigned(t, 'rotating', event(3), `${SECRET}-new`).expect(202);
  });
});
