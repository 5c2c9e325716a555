import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryProcessor } from '../../src/webhooks/delivery-processor.service.js';
import { replayDeliveries, selectReplay } from '../../src/webhooks/replay-selection.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';
import { itLeavesWriteDigestsTrue } from '../support/write-digests.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INTEGRATION = 'replaydesk';

const POLICY = {
  id: 'standard',
  name: 'Standard',
  position: 10,
  targets: {
    normal: { reaction: { minutes: 60 }, first_response: { minutes: 120 }, resolution: { minutes: 480 } },
  },
};

/**
 * Replay after a mapping fix (the example): deliveries stored while a custom status was mapped
 * to the wrong canonical status are re-normalised under the fixed mapping, their events replaced
 * (ids kept), and the clocks follow. The test calls the functions the CLI (`npm run replay`) calls.
 */
describe('replay rebuilds stored deliveries under the current mapping', () => {
  let t: TestApp;
  const created = Date.now() - 10 * HOUR;
  const http = () => t.http();
  const at = (ms: number) => new Date(created + ms).toISOString();
  const agent = { role: 'agent' as const, id: 'a-1' };

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'all' });
    await http().post('/policies').send(POLICY).expect(201);
    // Wrong: "Waiting on customer" should pause resolution (pending), not count as open.
    await createGenericIntegration(t, INTEGRATION, {
      defaultPriority: 'normal',
      statuses: { 'waiting on customer': 'open' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const event = (key: string, ms: number, status: string, extra: object = {}) =>
    canonicalEvent({
      eventId: `R-1-${key}`,
      ticketId: 'R-1',
      type: ms === 0 ? 'ticket.created' : 'ticket.updated',
      occurredAt: at(ms),
      createdAt: at(0),
      status,
      priority: 'normal',
      actor: agent,
      ...extra,
    });
  const resolution = async () => {
    const res = await http().get(`/tickets/${INTEGRATION}/R-1`).expect(200);
    return res.body.clocks.find((c: { metric: string }) => c.metric === 'resolution');
  };
  const storedEvents = async () =>
    (
      await t.sql.query(
        `SELECT id, event_id, snapshot->>'status' AS status FROM ticket_events WHERE integration_id = $1 ORDER BY occurred_at`,
        [INTEGRATION],
      )
    ).rows;

  it('replaces the events under the fixed mapping, keeps their ids, retries dead deliveries and recomputes the clocks', async () => {
    const deliveries = [
      event('created', 0, 'new', { actor: { role: 'customer' } }),
      event('reply', 20 * MINUTE, 'open', {
        type: 'comment.created',
        comment: { id: 'c1', public: true, authorRole: 'agent' },
      }),
      event('waiting', 1 * HOUR, 'Waiting on customer'),
      event('answered', 3 * HOUR, 'open', { actor: { role: 'customer' } }),
      // Unknown under the old mapping: dead-lettered.
      event('escalated', 4 * HOUR, 'Escalated'),
      event('solved', 6 * HOUR, 'solved'),
    ];
    const ids: string[] = [];
    for (const d of deliveries) ids.push((await postSigned(t, INTEGRATION, d).expect(202)).body.deliveryId);
    await waitFor(async () => {
      const { rows } = await t.sql.query(
        `SELECT count(*)::int AS n FROM inbox_deliveries WHERE id = ANY($1::bigint[]) AND status IN ('processed', 'dead')`,
        [ids],
      );
      return rows[0].n === ids.length;
    });
    const before = await storedEvents();
    expect(before.map((e) => e.status)).toEqual(['new', 'open', 'open', 'open', 'solved']);
    // Under the wrong mapping nothing paused: 6 h of resolution time.
    expect(await resolution()).toMatchObject({ state: 'met', usedMs: 6 * HOUR });

    await http()
      .put(`/integrations/${INTEGRATION}`)
      .send({
        mapping: {
          defaultPriority: 'normal',
          statuses: { 'waiting on customer': 'pending', escalated: 'open' },
        },
      })
      .expect(200);
    const processor = t.app.get(DeliveryProcessor);
    const selected = await selectReplay(t.app.get(DataSource), { integrationId: INTEGRATION });
    expect(selected).toEqual(ids);
    const progress: number[] = [];
    const totals = await replayDeliveries(processor, selected, (done) => progress.push(done));
    expect(totals).toEqual({ processed: 6, failed: 0, dead: 0, events: 6 });
    expect(progress.at(-1)).toBe(6);

    const after = await storedEvents();
    expect(after.map((e) => e.status)).toEqual(['new', 'open', 'pending', 'open', 'open', 'solved']);
    // Stable ids: the events that existed keep theirs (their arrival order); the formerly dead one is new.
    const escalated = after.find((e) => e.event_id === 'R-1-escalated');
    expect(after.filter((e) => e !== escalated).map((e) => [e.id, e.event_id])).toEqual(
      before.map((e) => [e.id, e.event_id]),
    );
    expect(Number(escalated.id)).toBeGreaterThan(Math.max(...before.map((e) => Number(e.id))));
    // Paused for the 2 h it was waiting on the customer.
    expect(await resolution()).toMatchObject({ state: 'met', usedMs: 4 * HOUR });
    const { rows } = await t.sql.query(
      `SELECT status, count(*)::int AS n FROM inbox_deliveries WHERE integration_id = $1 GROUP BY status`,
      [INTEGRATION],
    );
    expect(rows).toEqual([{ status: 'processed', n: 6 }]);
  });

  itLeavesWriteDigestsTrue(() => t.sql);
});
