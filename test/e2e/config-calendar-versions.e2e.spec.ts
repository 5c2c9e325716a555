import 'reflect-metadata';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlaConfig1795400000000 } from '../../migrations/1795400000000-SlaConfig.js';
import { CalendarVersions1795400400000 } from '../../migrations/1795400400000-CalendarVersions.js';
import { CalendarTimeline } from '../../src/calendars/calendar-timeline.js';
import { ensureDatabaseExists } from '../../src/database/ensure-database.js';
import { alwaysOpenCalendar, compileCalendar } from '../../src/engine/calendar/index.js';
import { ALWAYS_OPEN_CALENDAR_ID, type BusinessCalendar } from '../../src/engine/types.js';
import { EvaluationConfigService } from '../../src/policies/evaluation-config.service.js';
import { dropDatabase, freshDatabaseUrl, startTestApp, type TestApp } from '../support/test-app.js';

const HOUR = 3_600_000;
const MONDAY_0900_BERLIN = Date.parse('2026-11-23T08:00:00Z');
const office = (start: string) => ({
  name: 'Office',
  timeZone: 'Europe/Berlin',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start, end: '17:00' })),
});

interface VersionRow {
  version: number;
  name: string;
  valid_from: Date;
  valid_to: Date | null;
}

describe('calendar versions (SEMANTICS 9)', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let config: EvaluationConfigService;
  const versionsOf = async (id: string): Promise<VersionRow[]> =>
    (
      await t.sql.query<VersionRow>(
        'SELECT version, name, valid_from, valid_to FROM calendar_versions WHERE calendar_id = $1 ORDER BY version',
        [id],
      )
    ).rows;
  const revision = async (): Promise<number> =>
    (await t.sql.query<{ revision: number }>('SELECT revision FROM config_revision')).rows[0].revision;

  beforeAll(async () => {
    t = await startTestApp();
    http = t.http();
    config = t.app.get(EvaluationConfigService);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('POST writes version 1, in force from now; GET shows the version and the history', async () => {
    const before = Date.now();
    const created = await http
      .post('/calendars')
      .send({ id: 'office', ...office('09:00') })
      .expect(201);
    expect(created.body).toMatchObject({
      version: 1,
      versions: [{ version: 1, name: 'Office', validTo: null }],
    });
    const [v1] = await versionsOf('office');
    expect(v1).toMatchObject({ version: 1, valid_to: null });
    expect(Math.abs(v1.valid_from.getTime() - before)).toBeLessThan(60_000);
    expect((await http.get('/calendars/office').expect(200)).body).toEqual(created.body);
    expect((await http.get('/calendars').expect(200)).body).toEqual([
      expect.objectContaining({ id: '24x7', builtIn: true }),
      expect.objectContaining({ id: 'office', version: 1, builtIn: false }),
    ]);
  });

  it('a changing PUT writes the next version and closes the previous one at its start; an identical PUT writes none', async () => {
    const rev = await revision();
    const replaced = await http.put('/calendars/office').send(office('10:00')).expect(200);
    expect(replaced.body.version).toBe(2);
    const [v1, v2] = await versionsOf('office');
    expect(v1.valid_to).toEqual(v2.valid_from);
    expect(v2).toMatchObject({ version: 2, valid_to: null });
    expect(v2.valid_from.getTime()).toBeGreaterThan(v1.valid_from.getTime());
    expect(await revision()).toBe(rev + 1);

    const same = await http.put('/calendars/office').send(office('10:00')).expect(200);
    expect(same.body).toEqual(replaced.body);
    expect(await versionsOf('office')).toHaveLength(2);
    expect(await revision()).toBe(rev + 1);

    const created = await http.put('/calendars/night').send(office('09:00')).expect(201);
    expect(created.body).toMatchObject({ version: 1, versions: [{ version: 1 }] });
  });

  it('a holiday import that adds dates writes a version; one that adds nothing writes none', async () => {
    const body = { country: 'DE', region: 'BE', fromYear: 2026, toYear: 2026 };
    const imported = await http.post('/calendars/office/holidays/import').send(body).expect(200);
    expect(imported.body.calendar.version).toBe(3);
    const again = await http.post('/calendars/office/holidays/import').send(body).expect(200);
    expect(again.body).toMatchObject({ added: 0, calendar: { version: 3 } });
    const rows = await versionsOf('office');
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(rows[1].valid_to).toEqual(rows[2].valid_from);
    const history = (await http.get('/calendars/office').expect(200)).body.versions;
    expect(history.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    expect(history[1].validTo).toBe(history[2].validFrom);
  });

  it('a rejected change writes no version', async () => {
    await http
      .put('/calendars/office')
      .send({ ...office('09:00'), weekly: [] })
      .expect(400);
    await http
      .post('/calendars/office/holidays/import')
      .send({ country: 'XX', fromYear: 2026, toYear: 2026 })
      .expect(400);
    expect(await versionsOf('office')).toHaveLength(3);
  });

  it('load().calendarsAt(t) gives the version in force at t; before the first version, the first version', async () => {
    const [v1, v2, v3] = await versionsOf('office');
    const loaded = await config.load();
    const opensAt = (cal: BusinessCalendar | undefined) => cal!.nextWorkingInstant(MONDAY_0900_BERLIN);

    expect(opensAt(loaded.calendarsAt(v1.valid_from.getTime()).get('office'))).toBe(MONDAY_0900_BERLIN);
    expect(opensAt(loaded.calendarsAt(v2.valid_from.getTime() - 1).get('office'))).toBe(MONDAY_0900_BERLIN);
    expect(opensAt(loaded.calendarsAt(v2.valid_from.getTime()).get('office'))).toBe(
      MONDAY_0900_BERLIN + HOUR,
    );
    expect(opensAt(loaded.calendarsAt(0).get('office'))).toBe(MONDAY_0900_BERLIN); // before version 1
    // From the last change on: the current map itself (with the built-in 24/7 calendar).
    expect(loaded.calendarsAt(v3.valid_from.getTime())).toBe(loaded.calendars);
    expect(loaded.calendarsAt(Date.now() + 86_400_000)).toBe(loaded.calendars);
    expect(loaded.calendarsAt(0).get(ALWAYS_OPEN_CALENDAR_ID)).toBe(alwaysOpenCalendar);
    // Calendars with one version are the same at every instant.
    expect(loaded.calendarsAt(0).get('night')).toBe(loaded.calendars.get('night'));
    // The imported Christmas Day is a holiday in version 3 only.
    const christmas = Date.parse('2026-12-25T08:00:00Z');
    expect(loaded.calendarsAt(v2.valid_from.getTime()).get('office')!.nextWorkingInstant(christmas)).toBe(
      christmas + HOUR,
    );
    expect(loaded.calendars.get('office')!.nextWorkingInstant(christmas)).toBeGreaterThan(christmas + HOUR);
  });

  it('compiles each version once: the same instances across reloads, a name-only version shares its predecessor', async () => {
    const [v1, v2] = await versionsOf('office');
    const first = await config.load();
    const v1Before = first.calendarsAt(v1.valid_from.getTime()).get('office');
    const v2Before = first.calendarsAt(v2.valid_from.getTime()).get('office');
    const currentBefore = first.calendars.get('office');
    expect((await config.load()).calendarsAt).toBe(first.calendarsAt); // nothing changed: same snapshot

    await http.put('/tiers/gold').send({ name: 'Gold' }).expect(201); // an unrelated change reloads
    const reloaded = await config.load();
    expect(reloaded.revision).toBe(first.revision + 1);
    expect(reloaded.calendarsAt(v1.valid_from.getTime()).get('office')).toBe(v1Before);
    expect(reloaded.calendarsAt(v2.valid_from.getTime()).get('office')).toBe(v2Before);
    expect(reloaded.calendars.get('office')).toBe(currentBefore);

    const current = (await http.get('/calendars/office').expect(200)).body;
    const { name: _name, weekly, holidays, timeZone } = current;
    await http
      .put('/calendars/office')
      .send({ name: 'Office (renamed)', timeZone, weekly, holidays })
      .expect(200);
    const renamed = await config.load();
    expect(renamed.calendars.get('office')).toBe(currentBefore);
    expect(await versionsOf('office')).toHaveLength(4);
  });
});

describe('CalendarTimeline', () => {
  const cal = (id: string) =>
    compileCalendar({
      id,
      timeZone: 'UTC',
      weekly: [{ day: 1, start: '09:00', end: '17:00' }],
      holidays: [],
    });
  const [a1, a2, a3, b1, b2] = ['a', 'a', 'a', 'b', 'b'].map(cal);
  const timeline = new CalendarTimeline(
    new Map([
      [
        'a',
        [
          { validFrom: 100, calendar: a1 },
          { validFrom: 200, calendar: a2 },
          { validFrom: 300, calendar: a3 },
        ],
      ],
      [
        'b',
        [
          { validFrom: 150, calendar: b1 },
          { validFrom: 250, calendar: null }, // could not be compiled: left out while in force
          { validFrom: 260, calendar: b2 },
        ],
      ],
      ['c', [{ validFrom: 500, calendar: cal('c') }]],
    ]),
  );
  const at = (instant: number) => Object.fromEntries([...timeline.at(instant)].map(([id, c]) => [id, c]));

  it('picks the version whose [validFrom, next validFrom) holds the instant, per calendar', () => {
    expect(at(199)).toMatchObject({ a: a1, b: b1 });
    expect(at(200)).toMatchObject({ a: a2, b: b1 });
    expect(at(255).b).toBeUndefined();
    expect(at(260)).toMatchObject({ a: a2, b: b2 });
    expect(at(300)).toMatchObject({ a: a3, b: b2 });
  });

  it('uses the first version before it, and the current map from the last change on', () => {
    expect(at(-1e15)).toMatchObject({ a: a1, b: b1 });
    expect(timeline.at(50).get('c')).toBe(timeline.current.get('c'));
    expect(timeline.at(300)).toBe(timeline.current);
    expect(timeline.at(Number.MAX_SAFE_INTEGER)).toBe(timeline.current);
    expect(timeline.current.get(ALWAYS_OPEN_CALENDAR_ID)).toBe(alwaysOpenCalendar);
  });

  it('builds each segment once', () => {
    expect(timeline.at(210)).toBe(timeline.at(240));
    expect(timeline.at(210)).not.toBe(timeline.at(260));
  });
});

describe('the CalendarVersions migration', () => {
  const url = freshDatabaseUrl('calendar_versions');
  afterAll(async () => {
    await dropDatabase(url);
  });

  it('backfills version 1 of every existing calendar, in force from its creation, and migrates down', async () => {
    await ensureDatabaseExists(url);
    const before = new DataSource({ type: 'postgres', url, migrations: [SlaConfig1795400000000] });
    await before.initialize();
    await before.runMigrations();
    await before.query(
      `INSERT INTO calendars (id, name, time_zone, weekly, holidays, created_at)
       VALUES ('old', 'Old', 'Europe/Berlin', '[{"day":1,"start":"09:00","end":"17:00"}]', '[]', '2025-01-02T03:04:05.678901Z')`,
    );
    await before.destroy();

    const after = new DataSource({
      type: 'postgres',
      url,
      migrations: [SlaConfig1795400000000, CalendarVersions1795400400000],
    });
    await after.initialize();
    try {
      await after.runMigrations();
      const rows = await after.query(
        `SELECT calendar_id, version, name, time_zone, always_open, weekly, holidays, valid_from, valid_to FROM calendar_versions`,
      );
      expect(rows).toEqual([
        {
          calendar_id: 'old',
          version: 1,
          name: 'Old',
          time_zone: 'Europe/Berlin',
          always_open: false,
          weekly: [{ day: 1, start: '09:00', end: '17:00' }],
          holidays: [],
          valid_from: new Date('2025-01-02T03:04:05.678Z'),
          valid_to: null,
        },
      ]);
      await after.undoLastMigration();
      expect((await after.query(`SELECT to_regclass('calendar_versions') AS t`))[0].t).toBeNull();
    } finally {
      await after.destroy();
    }
  });
});
