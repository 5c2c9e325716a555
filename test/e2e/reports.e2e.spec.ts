import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportRollupService } from '../../src/reports/report-rollup.service.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { MINUTE, seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const DESK = 'report-desk';
const at = (iso: string) => Date.parse(iso);
const min = (n: number) => n * MINUTE;

/**
 * A fixed data set with hand-computed figures (24/7 targets: first response 60 min, resolution 240 min):
 *   T1 gold   normal 11-02 09:00, reply 09:30 (met, 30), solved 11:00 (met, 120)
 *   T2 gold   normal 11-02 10:00, reply 11:30 (breached at 11:00, 90), solved 15:00 (breached at 14:00, 300)
 *   T3 silver normal 11-03 08:00, reply 08:10 (met, 10), still open: resolution breached at 12:00, still counting
 *   T4 silver high   11-09 09:00, reply 09:20 (met, 20), solved 10:00 (met, 60)
 *   T5 gold   normal now − 10 min: both clocks in progress (outside November 2026)
 */
describe('compliance reports', () => {
  let t: TestApp;
  const http = () => t.http();
  const november = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };

  beforeAll(async () => {
    // The rollup passes run when the test says.
    t = await startTestApp({ REPORT_ROLLUP_SECONDS: 3600 });
    await seedIntegration(t.sql, DESK);
    const targets = { first_response: { minutes: 60 }, resolution: { minutes: 240 } };
    await http()
      .post('/policies')
      .send({ id: 'all', name: 'All', position: 0, targets: { normal: targets, high: targets } })
      .expect(201);
    const ingest = t.app.get(TicketIngestService);
    const deliver = (story: TicketStory) =>
      ingest.ingest({
        integrationId: DESK,
        defaultPriority: 'normal',
        events: story.events,
        receivedAt: Date.now(),
      });
    const open = (id: string, created: string, tier: string, priority: 'normal' | 'high' = 'normal') =>
      new TicketStory(id, at(created), { tier, priority, status: 'open', assigneeId: `agent-${tier}` });
    await deliver(
      open('T1', '2026-11-02T09:00:00Z', 'gold')
        .comment('r', at('2026-11-02T09:30:00Z'), 'agent')
        .update('s', at('2026-11-02T11:00:00Z'), { status: 'solved' }),
    );
    await deliver(
      open('T2', '2026-11-02T10:00:00Z', 'gold')
        .comment('r', at('2026-11-02T11:30:00Z'), 'agent')
        .update('s', at('2026-11-02T15:00:00Z'), { status: 'solved' }),
    );
    await deliver(
      open('T3', '2026-11-03T08:00:00Z', 'silver').comment('r', at('2026-11-03T08:10:00Z'), 'agent'),
    );
    await deliver(
      open('T4', '2026-11-09T09:00:00Z', 'silver', 'high')
        .comment('r', at('2026-11-09T09:20:00Z'), 'agent')
        .update('s', at('2026-11-09T10:00:00Z'), { status: 'solved' }),
    );
    await deliver(
      new TicketStory('T5', Date.now() - min(10), { tier: 'gold', priority: 'normal', status: 'open' }),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives achievement, counts and median/p90 durations per metric', async () => {
    const res = await http().get('/reports/compliance').query(november).expect(200);
    expect(res.body.rows).toEqual([
      expect.objectContaining({
        group: { metric: 'first_response' },
        met: 3,
        breached: 1,
        inProgress: 0,
        achievedPercent: 75,
        // Stopped: 10, 20, 30, 90 minutes.
        businessMs: { median: min(25), p90: min(72) },
        calendarMs: { median: min(25), p90: min(72) },
      }),
      expect.objectContaining({
        group: { metric: 'resolution' },
        met: 2,
        breached: 2, // T2 stopped late; T3 still counting past its deadline
        achievedPercent: 50,
        // Stopped: 60, 120, 300 minutes (T3 has not stopped).
        businessMs: { median: min(120), p90: min(264) },
      }),
    ]);
  });

  it('groups by tier and by week, in the given time zone', async () => {
    const byTier = await http()
      .get('/reports/compliance')
      .query({ ...november, groupBy: 'metric,tier', metric: 'first_response' })
      .expect(200);
    expect(
      byTier.body.rows.map((r: { group: object; achievedPercent: number }) => [r.group, r.achievedPercent]),
    ).toEqual([
      [{ metric: 'first_response', tier: 'gold' }, 50],
      [{ metric: 'first_response', tier: 'silver' }, 100],
    ]);
    const byWeek = await http()
      .get('/reports/compliance')
      .query({ ...november, groupBy: 'week', metric: 'first_response', timeZone: 'Europe/Berlin' })
      .expect(200);
    expect(
      byWeek.body.rows.map((r: { group: object; met: number; breached: number }) => [
        r.group,
        r.met,
        r.breached,
      ]),
    ).toEqual([
      [{ week: '2026-11-02' }, 2, 1],
      [{ week: '2026-11-09' }, 1, 0],
    ]);
  });

  it('counts clocks still counting before their deadline as in progress, in the period they started', async () => {
    const res = await http()
      .get('/reports/compliance')
      .query({
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      })
      .expect(200);
    expect(
      res.body.rows.map((r: { group: object; inProgress: number; achievedPercent: null }) => [
        r.group,
        r.inProgress,
        r.achievedPercent,
      ]),
    ).toEqual([
      [{ metric: 'first_response' }, 1, null],
      [{ metric: 'resolution' }, 1, null],
    ]);
  });

  it('links every row to the clocks behind it', async () => {
    const res = await http()
      .get('/reports/compliance')
      .query({ ...november, groupBy: 'metric,tier' })
      .expect(200);
    const goldFirst = res.body.rows.find(
      (r: { group: { metric: string; tier: string } }) =>
        r.group.metric === 'first_response' && r.group.tier === 'gold',
    );
    const clocks = await http().get(goldFirst.drillDown).expect(200);
    expect(
      clocks.body.map((c: { externalId: string; outcome: string }) => [c.externalId, c.outcome]),
    ).toEqual([
      ['T1', 'met'],
      ['T2', 'breached'],
    ]);
    const breachedOnly = await http().get(`${goldFirst.drillDown}&outcome=breached`).expect(200);
    expect(breachedOnly.body).toEqual([
      expect.objectContaining({ externalId: 'T2', countedAt: '2026-11-02T11:00:00.000Z' }),
    ]);
  });

  it('answers CSV by Accept or ?format=csv, with a header even when empty', async () => {
    const csv = await http().get('/reports/compliance').query(november).set('accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.trim().split('\n')).toEqual([
      'metric,met,breached,in_progress,achieved_percent,business_median_ms,business_p90_ms,calendar_median_ms,calendar_p90_ms',
      `first_response,3,1,0,75,${min(25)},${min(72)},${min(25)},${min(72)}`,
      `resolution,2,2,0,50,${min(120)},${min(264)},${min(120)},${min(264)}`,
    ]);
    const empty = await http()
      .get('/reports/compliance')
      .query({
        from: '2020-01-01T00:00:00Z',
        to: '2020-02-01T00:00:00Z',
        groupBy: 'tier,month',
        format: 'csv',
      })
      .expect(200);
    expect(empty.text.trim()).toBe(
      'tier,month,met,breached,in_progress,achieved_percent,business_median_ms,business_p90_ms,calendar_median_ms,calendar_p90_ms',
    );
  });

  it('gives the trend as one point per metric and interval', async () => {
    const res = await http()
      .get('/reports/compliance/trend')
      .query({ ...november, interval: 'week' })
      .expect(200);
    expect(
      res.body.rows.map((r: { group: object; achievedPercent: number }) => [r.group, r.achievedPercent]),
    ).toEqual([
      [{ metric: 'first_response', week: '2026-11-02' }, 66.67],
      [{ metric: 'first_response', week: '2026-11-09' }, 100],
      [{ metric: 'resolution', week: '2026-11-02' }, 33.33],
      [{ metric: 'resolution', week: '2026-11-09' }, 100],
    ]);
  });

  it('answers the same from the daily rollups as from the clocks, and follows changes at once', async () => {
    const queries: Array<[string, Record<string, string>]> = [
      ['/reports/compliance', november],
      ['/reports/compliance', { ...november, groupBy: 'metric,tier,priority,assignee,group,integration' }],
      ['/reports/compliance', { ...november, groupBy: 'day' }],
      ['/reports/compliance', { ...november, groupBy: 'tier,month', tier: 'gold' }],
      ['/reports/compliance', { ...november, groupBy: 'week', timeZone: 'Europe/Berlin' }],
      [
        '/reports/compliance',
        { from: '2026-11-02T10:30:00Z', to: '2026-11-09T09:45:00Z', groupBy: 'metric,day' },
      ],
      ['/reports/compliance/trend', { ...november, interval: 'week' }],
    ];
    const answers = () => Promise.all(queries.map(([path, q]) => http().get(path).query(q).expect(200)));
    const fromClocks = (await answers()).map((r) => r.body);
    const rollup = t.app.get(ReportRollupService);
    expect(await rollup.pass()).toBeGreaterThan(0);
    const { rows } = await t.sql.query(`SELECT
      (SELECT count(*)::int FROM report_dirty_days) AS dirty,
      (SELECT count(DISTINCT day)::int FROM report_rollup) AS days`);
    expect(rows[0]).toEqual({ dirty: 0, days: 3 }); // 11-02, 11-03 and 11-09
    expect((await answers()).map((r) => r.body)).toEqual(fromClocks);

    // A ticket moves tier: its decided days are stale at once, and the report says so before any rebuild.
    await t.sql.query(`UPDATE tickets SET tier = 'gold' WHERE external_id = 'T4'`);
    const byTier = () =>
      http()
        .get('/reports/compliance')
        .query({ ...november, groupBy: 'tier', metric: 'first_response' })
        .expect(200);
    const tiers = (res: { body: { rows: Array<{ group: object; met: number }> } }) =>
      res.body.rows.map((r) => [r.group, r.met]);
    expect(tiers(await byTier())).toEqual([
      [{ tier: 'gold' }, 2],
      [{ tier: 'silver' }, 1],
    ]);
    expect(await rollup.pass()).toBe(1);
    expect(tiers(await byTier())).toEqual([
      [{ tier: 'gold' }, 2],
      [{ tier: 'silver' }, 1],
    ]);
    // A rewrite of what a report does not see marks no day; a change to a decided clock marks its day only.
    const dirtyDays = async () =>
      (await t.sql.query(`SELECT DISTINCT day::text FROM report_dirty_days`)).rows.map((r) => r.day);
    await t.sql.query(`UPDATE ticket_clocks SET explanation = explanation, evaluated_at = now()`);
    await t.sql.query(`UPDATE tickets SET updated_at = now(), clock_version = clock_version + 1`);
    expect(await dirtyDays()).toEqual([]);
    const { rows: t4 } = await t.sql.query(
      `UPDATE ticket_clocks c SET used_ms = used_ms + 1 FROM tickets t
       WHERE t.id = c.ticket_id AND t.external_id = 'T4' AND c.metric = 'first_response'
       RETURNING (CASE WHEN c.state = 'met' THEN c.stopped_at ELSE c.deadline END AT TIME ZONE 'UTC')::date::text AS day`,
    );
    expect(await dirtyDays()).toEqual([t4[0].day]);
    expect(await rollup.pass()).toBe(1);
    await t.sql.query(`UPDATE ticket_clocks SET used_ms = used_ms - 1 WHERE used_ms % 1000 = 1`);
    await t.sql.query(`UPDATE tickets SET tier = 'silver' WHERE external_id = 'T4'`);

    // Another zone in the settings (REPORT_TIME_ZONE changed): every day is rebuilt in the configured one.
    await t.sql.query(`UPDATE report_rollup_settings SET time_zone = 'Asia/Kolkata'`);
    await t.sql.query(`INSERT INTO report_rollup (day, metric, integration_id, kind, bucket, n, breached)
                       VALUES ('2026-11-20', 'first_response', '${DESK}', 0, 0, 99, 0)`);
    expect(await rollup.pass()).toBe(3);
    expect((await answers()).map((r) => r.body)).toEqual(fromClocks);
  });

  it('gives the same figures from rollups as from clocks for random clocks, ranges, zones and groupings', async () => {
    const desk = 'random-desk';
    await seedIntegration(t.sql, desk);
    const random = seededRandom(20261205);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const base = Date.parse('2025-03-01T00:00:00Z');
    // 300 tickets over two months; durations from a few values (shared buckets) and from anywhere.
    await t.sql.query(
      `WITH t AS (
         INSERT INTO tickets (integration_id, external_id, status, priority, default_priority, tier, assignee_id,
                              group_id, clock_version)
         SELECT $1, 'r-' || i, 'open', p, 'normal', tier, assignee, grp, 1
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x(p, tier, assignee, grp, i)
         RETURNING id, external_id)
       INSERT INTO ticket_clocks (ticket_id, metric, cycle, state, started_at, target_ms, deadline, stopped_at,
                                  used_ms, evaluated_at)
       SELECT t.id, c.metric, 0, c.state, c.started_at, 3600000, c.deadline, c.stopped_at, c.used_ms, now()
       FROM t JOIN unnest($6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[],
                          $11::timestamptz[], $12::bigint[])
         AS c(ext, metric, state, started_at, deadline, stopped_at, used_ms) ON c.ext = t.external_id`,
      (() => {
        const tickets = Array.from({ length: 300 }, () => ({
          priority: pick(['urgent', 'high', 'normal', 'low']),
          tier: pick(['gold', 'silver', null]),
          assignee: pick(['a1', 'a2', null]),
          group: pick(['g1', null]),
        }));
        const clocks = tickets.flatMap((_, i) =>
          (['first_response', 'resolution'] as const).map((metric) => {
            const started = base + Math.floor(random() * 60 * 24 * 3_600_000);
            const used =
              random() < 0.5 ? pick([600_000, 1_800_000, 1_818_000, 3_600_000]) : random() * 20_000_000;
            const state = pick(['met', 'met', 'breached', 'running', 'paused']);
            const stopped = state === 'met' || (state === 'breached' && random() < 0.7);
            return {
              ext: `r-${i + 1}`,
              metric,
              state,
              started: new Date(started),
              deadline: new Date(started + 3_600_000),
              stopped: stopped ? new Date(started + used + Math.floor(random() * 3_600_000)) : null,
              used: Math.round(used),
            };
          }),
        );
        return [
          desk,
          tickets.map((x) => x.priority),
          tickets.map((x) => x.tier),
          tickets.map((x) => x.assignee),
          tickets.map((x) => x.group),
          clocks.map((c) => c.ext),
          clocks.map((c) => c.metric),
          clocks.map((c) => c.state),
          clocks.map((c) => c.started),
          clocks.map((c) => c.deadline),
          clocks.map((c) => c.stopped),
          clocks.map((c) => c.used),
        ];
      })(),
    );
    const queries = Array.from({ length: 12 }, () => {
      const from = base - 3 * 24 * 3_600_000 + Math.floor(random() * 40 * 24 * 3_600_000);
      return {
        from: new Date(from).toISOString(),
        to: new Date(from + Math.floor((5 + random() * 40) * 24 * 3_600_000)).toISOString(),
        integration: desk,
        groupBy: pick([
          'metric',
          'tier,priority',
          'metric,day',
          'assignee,group,week',
          'tier,month',
          'priority',
        ]),
        timeZone: pick(['UTC', 'UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/New_York']),
      };
    });
    const answers = () =>
      Promise.all(queries.map((q) => http().get('/reports/compliance').query(q))).then((rs) =>
        rs.map((r) => (r.status === 200 ? r.body : { status: r.status, body: r.body })),
      );
    const rollup = t.app.get(ReportRollupService);
    await rollup.pass();
    const rolled = await answers();
    // Every day stale: the same reports from the clocks alone.
    await t.sql.query(`INSERT INTO report_dirty_days (day) SELECT DISTINCT day FROM report_rollup`);
    expect(await answers()).toEqual(rolled);
    expect(rolled.some((r) => r.rows.length > 3)).toBe(true);
    await rollup.pass();
  });

  it('refuses bad parameters with a 400 that says what is wrong', async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { from: 'yesterday', to: november.to },
      { ...november, from: november.to, to: november.from },
      { ...november, groupBy: 'metric,colour' },
      { ...november, groupBy: 'day,week' },
      { ...november, timeZone: 'Mars/Olympus' },
      { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { ...november, unknown: 'x' },
    ];
    for (const query of cases) {
      const res = await http().get('/reports/compliance').query(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
    }
  });
});

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}
