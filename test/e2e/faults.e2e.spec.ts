import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildApp, startChildApp } from '../support/child-app.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';
import { countByStatus, type LoadOutcome, WebhookLoad } from '../support/webhook-load.js';
import { SECRET, waitFor } from '../webhooks/webhook-test-kit.js';

const DESK = 'fault-desk';
const SHUTDOWN_TIMEOUT_MS = 6_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Faults under load, against the application running as its own process (so that a crash shows as a dead child,
 * not a dead test run): PostgreSQL and Redis cut and restored behind TCP proxies while senders keep posting, a
 * client trickling its body, and SIGTERM in the middle of traffic. The rules: the process stays up, nothing hangs,
 * no 500, every delivery answered 202 is stored and, in the end, processed exactly once.
 */
describe('faults under webhook load (app in a child process)', () => {
  const databaseUrl = freshDatabaseUrl('faults');
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  sql.on('error', () => undefined);
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let app: ChildApp;
  const apps: ChildApp[] = [];
  const encryptionKey = randomBytes(32).toString('hex');
  const adminKey = `sla_fault_admin_${randomBytes(24).toString('hex')}`;

  const start = async () => {
    const started = await startChildApp({
      DATABASE_URL: pgProxy.url(databaseUrl),
      REDIS_URL: redisProxy.url('redis://127.0.0.1:6379'),
      DATABASE_POOL_SIZE: '8',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      WORKER_ID: 'fault-worker',
      ENCRYPTION_KEY: encryptionKey,
      BOOTSTRAP_ADMIN_KEY: adminKey,
    });
    apps.push(started);
    return started;
  };

  /** Every delivery answered 202 is stored; then all stored ones end processed, each event once. */
  const expectNothingLost = async (outcomes: LoadOutcome[]) => {
    const accepted = outcomes.filter((o) => o.status === 202).map((o) => o.deliveryId!);
    expect(accepted.length).toBeGreaterThan(0);
    const { rows } = await sql.query(`SELECT id::text FROM inbox_deliveries WHERE id::text = ANY($1)`, [
      accepted,
    ]);
    expect(rows.length).toBe(new Set(accepted).size);
    const statuses = async () =>
      Object.fromEntries(
        (await sql.query(`SELECT status, count(*)::int AS n FROM inbox_deliveries GROUP BY status`)).rows.map(
          (r) => [r.status, r.n],
        ),
      );
    await waitFor(async () => Object.keys(await statuses()).join() === 'processed', 90_000).catch(
      async (error: Error) => {
        throw new Error(`${error.message}: deliveries by status ${JSON.stringify(await statuses())}`);
      },
    );
    const events = await sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_n FROM ticket_events`,
    );
    const stored = await sql.query(`SELECT count(*)::int AS n FROM inbox_deliveries`);
    expect(events.rows[0]).toEqual({ n: stored.rows[0].n, distinct_n: stored.rows[0].n });
  };

  beforeAll(async () => {
    pgProxy = await new TcpProxy(5432).start();
    redisProxy = await new TcpProxy(6379).start();
    app = await start();
    const created = await app.api('POST', '/integrations', {
      id: DESK,
      name: 'Fault desk',
      provider: 'generic',
      secret: SECRET,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }, 120_000);

  afterAll(async () => {
    for (const a of apps) a.kill();
    await pgProxy?.cut();
    await redisProxy?.cut();
    await sql.end();
    await dropDatabase(databaseUrl);
  });

  it('PostgreSQL cut under load: 503 with Retry-After, logged once per interval, no 500, no hang, nothing lost', async () => {
    const load = new WebhookLoad(app.url, DESK, SECRET, 'pgcut').start(8);
    await sleep(1_500);
    await pgProxy.cut();
    await sleep(4_000);
    await pgProxy.restore();
    await sleep(4_000);
    const outcomes = await load.stop();
    const counts = countByStatus(outcomes);
    expect(app.running(), app.output()).toBe(true);
    expect(Object.keys(counts).sort(), JSON.stringify(counts)).toEqual(['202', '503']);
    expect(outcomes.filter((o) => o.status === 503).every((o) => o.retryAfter === '5')).toBe(true);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(10_000);
    // Recovered by itself: the last answers are 202 again.
    expect(
      outcomes.slice(-8).every((o) => o.status === 202),
      JSON.stringify(outcomes.slice(-8)),
    ).toBe(true);
    // The cause is logged, but once per interval rather than once per refused request.
    const outageLines = app
      .output()
      .split('\n')
      .filter((l) => /database_unavailable|PostgreSQL .*unavailable|not reachable/i.test(l));
    expect(outageLines.length).toBeGreaterThan(0);
    expect(outageLines.length).toBeLessThan(Math.max(10, counts[503] / 10));
    await expectNothingLost(outcomes);
  }, 180_000);

  it('Redis cut under load: intake keeps storing and answering at once, then everything is processed', async () => {
    const load = new WebhookLoad(app.url, DESK, SECRET, 'rediscut').start(8);
    await sleep(1_500);
    await redisProxy.cut();
    const cutAt = load.outcomes.length;
    await sleep(4_000);
    const duringCut = load.outcomes.slice(cutAt);
    await redisProxy.restore();
    await sleep(2_000);
    const outcomes = await load.stop();
    expect(app.running(), app.output()).toBe(true);
    const counts = countByStatus(outcomes);
    expect(Object.keys(counts), JSON.stringify(counts)).toEqual(['202']);
    expect(duringCut.filter((o) => o.status === 202).length).toBeGreaterThan(20);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(3_000);
    await expectNothingLost(outcomes);
  }, 180_000);

  it('cuts off a client that trickles its body', async () => {
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(app.port, '127.0.0.1', () => {
        socket.write(
          `POST /webhooks/${DESK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
        );
        const drip = setInterval(() => socket.writable && socket.write(' '), 300);
        socket.on('close', () => clearInterval(drip));
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => undefined);
    });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(app.running()).toBe(true);
  }, 30_000);

  it('SIGTERM under load: exits within the bound and every 202 is stored, then processed after a restart', async () => {
    const load = new WebhookLoad(app.url, DESK, SECRET, 'sigterm').start(8);
    await sleep(2_000);
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    const code = await app.exited(SHUTDOWN_TIMEOUT_MS + 3_000);
    const tookMs = Date.now() - signalledAt;
    const outcomes = await load.stop();
    expect(code, app.output()).not.toBe('timeout');
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1_000);
    const counts = countByStatus(outcomes);
    // Senders see 202 until the port closes, then refusals (a helpdesk retries those); never a 500 or a hang.
    expect(
      Object.keys(counts).filter((s) => !['202', '503', 'refused'].includes(s)),
      JSON.stringify(counts),
    ).toEqual([]);
    expect(counts[202]).toBeGreaterThan(50);
    const accepted = outcomes.filter((o) => o.status === 202).map((o) => o.deliveryId!);
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM inbox_deliveries WHERE id::text = ANY($1)`,
      [accepted],
    );
    expect(rows[0].n).toBe(accepted.length);
    // The same worker id comes back: whatever it had claimed when it stopped is taken up at once.
    app = await start();
    await expectNothingLost(outcomes);
  }, 180_000);
});
