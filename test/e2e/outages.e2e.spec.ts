import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl, startTestApp, type TestApp } from '../support/test-app.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';

const DESK = 'outage-desk';

/**
 * PostgreSQL and Redis vanish and come back (a proxy in front of each is cut and restored): the process stays up,
 * requests answer 503 with Retry-After instead of hanging or failing with 500, intake keeps storing while Redis is
 * away, and everything accepted is processed once things are back.
 */
describe('outages', () => {
  let t: TestApp;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let n = 0;
  const databaseUrl = freshDatabaseUrl('outages');
  const http = () => t.http();
  const deliver = () => {
    n++;
    const at = new Date(Date.now() - 60_000).toISOString();
    return postSigned(t, DESK, canonicalEvent({ eventId: `out-${n}`, ticketId: `OUT-${n}`, occurredAt: at }));
  };
  const processedTickets = async () =>
    (await t.sql.query(`SELECT count(*)::int AS n FROM tickets WHERE integration_id = $1`, [DESK])).rows[0]
      .n as number;

  beforeAll(async () => {
    pgProxy = await new TcpProxy(5432).start();
    redisProxy = await new TcpProxy(6379).start();
    t = await startTestApp({
      DATABASE_URL: pgProxy.url(databaseUrl),
      REDIS_URL: redisProxy.url('redis://127.0.0.1:6379'),
    });
    await createGenericIntegration(t, DESK);
  });
  afterAll(async () => {
    await pgProxy?.restore();
    await redisProxy?.restore();
    await t?.close();
    await pgProxy?.cut();
    await redisProxy?.cut();
    await dropDatabase(databaseUrl);
  });

  it('answers 503 with Retry-After while PostgreSQL is away, never 500 or a hang, and recovers by itself', async () => {
    await deliver().expect(202);
    await pgProxy.cut();
    const started = Date.now();
    const during = await deliver();
    expect(during.status).toBe(503);
    expect(during.headers['retry-after']).toBe('5');
    expect(during.body).toMatchObject({
      error: 'database_unavailable',
      message: expect.stringContaining('Retry'),
    });
    expect(Date.now() - started).toBeLessThan(7_000);
    const api = await http().get('/tiers');
    expect(api.status).toBe(503);
    expect(api.headers['retry-after']).toBe('5');
    // Background rounds (reconcilers, timers) fail quietly meanwhile; the process is still here.
    await new Promise((r) => setTimeout(r, 1_000));
    await pgProxy.restore();
    await waitFor(async () => (await deliver()).status === 202, 20_000);
    await waitFor(async () => (await processedTickets()) >= 2, 20_000);
  }, 60_000);

  it('keeps storing deliveries while Redis is away, without waiting for it, and processes them when it is back', async () => {
    const before = await processedTickets();
    await redisProxy.cut();
    const started = Date.now();
    const answers = await Promise.all([deliver(), deliver(), deliver()]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(Date.now() - started).toBeLessThan(3_000);
    const { rows } = await t.sql.query(
      `SELECT count(*)::int AS n FROM inbox_deliveries WHERE integration_id = $1 AND status = 'pending'`,
      [DESK],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(3);
    await redisProxy.restore();
    await waitFor(async () => (await processedTickets()) >= before + 3, 30_000);
  }, 60_000);
});
