import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  type CanonicalEventInput,
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INTEGRATION = 'pipeline';

/** 24/7 targets, so the expected clocks are plain arithmetic. */
const POLICY = {
  id: 'standard',
  name: 'Standard',
  position: 10,
  targets: {
    normal: { reaction: { minutes: 60 }, first_response: { minutes: 120 }, resolution: { minutes: 480 } },
  },
};

/**
 * A ticket whose clocks are all decided (stopped), so they do not depend on when they are evaluated:
 * reaction met at the internal note (20 min), first response breached (reply after 3 h > 2 h),
 * resolution met (6 h minus a 2 h pause = 4 h < 8 h).
 */
function story(ticketId: string, created: number): CanonicalEventInput[] {
  const at = (ms: number) => new Date(created + ms).toISOString();
  const base = { ticketId, createdAt: at(0), priority: 'normal' };
  const id = (s: string) => `${ticketId}-${s}`;
  return [
    {
      ...base,
      eventId: id('created'),
      type: 'ticket.created',
      occurredAt: at(0),
      status: 'new',
      actor: { role: 'customer' },
    },
    {
      ...base,
      eventId: id('note'),
      type: 'comment.created',
      occurredAt: at(20 * MINUTE),
      status: 'new',
      comment: { id: id('c1'), public: false, authorRole: 'agent' },
      actor: { role: 'agent', id: 'a-1' },
    },
    {
      ...base,
      eventId: id('open'),
      type: 'ticket.updated',
      occurredAt: at(30 * MINUTE),
      status: 'open',
      actor: { role: 'agent', id: 'a-1' },
    },
    {
      ...base,
      eventId: id('reply'),
      type: 'comment.created',
      occurredAt: at(3 * HOUR),
      status: 'open',
      comment: { id: id('c2'), public: true, authorRole: 'agent' },
      actor: { role: 'agent', id: 'a-1' },
    },
    {
      ...base,
      eventId: id('pending'),
      type: 'ticket.updated',
      occurredAt: at(3 * HOUR + MINUTE),
      status: 'pending',
      actor: { role: 'agent', id: 'a-1' },
    },
    {
      ...base,
      eventId: id('reopen'),
      type: 'ticket.updated',
      occurredAt: at(5 * HOUR + MINUTE),
      status: 'open',
      actor: { role: 'customer' },
    },
    {
      ...base,
      eventId: id('solve'),
      type: 'ticket.updated',
      occurredAt: at(6 * HOUR),
      status: 'solved',
      actor: { role: 'agent', id: 'a-1' },
    },
  ];
}

