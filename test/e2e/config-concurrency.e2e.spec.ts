import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

const body = (name: string, position = 5) => ({
  name,
  position,
  targets: { normal: { first_response: { minutes: 60 } } },
});

describe('concurrent configuration writes', () => {
  let t: TestApp;
  const http = () => t.http();
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: 8 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers each of 100 concurrent PUTs with the version it created', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        http()
          .put('/policies/raced')
          .send(body(`edit ${i}`)),
      ),
    );
    const refused = answers.filter((a) => a.status !== 200 && a.status !== 201);
    expect(refused.map((a) => `${a.status} ${a.body?.error}`)).toEqual([]);
    const versions = new Set<number>();
    for (const [i, a] of answers.entries()) {
      expect(a.body.name).toBe(`edit ${i}`);
      versions.add(a.body.version);
      const stored = await http().get(`/policies/raced/versions/${a.body.version}`).expect(200);
      expect(stored.body.name).toBe(`edit ${i}`);
    }
    expect(versions.size).toBe(100);
  });

  it('supports optimistic concurrency with ETag and If-Match', async () => {
    const created = await http().put('/policies/guarded').send(body('one', 6)).expect(201);
    expect(created.headers.etag).toBe('"1"');
    const read = await http().get('/policies/guarded').expect(200);
    expect(read.headers.etag).toBe('"1"');
    await http().put('/policies/guarded').set('if-match', '"1"').send(body('two', 6)).expect(200);
    const stale = await http()
      .put('/policies/guarded')
      .set('if-match', '"1"')
      .send(body('three', 6))
      .expect(409);
    expect(stale.body.message).toContain('version 2, not 1');
    expect((await http().get('/policies/guarded').expect(200)).body.name).toBe('two');
    await http().put('/policies/guarded').set('if-match', 'yesterday').send(body('x', 6)).expect(400);

    const calendar = { name: 'C', timeZone: 'UTC', weekly: [{ day: 1, start: '09:00', end: '17:00' }] };
    const c = await http().put('/calendars/cal').send(calendar).expect(201);
    expect(c.headers.etag).toBe('"1"');
    await http()
      .put('/calendars/cal')
      .set('if-match', '"0"')
      .send({ ...calendar, name: 'D' })
      .expect(409);
    await http()
      .put('/calendars/cal')
      .set('if-match', '"1"')
      .send({ ...calendar, name: 'D' })
      .expect(200);
  });
});
