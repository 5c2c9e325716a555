import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Every configuration row and the revision, to prove that a rejected request wrote nothing. */
async function configState(t: TestApp): Promise<unknown> {
  const tables = ['config_revision', 'tiers', 'customers'];
  return Promise.all(
    tables.map(async (table) => (await t.sql.query(`SELECT * FROM ${table} ORDER BY 1`)).rows),
  );
}

describe('tiers and customer mappings', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    t = await startTestApp();
    http = t.http();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('/tiers', () => {
    it('creates, reads and lists tiers', async () => {
      const created = await http
        .post('/tiers')
        .send({ id: 'enterprise', name: 'Enterprise', isDefault: false })
        .expect(201);
      expect(created.body).toMatchObject({
        id: 'enterprise',
        name: 'Enterprise',
        description: null,
        isDefault: false,
      });
      await http
        .post('/tiers')
        .send({ id: 'standard', name: 'Standard', description: 'Everyone else' })
        .expect(201);
      expect((await http.get('/tiers/standard').expect(200)).body).toMatchObject({
        description: 'Everyone else',
      });
      const list = await http.get('/tiers').expect(200);
      expect(list.body.map((tier: { id: string }) => tier.id)).toEqual(['enterprise', 'standard']);
    });

    it('answers 409 for an existing id and 404 for an unknown one', async () => {
      const before = await configState(t);
      const res = await http.post('/tiers').send({ id: 'enterprise', name: 'Again' }).expect(409);
      expect(res.body).toEqual({
        error: 'conflict',
        message: expect.stringContaining('PUT /tiers/enterprise'),
        requestId: expect.any(String),
      });
      expect(await configState(t)).toEqual(before);
      expect((await http.get('/tiers/nope').expect(404)).body.error).toBe('not_found');
    });

    it('keeps at most one default tier: setting one unsets the other', async () => {
      await http.put('/tiers/standard').send({ name: 'Standard', isDefault: true }).expect(200);
      await http.put('/tiers/enterprise').send({ name: 'Enterprise', isDefault: true }).expect(200);
      const { rows } = await t.sql.query('SELECT id FROM tiers WHERE is_default');
      expect(rows).toEqual([{ id: 'enterprise' }]);
    });

    it('PUT creates (201) or replaces (200), resetting omitted fields', async () => {
      await http.put('/tiers/business').send({ name: 'Business', description: 'Mid' }).expect(201);
      const replaced = await http.put('/tiers/business').send({ name: 'Business+' }).expect(200);
      expect(replaced.body).toMatchObject({
        id: 'business',
        name: 'Business+',
        description: null,
        isDefault: false,
      });
    });

    it('rejects bad input with 400 and writes nothing', async () => {
      const before = await configState(t);
      const bad = [
        { id: 'Not A Slug', name: 'x' },
        { id: 'ok', name: '' },
        { id: 'ok', name: 'x', isDefault: 'yes' },
        { id: 'ok', name: 'x', colour: 'red' },
      ];
      for (const body of bad) {
        const res = await http.post('/tiers').send(body).expect(400);
        expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
      }
      const malformed = await http
        .post('/tiers')
        .set('content-type', 'application/json')
        .send('{"id": "x",')
        .expect(400);
      expect(malformed.body).toEqual({
        error: 'malformed_json',
        message: expect.stringContaining('JSON'),
        requestId: expect.any(String),
      });
      await http.put('/tiers/UPPER').send({ name: 'x' }).expect(400);
      expect(await configState(t)).toEqual(before);
    });
  });

  describe('/customers', () => {
    it('maps a customer to a tier globally and per integration', async () => {
      const global = await http
        .post('/customers')
        .send({ id: 'acme', name: 'ACME Corp', tier: 'enterprise' })
        .expect(201);
      expect(global.body).toMatchObject({
        id: 'acme',
        integrationId: null,
        name: 'ACME Corp',
        tier: 'enterprise',
      });
      await http
        .post('/customers')
        .send({ id: 'acme', integrationId: 'zendesk-eu', tier: 'standard' })
        .expect(201);
      expect((await http.get('/customers/acme').expect(200)).body.tier).toBe('enterprise');
      expect((await http.get('/customers/acme?integrationId=zendesk-eu').expect(200)).body.tier).toBe(
        'standard',
      );
      await http.get('/customers/acme?integrationId=other').expect(404);
      const list = await http.get('/customers').expect(200);
      expect(list.body).toHaveLength(2);
      expect((await http.get('/customers?integrationId=zendesk-eu').expect(200)).body).toHaveLength(1);
    });

    it('answers 409 for a mapping that exists, and PUT replaces it', async () => {
      await http.post('/customers').send({ id: 'acme', tier: 'standard' }).expect(409);
      const res = await http.put('/customers/acme').send({ tier: 'business' }).expect(200);
      expect(res.body).toMatchObject({ id: 'acme', integrationId: null, name: null, tier: 'business' });
      await http.put('/customers/org%2F42').send({ tier: 'standard' }).expect(201);
      expect((await http.get('/customers/org%2F42').expect(200)).body.id).toBe('org/42');
    });

    it('rejects an unknown tier with 422 naming it, and writes nothing', async () => {
      const before = await configState(t);
      const res = await http.post('/customers').send({ id: 'globex', tier: 'platinum' }).expect(422);
      expect(res.body).toMatchObject({
        error: 'unknown_reference',
        message: expect.stringContaining('"platinum"'),
      });
      await http.put('/customers/globex').send({ tier: 'platinum' }).expect(422);
      await http.post('/customers').send({ id: 'globex' }).expect(400);
      expect(await configState(t)).toEqual(before);
    });
  });

  it('bumps the configuration revision once per change, and not for an identical PUT', async () => {
    const revision = async () => (await t.sql.query('SELECT revision FROM config_revision')).rows[0].revision;
    const before = await revision();
    await http.put('/tiers/gold').send({ name: 'Gold' }).expect(201);
    await http.put('/tiers/gold').send({ name: 'Gold' }).expect(200);
    await http.put('/customers/initech').send({ tier: 'gold' }).expect(201);
    await http.put('/customers/initech').send({ tier: 'gold' }).expect(200);
    expect(await revision()).toBe(before + 2);
  });
});
