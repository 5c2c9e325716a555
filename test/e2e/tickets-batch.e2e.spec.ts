import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService, type IngestBatch } from '../../src/tickets/ticket-ingest.service.js';
import { TicketStore } from '../../src/tickets/ticket-store.js';
import { DeliveryProcessor } from '../../src/webhooks/delivery-processor.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { HOUR, MINUTE, shuffled, storedClocks, TicketStory } from '../tickets/ticket-fixtures.js';
import { canonicalEvent, createGenericIntegration } from '../webhooks/webhook-test-kit.js';

const INTEGRATION = 'batchdesk';

const POLICY = {
  id: 'standard',
  name: 'Standard',
  position: 10,
  targets: {
    normal: { reaction: { minutes: 60 }, first_response: { minutes: 120 }, resolution: { minutes: 480 } },
  },
};

/** All clocks decided (stopped), so they do not depend on when they are evaluated. */
function decidedStory(externalId: string, c: number): TicketStory {
  return new TicketStory(externalId, c)
    .comment('internal', c + 20 * MINUTE, 'agent', false)
    .update('assign', c + 30 * MINUTE, { status: 'open', assigneeId: 'agent-7' })
    .comment('reply', c + 3 * HOUR, 'agent')
    .update('pending', c + 3 * HOUR + MINUTE, { status: 'pending' })
    .comment('customer-answer', c + 5 * HOUR, 'customer')
    .update('reopen', c + 5 * HOUR + 1000, { status: 'open' }, 'customer')
    .update('solve', c + 6 * HOUR, { status: 'solved' });
}

/**
 * The batched write path: many deliveries and tickets per transaction must keep every guarantee of
 * one-by-one ingestion (dedupe, order independence, isolation of a bad delivery, no deadlocks).
 */
