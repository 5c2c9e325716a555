import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { HOUR, MINUTE, seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const INTEGRATION = 'api-desk';

const BERLIN = {
  id: 'berlin',
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '17:00' })),
};

const POLICIES = [
  {
    id: 'high-berlin',
    name: 'High priority, office hours',
    position: 0,
    conditions: { priorities: ['high'] },
    targets: {
      high: {
        first_response: { minutes: 120, calendarId: 'berlin' },
        resolution: { minutes: 480, calendarId: 'berlin' },
      },
    },
  },
  {
    id: 'around-the-clock',
    name: '24/7',
    position: 10,
    targets: {
      urgent: { first_response: { minutes: 30 }, resolution: { minutes: 240 } },
      normal: { first_response: { minutes: 120 }, resolution: { minutes: 480 } },
      low: { first_response: { minutes: 600 }, resolution: { minutes: 2400 } },
    },
  },
];

describe('tickets API: one ticket and the agent queue', () => {
  let t: TestApp;
  let now: number;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp();
    await seedIntegration(t.sql, INTEGRATION);
    await http().post('/calendars').send(BERLIN).expect(201);
    for (const policy of POLICIES) await http().post('/policies').send(policy).expect(201);
    now = Date.now() + 1;
    const ingest = t.app.get(TicketIngestService);
    const deliver = (story: TicketStory) =>
      ingest.ingest({
        integrationId: INTEGRATION,
        defaultPriority: 'normal',
        events: story.events,
        receivedAt: now,
      });

    // A: Friday 16:00 Berlin, high priority; answered Monday 09:30 Berlin (first response met over the weekend);
    // resolution (8 business hours) was due Monday 16:00 Berlin and is still open: overdue.
    await deliver(
      new TicketStory('A', Date.parse('2026-11-13T15:00:00Z'), {
        priority: 'high',
        tier: 'enterprise',
        assigneeId: 'agent-7',
        groupId: 'escalations',
      }).comment('reply', Date.parse('2026-11-16T08:30:00Z'), 'agent'),
    );
    await deliver(
      new TicketStory('B', now - 30 * MINUTE, {
        priority: 'normal',
        tier: 'enterprise',
        assigneeId: 'agent-7',
      }),
    );
    await deliver(new TicketStory('C', now - 10 * MINUTE, { priority: 'low', tier: 'standard' }));
    await deliver(
      new TicketStory('D', now - 20 * MINUTE, { priority: 'urgent', tier: 'standard' })
        .comment('reply', now - 15 * MINUTE, 'agent')
        .update('pending', now - 10 * MINUTE, { status: 'pending' }),
    );
    await deliver(
      new TicketStory('E', now - 20 * MINUTE, { priority: 'normal' }).update('solve', now - 5 * MINUTE, {
        status: 'solved',
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /tickets/:integrationId/:externalId', () => {
    it('returns the ticket with every clock, the local deadline and the explanation', async () => {
      const res = await http().get(`/tickets/${INTEGRATION}/A`).expect(200);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        integrationId: INTEGRATION,
        externalId: 'A',
        status: 'new',
        priority: 'high',
        tier: 'enterprise',
        policyId: 'high-berlin',
        policyVersion: 1,
        createdAt: '2026-11-13T15:00:00.000Z',
        nextDeadline: '2026-11-16T15:00:00.000Z',
        clockVersion: 1, // one delivery, one evaluation
      });
      const byMetric = Object.fromEntries(res.body.clocks.map((c: { metric: string }) => [c.metric, c]));
      expect(byMetric.first_response).toMatchObject({
        cycle: 0,
        state: 'met',
        calendarId: 'berlin',
        timeZone: 'Europe/Berlin',
        startedAt: '2026-11-13T15:00:00.000Z',
        deadline: '2026-11-16T09:00:00.000Z',
        deadlineLocal: '2026-11-16T10:00:00.000+01:00',
        stoppedAt: '2026-11-16T08:30:00.000Z',
        targetMs: 2 * HOUR,
        usedMs: 90 * MINUTE,
        remainingMs: 30 * MINUTE,
        percentUsed: 75,
        policyId: 'high-berlin',
        policyVersion: 1,
        breachedAt: null,
      });
      // The spans are the engine's; here: Friday's last working hour, the weekend, Monday morning.
      expect(byMetric.first_response.explanation.slice(0, 3)).toMatchObject([
        { from: '2026-11-13T15:00:00.000Z', to: '2026-11-13T16:00:00.000Z', kind: 'counted' },
        { from: '2026-11-13T16:00:00.000Z', to: '2026-11-16T08:00:00.000Z', kind: 'out_of_hours' },
        { from: '2026-11-16T08:00:00.000Z', kind: 'counted' },
      ]);
      expect(byMetric.resolution).toMatchObject({
        state: 'breached',
        deadline: '2026-11-16T15:00:00.000Z',
        deadlineLocal: '2026-11-16T16:00:00.000+01:00',
        breachedAt: '2026-11-16T15:00:00.000Z',
        breachDetectedAt: expect.any(String),
        stoppedAt: null,
        pausedIntervals: [],
      });
      // Overdue by Monday 16:00–17:00 plus Tuesday to Friday: at least 33 business hours, and counting.
      expect(byMetric.resolution.remainingMs).toBeLessThanOrEqual(-33 * HOUR);
      expect(byMetric.resolution.percentUsed).toBeGreaterThan(100);
    });

    it('computes live values for a running clock at read time', async () => {
      const deadline = now - 30 * MINUTE + 2 * HOUR;
      const before = Date.now();
      const res = await http().get(`/tickets/${INTEGRATION}/B`).expect(200);
      const after = Date.now();
      const first = res.body.clocks.find((c: { metric: string }) => c.metric === 'first_response');
      expect(first.state).toBe('running');
      expect(first.deadline).toBe(new Date(deadline).toISOString());
      expect(first.deadlineLocal).toBe(first.deadline); // 24/7: rendered in UTC
      expect(first.remainingMs).toBeGreaterThanOrEqual(deadline - after);
      expect(first.remainingMs).toBeLessThanOrEqual(deadline - before);
      expect(first.usedMs).toBe(2 * HOUR - first.remainingMs);
      expect(first.percentUsed).toBeCloseTo(25, 0);
    });

    it('answers 404 JSON for an unknown ticket', async () => {
      const res = await http().get(`/tickets/${INTEGRATION}/nope`).expect(404);
      expect(res.body).toEqual({
        error: 'not_found',
        message: expect.stringContaining(`${INTEGRATION}/nope`),
        requestId: expect.any(String),
      });
    });
  });

  describe('GET /tickets (the agent queue)', () => {
    const ids = (body: { items: Array<{ externalId: string }> }) => body.items.map((i) => i.externalId);

    it('lists open tickets by next deadline, overdue first and tickets without a counting clock last', async () => {
      const res = await http().get('/tickets').expect(200);
      expect(ids(res.body)).toEqual(['A', 'B', 'C', 'D']);
      expect(res.body.nextCursor).toBeNull();
      const b = res.body.items[1];
      expect(b).toMatchObject({
        priority: 'normal',
        tier: 'enterprise',
        status: 'new',
        policyId: 'around-the-clock',
      });
      expect(b.clocks.map((c: { metric: string; state: string }) => `${c.metric}:${c.state}`)).toEqual([
        'reaction:not_applicable', // no reaction target in this policy
        'first_response:running',
        'resolution:running',
      ]);
      expect(b.clocks[1]).not.toHaveProperty('explanation');
    });

    it('filters by priority, tier and live clock state', async () => {
      expect(ids((await http().get('/tickets?priority=high').expect(200)).body)).toEqual(['A']);
      expect(ids((await http().get('/tickets?priority=normal,low').expect(200)).body)).toEqual(['B', 'C']);
      expect(ids((await http().get('/tickets?tier=enterprise').expect(200)).body)).toEqual(['A', 'B']);
      expect(ids((await http().get('/tickets?state=breached').expect(200)).body)).toEqual(['A']);
      expect(ids((await http().get('/tickets?state=paused').expect(200)).body)).toEqual(['D']);
      expect(ids((await http().get('/tickets?state=running').expect(200)).body)).toEqual(['B', 'C']);
      expect(ids((await http().get('/tickets?state=met&tier=standard').expect(200)).body)).toEqual(['D']);
    });

    it('filters by assignee, group and integration', async () => {
      expect(ids((await http().get('/tickets?assignee=agent-7').expect(200)).body)).toEqual(['A', 'B']);
      expect(ids((await http().get('/tickets?group=escalations').expect(200)).body)).toEqual(['A']);
      expect(ids((await http().get(`/tickets?integrationId=${INTEGRATION}`).expect(200)).body)).toHaveLength(
        4,
      );
      expect(ids((await http().get('/tickets?integrationId=elsewhere').expect(200)).body)).toEqual([]);
    });

    it('filters by breachWithin, as an ISO 8601 duration or minutes (overdue tickets included)', async () => {
      expect(ids((await http().get('/tickets?breachWithin=PT2H').expect(200)).body)).toEqual(['A', 'B']);
      expect(ids((await http().get('/tickets?breachWithin=600').expect(200)).body)).toEqual(['A', 'B', 'C']);
    });

    it('paginates with an opaque cursor', async () => {
      const first = (await http().get('/tickets?limit=3').expect(200)).body;
      expect(ids(first)).toEqual(['A', 'B', 'C']);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = (await http().get(`/tickets?limit=3&cursor=${first.nextCursor}`).expect(200)).body;
      expect(ids(second)).toEqual(['D']);
      expect(second.nextCursor).toBeNull();
      const pageOfOne = (await http().get('/tickets?limit=1&sort=next_deadline').expect(200)).body;
      const afterA = (await http().get(`/tickets?limit=2&cursor=${pageOfOne.nextCursor}`).expect(200)).body;
      expect(ids(afterA)).toEqual(['B', 'C']);
    });

    it('filters by atRisk: a counting clock at or above N % used as of now, live, paused clocks not at risk', async () => {
      // A is overdue (its resolution counts past 100 %), B's first response is 25 % used (30 of 120 minutes),
      // C's is under 2 %, D's clocks are met and paused.
      expect(ids((await http().get('/tickets?atRisk=75').expect(200)).body)).toEqual(['A']);
      expect(ids((await http().get('/tickets?atRisk=20').expect(200)).body)).toEqual(['A', 'B']);
      expect(ids((await http().get('/tickets?atRisk=1').expect(200)).body)).toEqual(['A', 'B', 'C']);
      expect(
        ids((await http().get('/tickets?atRisk=20&tier=enterprise&priority=normal').expect(200)).body),
      ).toEqual(['B']);
      // The % is live, not the one stored at the last evaluation: B's rows claim 0 % as of 30 minutes ago.
      await t.sql.query(
        `UPDATE ticket_clocks c SET used_ms = 0, percent_used = 0, evaluated_at = now() - interval '30 minutes'
         FROM tickets t WHERE t.id = c.ticket_id AND t.external_id = 'B' AND c.state = 'running'`,
      );
      expect(ids((await http().get('/tickets?atRisk=24').expect(200)).body)).toEqual(['A', 'B']);
      expect(ids((await http().get('/tickets?atRisk=26').expect(200)).body)).toEqual(['A']);
      // Pages keep the next-deadline order and the cursor.
      const first = (await http().get('/tickets?atRisk=1&limit=2').expect(200)).body;
      expect(ids(first)).toEqual(['A', 'B']);
      const second = (await http().get(`/tickets?atRisk=1&limit=2&cursor=${first.nextCursor}`).expect(200))
        .body;
      expect(ids(second)).toEqual(['C']);
      expect(second.nextCursor).toBeNull();
      for (const bad of ['high', '-5', '2000', ''])
        expect((await http().get(`/tickets?atRisk=${bad}`).expect(400)).body.error).toBe('validation_failed');
    });

    it('answers 400 naming the allowed values for unknown enum values and bad parameters', async () => {
      const state = (await http().get('/tickets?state=late').expect(400)).body;
      expect(state.error).toBe('validation_failed');
      expect(state.message).toMatch(/state.*running.*paused.*met.*breached.*not_applicable.*cancelled/);
      expect((await http().get('/tickets?priority=critical').expect(400)).body.message).toMatch(
        /urgent.*high.*normal.*low/,
      );
      expect((await http().get('/tickets?sort=created_at').expect(400)).body.message).toContain(
        'next_deadline',
      );
      expect((await http().get('/tickets?breachWithin=soon').expect(400)).body.message).toContain('PT2H');
      expect((await http().get('/tickets?limit=1000').expect(400)).body.error).toBe('validation_failed');
      expect((await http().get('/tickets?cursor=not-a-cursor').expect(400)).body.message).toContain('cursor');
      expect((await http().get('/tickets?colour=red').expect(400)).body.message).toContain('colour');
    });
  });

  it('documents both routes in OpenAPI', async () => {
    const paths = (await http().get('/docs-json').expect(200)).body.paths;
    expect(
      paths['/tickets'].get.responses['200'].content['application/json'].schema.properties,
    ).toHaveProperty('nextCursor');
    expect(paths['/tickets/{integrationId}/{externalId}'].get.responses).toHaveProperty(['404']);
  });
});
