import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

async function configState(t: TestApp): Promise<unknown> {
  const tables = ['config_revision', 'policies', 'policy_versions'];
  return Promise.all(
    tables.map(async (table) => (await t.sql.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows),
  );
}

const enterprise = {
  name: 'Enterprise',
  position: 10,
  conditions: { tiers: ['enterprise'], channels: ['email', 'web'] },
  targets: {
    urgent: {
      reaction: { minutes: 15, warnAtPercent: [90, 75] },
      first_response: { minutes: 60, calendarId: 'office' },
      resolution: { businessDays: 1, calendarId: 'office', pauseOn: ['pending'] },
    },
    normal: { first_response: { minutes: 240, calendarId: '24x7' } },
  },
};

describe('/policies', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    t = await startTestApp();
    http = t.http();
    await http.post('/tiers').send({ id: 'enterprise', name: 'Enterprise' }).expect(201);
    await http
      .post('/calendars')
      .send({
        id: 'office',
        name: 'Office',
        timeZone: 'Europe/Berlin',
        weekly: [{ day: 1, start: '09:00', end: '17:00' }],
      })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates version 1 of a policy', async () => {
    const res = await http
      .post('/policies')
      .send({ id: 'enterprise', ...enterprise })
      .expect(201);
    expect(res.body).toMatchObject({
      id: 'enterprise',
      version: 1,
      active: true,
      position: 10,
      validTo: null,
    });
    expect(res.body.targets.urgent.reaction.warnAtPercent).toEqual([75, 90]);
    expect(res.body.versions).toHaveLength(1);
    const { rows } = await t.sql.query('SELECT version, valid_to FROM policy_versions WHERE policy_id = $1', [
      'enterprise',
    ]);
    expect(rows).toEqual([{ version: 1, valid_to: null }]);
  });

  it('PUT writes version 2 and closes version 1 at the instant version 2 starts', async () => {
    const res = await http
      .put('/policies/enterprise')
      .send({ ...enterprise, targets: { urgent: { reaction: { minutes: 10 } } } })
      .expect(200);
    expect(res.body).toMatchObject({ version: 2, targets: { urgent: { reaction: { minutes: 10 } } } });
    expect(res.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const [v1, v2] = res.body.versions;
    expect(v1.validTo).toBe(v2.validFrom);
    expect(v2.validTo).toBeNull();
    const old = await http.get('/policies/enterprise/versions/1').expect(200);
    expect(old.body.targets.urgent.first_response).toEqual({ minutes: 60, calendarId: 'office' });
    const { rows } = await t.sql.query('SELECT current_version FROM policies WHERE id = $1', ['enterprise']);
    expect(rows).toEqual([{ current_version: 2 }]);
  });

  it('an identical PUT writes no version', async () => {
    const before = await configState(t);
    await http
      .put('/policies/enterprise')
      .send({ ...enterprise, targets: { urgent: { reaction: { minutes: 10 } } } })
      .expect(200);
    expect(await configState(t)).toEqual(before);
  });

  it('PUT of a new id creates version 1 (201); POST without id generates one', async () => {
    const put = await http
      .put('/policies/default')
      .send({ name: 'Default', position: 1000, targets: {} })
      .expect(201);
    expect(put.body).toMatchObject({ id: 'default', version: 1, conditions: {} });
    const post = await http
      .post('/policies')
      .send({ name: 'VIP tag', position: 5, conditions: { tagsAny: ['vip'] }, targets: {} });
    expect(post.status).toBe(201);
    expect(post.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists current versions in position order', async () => {
    const res = await http.get('/policies').expect(200);
    expect(res.body.map((p: { position: number }) => p.position)).toEqual([5, 10, 1000]);
    expect(res.body.every((p: { validTo: unknown }) => p.validTo === null)).toBe(true);
  });

  it('deactivation is a PUT with active: false (a new version), which frees the position', async () => {
    const current = (await http.get('/policies/default').expect(200)).body;
    const res = await http
      .put('/policies/default')
      .send({ name: current.name, position: 1000, active: false, targets: {} })
      .expect(200);
    expect(res.body).toMatchObject({ version: 2, active: false });
    await http.put('/policies/fallback').send({ name: 'Fallback', position: 1000, targets: {} }).expect(201);
  });

  it('refuses a second active policy at a taken position with 409, naming the holder', async () => {
    const before = await configState(t);
    const res = await http.post('/policies').send({ name: 'Clash', position: 10, targets: {} }).expect(409);
    expect(res.body).toMatchObject({ error: 'conflict', message: expect.stringContaining('"enterprise"') });
    await http
      .put('/policies/default')
      .send({ name: 'Default', position: 1000, active: true, targets: {} })
      .expect(409);
    expect(await configState(t)).toEqual(before);
    // Moving a policy to its own position is fine, and an inactive one may share a position.
    await http
      .put('/policies/other')
      .send({ name: 'Parked', position: 10, active: false, targets: {} })
      .expect(201);
  });

  it('answers 404 for an unknown policy or version', async () => {
    await http.get('/policies/nope').expect(404);
    await http.get('/policies/enterprise/versions/9').expect(404);
    await http.get('/policies/enterprise/versions/zero').expect(400);
  });

  describe('rejects bad input and writes nothing', () => {
    const cases: Array<[string, number, Record<string, unknown>, RegExp]> = [
      [
        'an unknown priority',
        400,
        { targets: { critical: { reaction: { minutes: 5 } } } },
        /"critical".*allowed: urgent, high, normal, low/,
      ],
      [
        'an unknown metric',
        400,
        { targets: { urgent: { reply: { minutes: 5 } } } },
        /"reply".*allowed: reaction, first_response/,
      ],
      [
        'an unknown pause status',
        400,
        { targets: { urgent: { resolution: { minutes: 5, pauseOn: ['waiting'] } } } },
        /pending/,
      ],
      [
        'a stop status as pause status',
        400,
        { targets: { urgent: { resolution: { minutes: 5, pauseOn: ['solved'] } } } },
        /on_hold/,
      ],
      ['an unknown priority condition', 400, { conditions: { priorities: ['p1'] } }, /urgent/],
      [
        'both minutes and businessDays',
        400,
        { targets: { urgent: { resolution: { minutes: 5, businessDays: 1 } } } },
        /exactly one/,
      ],
      [
        'neither minutes nor businessDays',
        400,
        { targets: { urgent: { resolution: { calendarId: 'office' } } } },
        /exactly one/,
      ],
      ['a negative target', 400, { targets: { urgent: { reaction: { minutes: -5 } } } }, /minutes/],
      [
        'a warning at 100 %',
        400,
        { targets: { urgent: { reaction: { minutes: 5, warnAtPercent: [100] } } } },
        /warnAtPercent/,
      ],
      ['a misspelt field', 400, { targets: { urgent: { reaction: { minuts: 5 } } } }, /minuts/],
      ['a missing position', 400, { position: undefined }, /position/],
      [
        'an unknown calendar',
        422,
        { targets: { low: { resolution: { minutes: 5, calendarId: 'mars' } } } },
        /calendar "mars"/,
      ],
      [
        'an unknown tier',
        422,
        { conditions: { tiers: ['enterprise', 'gold', 'silver'] } },
        /tiers "gold", "silver"/,
      ],
    ];
    for (const [name, status, change, message] of cases) {
      it(`${name} → ${status}`, async () => {
        const before = await configState(t);
        const body = { name: 'Bad', position: 77, targets: {}, ...change };
        const post = await http.post('/policies').send(body).expect(status);
        expect(post.body.error).toBe(status === 400 ? 'validation_failed' : 'unknown_reference');
        expect(post.body.message).toMatch(message);
        await http.put('/policies/enterprise').send(body).expect(status);
        expect(await configState(t)).toEqual(before);
      });
    }

    it('malformed JSON → 400', async () => {
      const before = await configState(t);
      const res = await http
        .put('/policies/enterprise')
        .set('content-type', 'application/json')
        .send('{"name": ')
        .expect(400);
      expect(res.body).toEqual({
        error: expect.any(String),
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(await configState(t)).toEqual(before);
    });
  });
});