describe('batched ingest', () => {
  let t: TestApp;
  let ingest: TicketIngestService;
  let processor: DeliveryProcessor;
  const created = Date.now() - 10 * HOUR;
  /**
   * One receipt time for every delivery (a breach is detected no earlier than the event showing it
   * arrived), after the policy exists (stops are judged under the versions in force at receipt).
   */
  let received = 0;

  beforeAll(async () => {
    // ROLE=all for the DeliveryProcessor; rows written straight to the inbox here get no queue job.
    t = await startTestApp({ ROLE: 'all' });
    ingest = t.app.get(TicketIngestService);
    processor = t.app.get(DeliveryProcessor);
    await t.http().post('/policies').send(POLICY).expect(201);
    await createGenericIntegration(t, INTEGRATION, { defaultPriority: 'normal' });
    received = Date.now() + 1;
  });
  afterAll(async () => {
    await t?.close();
  });

  const ticketId = async (externalId: string): Promise<string> =>
    (
      await t.sql.query(`SELECT id FROM tickets WHERE integration_id = $1 AND external_id = $2`, [
        INTEGRATION,
        externalId,
      ])
    ).rows[0].id;
  const delivery = (events: IngestBatch['events']): IngestBatch => ({
    integrationId: INTEGRATION,
    defaultPriority: 'normal',
    events,
    receivedAt: received,
  });
  /** Stores generic deliveries in the inbox as the webhook would; returns their ids in order. */
  const storeDeliveries = async (bodies: object[], prefix: string): Promise<string[]> => {
    const ids: string[] = [];
    for (const [i, body] of bodies.entries()) {
      const { rows } = await t.sql.query(
        `INSERT INTO inbox_deliveries (integration_id, delivery_key, received_at, headers, body)
         VALUES ($1, $2, now(), '{}', $3) RETURNING id`,
        [INTEGRATION, `${prefix}-${i}`, Buffer.from(JSON.stringify(body))],
      );
      ids.push(rows[0].id);
    }
    return ids;
  };
  const genericBody = (
    externalId: string,
    eventId: string,
    minutes: number,
    extra: Record<string, unknown> = {},
  ) => {
    const event = canonicalEvent({
      eventId,
      ticketId: externalId,
      type: minutes === 0 ? 'ticket.created' : 'ticket.updated',
      occurredAt: new Date(created + minutes * MINUTE).toISOString(),
      createdAt: new Date(created).toISOString(),
      status: minutes === 0 ? 'new' : 'open',
      priority: 'normal',
      actor: { role: 'agent', id: 'a-1' },
    });
    Object.assign(event.ticket as object, extra);
    return event;
  };
  const deadlocks = async (): Promise<number> => {
    // Statistics reach the shared counters a moment after the transaction that recorded them.
    await new Promise((r) => setTimeout(r, 1_200));
    await t.sql.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await t.sql.query(
      `SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`,
    );
    return rows[0].n;
  };

  it('converges to the clocks of one-by-one ingestion for a batch spanning many tickets, with duplicates and out of order', async () => {
    const TICKETS = 15;
    for (let i = 0; i < TICKETS; i++) {
      for (const event of decidedStory(`R-${i}`, created).events) await ingest.ingest(delivery([event]));
    }
    const events = Array.from({ length: TICKETS }, (_, i) => decidedStory(`B-${i}`, created).events).flat();
    const withDuplicates = shuffled([...events, ...events.filter((_, i) => i % 3 === 0)], 11);
    // One event per delivery (as webhooks come), plus one delivery carrying two tickets' events.
    const deliveries = withDuplicates.map((e) => delivery([e]));
    deliveries.push(delivery([events[0]!, events[events.length - 1]!]));
    let inserted = 0;
    let duplicates = 0;
    for (let i = 0; i < deliveries.length; i += 40) {
      const results = await ingest.ingestMany(deliveries.slice(i, i + 40));
      expect(results).toHaveLength(Math.min(40, deliveries.length - i));
      for (const r of results) {
        inserted += r.inserted;
        duplicates += r.duplicates;
      }
    }
    expect(inserted).toBe(events.length);
    expect(duplicates).toBe(withDuplicates.length - events.length + 2);
    for (let i = 0; i < TICKETS; i++) {
      const [batched, reference] = await Promise.all([
        storedClocks(t.sql, await ticketId(`B-${i}`)),
        storedClocks(t.sql, await ticketId(`R-${i}`)),
      ]);
      expect(batched).toEqual(reference);
      expect(batched.map((c) => c.state)).toEqual(['breached', 'not_applicable', 'met', 'met']);
    }
    const { rows } = await t.sql.query(
      `SELECT count(*)::int AS n FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.external_id LIKE 'B-%'`,
    );
    expect(rows[0].n).toBe(events.length);
  });

  it('dead-letters an unusable delivery and isolates one the database refuses, processing the rest', async () => {
    const bodies: object[] = [];
    for (let i = 0; i < 10; i++) {
      bodies.push(genericBody(`P-${i}`, `P-${i}-created`, 0), genericBody(`P-${i}`, `P-${i}-open`, 10));
    }
    const unknownStatus = genericBody('P-0', 'P-0-waiting', 20, { status: 'Waiting' });
    // Valid JSON that normalises, but its tier does not fit the tickets row: the batch transaction fails.
    const tooLong = genericBody('P-poison', 'P-poison-created', 0, { tier: 'x'.repeat(100) });
    bodies.splice(7, 0, unknownStatus);
    bodies.splice(13, 0, tooLong);
    const ids = await storeDeliveries(bodies, 'poison');

    const outcomes = await processor.process(ids);

    const byId = new Map(outcomes.map((o) => [o.id, o]));
    expect(byId.get(ids[7]!)).toMatchObject({
      result: 'dead',
      error: expect.stringMatching(/unknown_status/),
    });
    expect(byId.get(ids[13]!)).toMatchObject({
      result: 'failed',
      attempts: 1,
      error: expect.stringMatching(/too long/),
    });
    expect(outcomes.filter((o) => o.result === 'processed')).toHaveLength(20);
    const { rows } = await t.sql.query(
      `SELECT status, count(*)::int AS n FROM inbox_deliveries WHERE id = ANY($1::bigint[]) GROUP BY status ORDER BY status`,
      [ids],
    );
    expect(rows).toEqual([
      { status: 'dead', n: 1 },
      { status: 'failed', n: 1 },
      { status: 'processed', n: 20 },
    ]);
    const tickets = await t.sql.query(
      `SELECT count(*)::int AS n FROM tickets WHERE integration_id = $1 AND external_id LIKE 'P-%' AND status = 'open'`,
      [INTEGRATION],
    );
    expect(tickets.rows[0].n).toBe(10);
  });

  it('runs two processors on overlapping tickets at once without deadlocks', async () => {
    const TICKETS = 300;
    const before = await deadlocks();
    for (let round = 1; round <= 3; round++) {
      const forward = Array.from({ length: TICKETS }, (_, i) =>
        genericBody(`C-${i}`, `C-${i}-a${round}`, round),
      );
      const backward = Array.from({ length: TICKETS }, (_, i) =>
        genericBody(`C-${TICKETS - 1 - i}`, `C-${TICKETS - 1 - i}-b${round}`, round + 100),
      );
      const [a, b] = await Promise.all([
        storeDeliveries(forward, `fw${round}`),
        storeDeliveries(backward, `bw${round}`),
      ]);
      const [outA, outB] = await Promise.all([processor.process(a), processor.process(b)]);
      expect([...outA, ...outB].every((o) => o.result === 'processed')).toBe(true);
    }
    expect(await deadlocks()).toBe(before);
    const { rows } = await t.sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT ticket_id)::int AS tickets FROM ticket_events e
        WHERE e.integration_id = $1 AND e.event_id LIKE 'C-%'`,
      [INTEGRATION],
    );
    expect(rows[0]).toEqual({ n: 6 * TICKETS, tickets: TICKETS });
  });

  it('locks and returns tickets that another transaction creates while the upsert waits for it', async () => {
    const existing = await ingest.ingest(delivery([new TicketStory('L-old', created).events[0]!]));
    const store = t.app.get(TicketStore);
    const rival = await t.sql.connect();
    try {
      await rival.query('BEGIN');
      await rival.query(
        `INSERT INTO tickets (integration_id, external_id, default_priority) VALUES ($1, 'L-late', 'normal')`,
        [INTEGRATION],
      );
      let ids = new Map<string, string>();
      const upsert = t.app.get(DataSource).transaction(async (em) => {
        ids = await store.upsertAndLockMany(
          em,
          ['L-late', 'L-new', 'L-old'].map((externalId) => ({
            integrationId: INTEGRATION,
            externalId,
            defaultPriority: 'normal' as const,
          })),
        );
        // Still inside the transaction: the rival's row is ours now.
        await expect(
          rival.query(`SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE NOWAIT`, [
            ids.get(`${INTEGRATION}\nL-late`),
          ]),
        ).rejects.toMatchObject({ code: '55P03' });
      });
      // The upsert now waits on the rival's uncommitted row; it commits after the upsert's snapshot.
      await new Promise((r) => setTimeout(r, 300));
      await rival.query('COMMIT');
      await upsert;
      expect(ids.get(`${INTEGRATION}\nL-late`)).toBe(await ticketId('L-late'));
      expect(ids.get(`${INTEGRATION}\nL-new`)).toBe(await ticketId('L-new'));
      expect(ids.get(`${INTEGRATION}\nL-old`)).toBe(existing.ticketIds[0]);
    } finally {
      rival.release();
    }
  });

  it('does not rewrite a running clock that an event leaves as it was', async () => {
    const start = Date.now() - MINUTE;
    const story = new TicketStory('U-1', start).comment('note', start + 30_000, 'agent', false);
    const now = (): IngestBatch => ({ ...delivery([]), receivedAt: Date.now() });
    const first = await ingest.ingest({ ...now(), events: [story.events[0]!] });
    const id = first.ticketIds[0]!;
    const rows = async () =>
      (
        await t.sql.query(
          `SELECT c.metric, c.state, c.xmin::text AS version, c.evaluated_at, t.clock_version
             FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id
            WHERE c.ticket_id = $1 AND c.metric = 'resolution'`,
          [id],
        )
      ).rows[0];
    const before = await rows();
    expect(before.state).toBe('running');
    await new Promise((r) => setTimeout(r, 50));
    await ingest.ingest({ ...now(), events: [story.events[1]!] });
    const after = await rows();
    // Only its live values (used, remaining, % used) moved, and those are recomputed at read time.
    expect(after).toMatchObject({
      state: 'running',
      version: before.version,
      evaluated_at: before.evaluated_at,
    });
    expect(after.clock_version).toBe(before.clock_version + 1);
    const { body } = await t.http().get(`/tickets/${INTEGRATION}/U-1`).expect(200);
    const resolution = (body.clocks as Array<{ metric: string; usedMs: number }>).find(
      (c) => c.metric === 'resolution',
    )!;
    expect(resolution.usedMs).toBeGreaterThanOrEqual(MINUTE);
  });
});
