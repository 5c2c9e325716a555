import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';
import { DeliveryProcessor } from '../../src/webhooks/delivery-processor.service.js';
import { DeliveryRetention } from '../../src/webhooks/delivery-retention.js';
import { countPruned, selectReplay } from '../../src/webhooks/replay-selection.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { dropDatabase, freshDatabaseUrl, startTestApp, type TestApp } from '../support/test-app.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';

const DESK = 'ret-desk';

/**
 * Delivery retention against the real app and PostgreSQL: bodies and headers of finished deliveries older than
 * DELIVERY_RETENTION_DAYS are removed by a locked pass that survives an outage; rows, events and clocks stay, and a
 * pruned delivery cannot be retried or replayed.
 */
describe('delivery retention', () => {
  let t: TestApp;
  let pgProxy: TcpProxy;
  const databaseUrl = freshDatabaseUrl('retention');
  const http = () => t.http();
  const retention = () => t.app.get(DeliveryRetention);
  const row = async (id: string) =>
    (
      await t.sql.query(
        `SELECT status, octet_length(body)::int AS bytes, headers, pruned_at FROM inbox_deliveries WHERE id = $1`,
        [id],
      )
    ).rows[0] as { status: string; bytes: number; headers: object; pruned_at: Date | null };
  const backdate = (id: string, days: number) =>
    t.sql.query(`UPDATE inbox_deliveries SET received_at = now() - make_interval(days => $2) WHERE id = $1`, [
      id,
      days,
    ]);
  const eventCount = async () =>
    (await t.sql.query(`SELECT count(*)::int AS n FROM ticket_events WHERE integration_id = $1`, [DESK]))
      .rows[0].n as number;
  const status = async (id: string) => (await row(id)).status;

  let processed: string; // received 31 days ago
  let recent: string; // 29 days ago
  let dead: string; // 31 days ago, dead-lettered

  beforeAll(async () => {
    pgProxy = await new TcpProxy(5432).start();
    t = await startTestApp({ DATABASE_URL: pgProxy.url(databaseUrl), DELIVERY_RETENTION_DAYS: 30 });
    await createGenericIntegration(t, DESK);
    const at = new Date(Date.now() - 60_000).toISOString();
    const post = async (event: Record<string, unknown>) =>
      (await postSigned(t, DESK, event).expect(202)).body.deliveryId as string;
    processed = await post(canonicalEvent({ eventId: 'ret-1', ticketId: 'RET-1', occurredAt: at }));
    recent = await post(canonicalEvent({ eventId: 'ret-2', ticketId: 'RET-2', occurredAt: at }));
    const unknownStatus = canonicalEvent({ eventId: 'ret-3', ticketId: 'RET-3', occurredAt: at });
    (unknownStatus.ticket as Record<string, unknown>).status = 'Waiting';
    dead = await post(unknownStatus);
    await waitFor(
      async () =>
        (await status(processed)) === 'processed' &&
        (await status(recent)) === 'processed' &&
        (await status(dead)) === 'dead',
    );
    await backdate(processed, 31);
    await backdate(recent, 29);
    await backdate(dead, 31);
  });
  afterAll(async () => {
    await pgProxy?.restore();
    await t?.close();
    await pgProxy?.cut();
    await dropDatabase(databaseUrl);
  });

  it('removes the body and headers of finished deliveries past the retention period; the rows, events and clocks stay', async () => {
    const events = await eventCount();
    const ticketBefore = (await http().get(`/tickets/${DESK}/RET-1`).expect(200)).body;
    expect(events).toBeGreaterThan(0);

    expect(await retention().prune()).toBe(2);

    for (const id of [processed, dead]) {
      const r = await row(id);
      expect(r).toMatchObject({ bytes: 0, headers: {} });
      expect(r.pruned_at).toBeInstanceOf(Date);
    }
    expect((await row(processed)).status).toBe('processed');
    expect((await row(dead)).status).toBe('dead');
    const kept = await row(recent);
    expect(kept.bytes).toBeGreaterThan(0);
    expect(kept.pruned_at).toBeNull();

    expect(await eventCount()).toBe(events);
    const ticketAfter = (await http().get(`/tickets/${DESK}/RET-1`).expect(200)).body;
    expect(ticketAfter.clocks).toEqual(ticketBefore.clocks);

    const list = await http().get(`/webhooks/deliveries?integrationId=${DESK}`).expect(200);
    const shown = list.body.find((d: { id: string }) => d.id === processed);
    expect(shown).toMatchObject({ status: 'processed', bodyBytes: 0, prunedAt: expect.any(String) });
    expect(list.body.find((d: { id: string }) => d.id === recent)).toMatchObject({ prunedAt: null });

    expect(await retention().prune()).toBe(0);
  });

  it('answers 409 delivery_pruned to a retry of a pruned delivery, and replay leaves pruned deliveries and their events alone', async () => {
    const retry = await http().post(`/webhooks/deliveries/${dead}/retry`).expect(409);
    expect(retry.body).toEqual({
      error: 'delivery_pruned',
      message: expect.stringMatching(/body was removed.*DELIVERY_RETENTION_DAYS/),
      requestId: expect.any(String),
    });
    expect((await row(dead)).status).toBe('dead');

    const dataSource = t.app.get(DataSource);
    const selected = await selectReplay(dataSource, { integrationId: DESK });
    expect(selected).toEqual([recent]);
    expect(await countPruned(dataSource, { integrationId: DESK })).toBe(2);
    const events = await eventCount();
    // Even asked directly, the processor does not claim a pruned delivery (an empty body would wipe its events).
    expect(await t.app.get(DeliveryProcessor).process([processed], { force: true, rebuild: true })).toEqual(
      [],
    );
    expect(await eventCount()).toBe(events);
    expect((await row(processed)).status).toBe('processed');
  });

  it('runs one pass at a time across processes (advisory lock)', async () => {
    await backdate(recent, 31);
    const other = await t.sql.connect();
    try {
      await other.query('SELECT pg_advisory_lock(734190111)');
      expect(await retention().prune()).toBe(0);
      expect((await row(recent)).pruned_at).toBeNull();
      await other.query('SELECT pg_advisory_unlock(734190111)');
    } finally {
      other.release();
    }
    expect(await retention().prune()).toBe(1);
  });

  it('survives a database outage: the pass is skipped, the process stays up, the next pass works', async () => {
    await pgProxy.cut();
    try {
      expect(await retention().prune()).toBe(0);
    } finally {
      await pgProxy.restore();
    }
    await waitFor(async () => (await http().get('/health')).status === 200);
    expect(await retention().prune()).toBe(0);
  });

  it('lets only admins read deliveries', async () => {
    for (const role of ['agent', 'manager'] as const) {
      const key = await t.keyFor(role);
      const res = await http().get('/webhooks/deliveries').set('authorization', `Bearer ${key}`).expect(403);
      expect(res.body.error).toBe('insufficient_role');
      await http()
        .post(`/webhooks/deliveries/${dead}/retry`)
        .set('authorization', `Bearer ${key}`)
        .expect(403);
    }
  });

  it('validates DELIVERY_RETENTION_DAYS (0 keeps bodies for ever)', () => {
    expect(loadConfig({ DELIVERY_RETENTION_DAYS: '0' }).DELIVERY_RETENTION_DAYS).toBe(0);
    expect(loadConfig({}).DELIVERY_RETENTION_DAYS).toBe(30);
    expect(() => loadConfig({ DELIVERY_RETENTION_DAYS: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ DELIVERY_RETENTION_DAYS: 'thirty' })).toThrow(/DELIVERY_RETENTION_DAYS/);
  });
});