/** Deterministic shuffle (the test must be reproducible). */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('webhook → inbox → ingest → clocks', () => {
  let t: TestApp;
  const created = Date.now() - 10 * HOUR;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'all' });
    await http().post('/policies').send(POLICY).expect(201);
    await createGenericIntegration(t, INTEGRATION);
  });
  afterAll(async () => {
    await t?.close();
  });

  const ticket = (externalId: string) => http().get(`/tickets/${INTEGRATION}/${externalId}`);
  const solvedTicket = (externalId: string) =>
    waitFor(async () => {
      const res = await ticket(externalId);
      return res.status === 200 && res.body.status === 'solved' && res.body;
    });
  const decided = (body: { clocks: Array<Record<string, unknown>> }) =>
    body.clocks
      .map((c) => ({
        metric: c.metric,
        state: c.state,
        startedAt: c.startedAt,
        deadline: c.deadline,
        stoppedAt: c.stoppedAt,
        usedMs: c.usedMs,
        breachedAt: c.breachedAt,
      }))
      .sort((a, b) => String(a.metric).localeCompare(String(b.metric)));
  const inboxStatuses = async () =>
    (
      await t.sql.query(
        `SELECT status, count(*)::int AS n FROM inbox_deliveries GROUP BY status ORDER BY status`,
      )
    ).rows;

  it('turns a sequence of signed deliveries into the expected clocks', async () => {
    for (const e of story('T-1', created)) await postSigned(t, INTEGRATION, canonicalEvent(e)).expect(202);
    const body = await solvedTicket('T-1');
    const iso = (ms: number) => new Date(created + ms).toISOString();
    expect(decided(body)).toEqual([
      {
        metric: 'first_response',
        state: 'breached',
        startedAt: iso(0),
        deadline: iso(2 * HOUR),
        stoppedAt: iso(3 * HOUR),
        usedMs: 3 * HOUR,
        breachedAt: iso(2 * HOUR),
      },
      {
        metric: 'reaction',
        state: 'met',
        startedAt: iso(0),
        deadline: iso(HOUR),
        stoppedAt: iso(20 * MINUTE),
        usedMs: 20 * MINUTE,
        breachedAt: null,
      },
      {
        metric: 'resolution',
        state: 'met',
        startedAt: iso(0),
        deadline: iso(8 * HOUR + 2 * HOUR),
        stoppedAt: iso(6 * HOUR),
        usedMs: 4 * HOUR,
        breachedAt: null,
      },
    ]);
    await waitFor(async () => (await inboxStatuses()).every((r) => r.status === 'processed'));
  });

  it('gives identical clocks for shuffled and duplicated deliveries, each event counted once', async () => {
    const events = story('T-2', created);
    const deliveries = shuffle([...events, ...events.slice(0, 3), events[6]!], 7);
    const answers = await Promise.all(
      deliveries.map((e) => postSigned(t, INTEGRATION, canonicalEvent(e)).expect(202)),
    );
    expect(answers.filter((a) => a.body.duplicate)).toHaveLength(4);
    const reference = decided(await solvedTicket('T-1'));
    // Solved is not the end: a shuffled delivery may come after the solve. Wait for the whole inbox.
    await waitFor(async () =>
      (await inboxStatuses()).every((r) => r.status === 'processed' || r.status === 'dead'),
    );
    const shuffled = await solvedTicket('T-2');
    const normalise = (clocks: ReturnType<typeof decided>) =>
      clocks.map((c) => ({
        ...c,
        startedAt: 0,
        deadline: Date.parse(String(c.deadline)) - Date.parse(String(c.startedAt)),
      }));
    expect(normalise(decided(shuffled))).toEqual(normalise(reference));
    const { rows } = await t.sql.query(
      `SELECT count(*)::int AS n FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.external_id = 'T-2'`,
    );
    expect(rows[0].n).toBe(events.length);
  });

  it('dead-letters an unknown status with a clear error, and processes it after a mapping fix and retry', async () => {
    const [first] = story('T-3', created);
    const waiting = { ...canonicalEvent({ ...first!, eventId: 'T-3-waiting' }) };
    (waiting.ticket as Record<string, unknown>).status = 'Waiting';
    const accepted = await postSigned(t, INTEGRATION, waiting).expect(202);
    const deliveryId = accepted.body.deliveryId as string;

    const dead = await waitFor(async () => {
      const res = await http()
        .get(`/webhooks/deliveries?status=dead&integrationId=${INTEGRATION}`)
        .expect(200);
      return res.body.find((d: { id: string }) => d.id === deliveryId);
    });
    expect(dead).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: expect.stringMatching(/unknown_status.*"Waiting".*mapping\.statuses/),
    });
    await ticket('T-3').expect(404);

    await http()
      .put(`/integrations/${INTEGRATION}`)
      .send({ mapping: { defaultPriority: 'normal', statuses: { waiting: 'pending' } } })
      .expect(200);
    const retried = await http().post(`/webhooks/deliveries/${deliveryId}/retry`).expect(202);
    expect(retried.body).toMatchObject({ id: deliveryId, status: 'pending', attempts: 0 });

    const body = await waitFor(async () => {
      const res = await ticket('T-3');
      return res.status === 200 && res.body;
    });
    expect(body.status).toBe('pending');
    const { rows } = await t.sql.query('SELECT status, last_error FROM inbox_deliveries WHERE id = $1', [
      deliveryId,
    ]);
    expect(rows[0]).toEqual({ status: 'processed', last_error: null });
    // A processed delivery is not retried from the API.
    await http().post(`/webhooks/deliveries/${deliveryId}/retry`).expect(409);
  });

  it('lists deliveries with filters and validates the query', async () => {
    const res = await http()
      .get(`/webhooks/deliveries?status=processed&integrationId=${INTEGRATION}&limit=2`)
      .expect(200);
    expect(res.body).toHaveLength(2);
    expect(res.body[0]).toMatchObject({
      integrationId: INTEGRATION,
      status: 'processed',
      bodyBytes: expect.any(Number),
    });
    expect(res.body[0]).not.toHaveProperty('body');
    await http().get('/webhooks/deliveries?status=lost').expect(400);
    await http().post('/webhooks/deliveries/999999/retry').expect(404);
  });

  it('counts accepted, duplicate and rejected deliveries and what the worker made of them in /metrics', async () => {
    await http()
      .post(`/webhooks/${INTEGRATION}`)
      .set('content-type', 'application/json')
      .send('{"unsigned":true}')
      .expect(401);
    const metrics = (await http().get('/metrics').expect(200)).text;
    const value = (pattern: RegExp) => Number(metrics.match(pattern)?.[1] ?? NaN);
    const delivered = (outcome: string) =>
      value(new RegExp(`sla_webhook_deliveries_total\\{provider="generic",outcome="${outcome}"\\} (\\d+)`));
    // T-1 and T-2 (a story each, T-2's duplicates aside) and T-3's dead-lettered delivery.
    const fresh = 2 * story('T', created).length + 1;
    expect(delivered('accepted')).toBe(fresh);
    expect(delivered('duplicate')).toBeGreaterThanOrEqual(4);
    expect(metrics).toMatch(
      /sla_webhook_deliveries_total\{provider="generic",outcome="rejected_[a-z_]+"\} 1/,
    );
    const processed = value(/sla_ingest_deliveries_processed_total\{result="processed"\} (\d+)/);
    expect(processed).toBe(fresh);
    expect(value(/sla_ingest_deliveries_processed_total\{result="dead"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    // Every ticket evaluated was timed.
    expect(value(/sla_ticket_evaluation_seconds_count (\d+)/)).toBeGreaterThan(0);
  });
});
