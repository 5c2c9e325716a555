import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

async function configState(t: TestApp): Promise<unknown> {
  const tables = ['config_revision', 'calendars', 'calendar_versions'];
  return Promise.all(
    tables.map(async (table) => (await t.sql.query(`SELECT * FROM ${table} ORDER BY 1`)).rows),
  );
}

const weekdays = [1, 2, 3, 4, 5].flatMap((day) => [
  { day, start: '09:00', end: '12:00' },
  { day, start: '13:00', end: '17:00' },
]);

describe('/calendars', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    t = await startTestApp();
    http = t.http();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a calendar with a slug id, reads and lists it', async () => {
    const body = {
      id: 'berlin-office',
      name: 'Berlin office',
      timeZone: 'Europe/Berlin',
      weekly: weekdays,
      holidays: [{ date: '12-24', name: 'Christmas Eve', intervals: [{ start: '09:00', end: '12:00' }] }],
    };
    const created = await http.post('/calendars').send(body).expect(201);
    expect(created.body).toMatchObject({ ...body, alwaysOpen: false });
    expect((await http.get('/calendars/berlin-office').expect(200)).body).toEqual(created.body);
    const list = await http.get('/calendars').expect(200);
    expect(list.body.map((c: { id: string }) => c.id)).toEqual(['24x7', 'berlin-office']);
  });

  it('generates a UUID id when none is given, and accepts a 24/7 calendar without intervals', async () => {
    const res = await http
      .post('/calendars')
      .send({ name: 'Around the clock', timeZone: 'UTC', alwaysOpen: true })
      .expect(201);
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body).toMatchObject({ alwaysOpen: true, weekly: [], holidays: [] });
  });

  it('PUT creates (201) or replaces (200) a calendar, including one with a night shift across midnight', async () => {
    const night = {
      name: 'Night desk',
      timeZone: 'America/New_York',
      weekly: [{ day: 1, start: '22:00', end: '06:00' }],
    };
    await http.put('/calendars/night').send(night).expect(201);
    const replaced = await http
      .put('/calendars/night')
      .send({ ...night, name: 'Night desk (NY)' })
      .expect(200);
    expect(replaced.body).toMatchObject({ id: 'night', name: 'Night desk (NY)', holidays: [] });
  });

  it('answers 409 for an existing id, 404 for an unknown one, and keeps "24x7" for the built-in calendar', async () => {
    await http
      .post('/calendars')
      .send({ id: 'night', name: 'x', timeZone: 'UTC', alwaysOpen: true })
      .expect(409);
    await http.get('/calendars/nowhere').expect(404);
    const reserved = await http
      .put('/calendars/24x7')
      .send({ name: 'x', timeZone: 'UTC', alwaysOpen: true })
      .expect(400);
    expect(reserved.body.message).toContain('reserved');
  });

  describe('rejects a calendar that does not make sense with 400 listing every problem, and writes nothing', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp[]]> = [
      ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons', weekly: weekdays }, [/Mars\/Olympus_Mons/]],
      [
        'overlapping intervals',
        {
          weekly: [
            { day: 1, start: '09:00', end: '13:00' },
            { day: 1, start: '12:00', end: '17:00' },
          ],
        },
        [/overlaps/],
      ],
      ['no working time at all', { weekly: [] }, [/no working interval/]],
      ['an impossible time', { weekly: [{ day: 1, start: '25:00', end: '26:00' }] }, [/25:00/]],
      ['a bad holiday date', { weekly: weekdays, holidays: [{ date: '2026-13-45' }] }, [/2026-13-45/]],
      [
        'several problems at once',
        { timeZone: 'Nowhere/City', weekly: [{ day: 2, start: '10:00', end: '10:00' }] },
        [/Nowhere\/City/, /empty/],
      ],
    ];
    for (const [name, change, messages] of cases) {
      it(name, async () => {
        const before = await configState(t);
        const body = { id: 'bad', name: 'Bad', timeZone: 'Europe/Berlin', ...change };
        const res = await http.post('/calendars').send(body).expect(400);
        expect(res.body.error).toBe('validation_failed');
        for (const message of messages) expect(res.body.message).toMatch(message);
        expect(res.body.details.problems.length).toBeGreaterThanOrEqual(messages.length);
        await http
          .put('/calendars/berlin-office')
          .send({ name: 'Bad', timeZone: 'Europe/Berlin', ...change })
          .expect(400);
        expect(await configState(t)).toEqual(before);
      });
    }

    it('wrong shapes: a weekday 8, a string for weekly, an unknown field', async () => {
      const before = await configState(t);
      for (const change of [
        { weekly: [{ day: 8, start: '09:00', end: '17:00' }] },
        { weekly: 'Mon-Fri' },
        { open: true },
      ]) {
        const res = await http
          .post('/calendars')
          .send({ name: 'Bad', timeZone: 'UTC', ...change })
          .expect(400);
        expect(res.body.error).toBe('validation_failed');
      }
      expect(await configState(t)).toEqual(before);
    });
  });

  describe('holiday import', () => {
    it("merges a country's public holidays, keeping dates the calendar already has", async () => {
      const res = await http
        .post('/calendars/berlin-office/holidays/import')
        .send({ country: 'DE', region: 'BE', fromYear: 2026, toYear: 2027 })
        .expect(200);
      const dates = res.body.calendar.holidays.map((h: { date: string }) => h.date);
      expect(dates).toContain('2026-12-25');
      expect(dates).toContain('2027-01-01');
      expect(dates).toContain('2026-03-08'); // International Women's Day: a public holiday in Berlin only
      expect(new Set(dates).size).toBe(dates.length);
      // The hand-made recurring Christmas Eve (part day) is still there.
      expect(res.body.calendar.holidays).toContainEqual({
        date: '12-24',
        name: 'Christmas Eve',
        intervals: [{ start: '09:00', end: '12:00' }],
      });
      expect(res.body.added).toBe(dates.length - 1);

      const again = await http
        .post('/calendars/berlin-office/holidays/import')
        .send({ country: 'DE', region: 'BE', fromYear: 2026, toYear: 2026 })
        .expect(200);
      expect(again.body).toMatchObject({ added: 0 });
      expect(again.body.skipped).toBeGreaterThan(5);
    });

    it('answers 400 for an unknown country or region and bad years, 404 for an unknown calendar; writes nothing', async () => {
      const before = await configState(t);
      const unknown = await http
        .post('/calendars/berlin-office/holidays/import')
        .send({ country: 'XX', fromYear: 2026, toYear: 2026 })
        .expect(400);
      expect(unknown.body).toMatchObject({
        error: 'validation_failed',
        message: expect.stringContaining('"XX"'),
      });
      await http
        .post('/calendars/berlin-office/holidays/import')
        .send({ country: 'DE', region: 'ZZ', fromYear: 2026, toYear: 2026 })
        .expect(400);
      await http
        .post('/calendars/berlin-office/holidays/import')
        .send({ country: 'DE', fromYear: 2027, toYear: 2026 })
        .expect(400);
      await http
        .post('/calendars/nowhere/holidays/import')
        .send({ country: 'DE', fromYear: 2026, toYear: 2026 })
        .expect(404);
      expect(await configState(t)).toEqual(before);
    });
  });
});
