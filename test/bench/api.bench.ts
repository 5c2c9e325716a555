/**
 * Read API benchmark (`npm run bench:api`). Prints numbers; not a test.
 *
 * Starts this tree's app as a child process (role api) on a fresh database and Redis prefix, seeds BENCH_TICKETS
 * open tickets (default 10,000, each with running first-response and resolution clocks, spread over tiers,
 * priorities and deadlines) and BENCH_CLOSED closed clocks over the last 90 days (default 100,000) straight in SQL,
 * then measures with autocannon (BENCH_SECONDS per route, default 10):
 *  - GET /tickets (1 and 10 connections): the first page by next deadline, with a tier filter, and atRisk=75;
 *  - GET /reports/compliance over 90 days grouped by tier × priority × week (one connection: time per request);
 * and the SSE fan-out: BENCH_SSE_CLIENTS clients (default 500) on GET /events while BENCH_SSE_RATE events a second
 * (default 100) are written to the live-event stream for BENCH_SSE_SECONDS (default 10), as a worker would; the
 * latency is from the write to each client's receipt. BENCH_ONLY=tickets|report|sse runs one part;
 * BENCH_DATABASE_URL keeps a seeded database between runs.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';
import { startAppIn, stopApp, thisTree, waitForHealth } from './baseline-tree.js';

/** autocannon ships no types; just the part used here. */
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number }>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 10_000);
const CLOSED = Number(process.env.BENCH_CLOSED ?? 100_000);
const SSE_CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 500);
const SSE_RATE = Number(process.env.BENCH_SSE_RATE ?? 100);
const SSE_SECONDS = Number(process.env.BENCH_SSE_SECONDS ?? 10);
const PORT = 3311;
const ADMIN_KEY = `bench-${'k'.repeat(40)}`;
const DAY = 86_400_000;

async function seed(sql: pg.Pool): Promise<void> {
  await sql.query(
    `INSERT INTO integrations (id, name, provider, mapping) VALUES ('bench', 'bench', 'generic', '{"defaultPriority":"normal"}')`,
  );
  // Open tickets: deadlines from an hour ago to two days ahead; running clocks on the 24/7 calendar.
  await sql.query(
    `WITH t AS (
       INSERT INTO tickets (integration_id, external_id, status, priority, default_priority, tier, assignee_id,
                            created_at, next_deadline, clock_version, evaluated_at)
       SELECT 'bench', 'open-' || i, 'open', (ARRAY['urgent','high','normal','low'])[1 + i % 4], 'normal',
              (ARRAY['gold','silver','bronze'])[1 + i % 3], 'agent-' || (i % 50),
              now() - interval '1 hour', now() - interval '1 hour' + (i % 2880) * interval '1 minute', 1, now()
       FROM generate_series(1, $1::int) i
       RETURNING id, created_at, next_deadline)
     INSERT INTO ticket_clocks (ticket_id, metric, cycle, state, started_at, target_ms, deadline, used_ms, remaining_ms,
                                percent_used, evaluated_at, calendar_id, time_zone)
     SELECT t.id, m.metric, 0, 'running', t.created_at, m.factor * extract(epoch FROM t.next_deadline - t.created_at) * 1000,
            t.created_at + m.factor * (t.next_deadline - t.created_at), 3600000,
            m.factor * extract(epoch FROM t.next_deadline - t.created_at) * 1000 - 3600000,
            100 * 3600000 / greatest(1, m.factor * extract(epoch FROM t.next_deadline - t.created_at) * 1000),
            now(), '24x7', 'UTC'
     FROM t CROSS JOIN (VALUES ('first_response', 1), ('resolution', 4)) m(metric, factor)`,
    [TICKETS],
  );
  // Closed clocks over 90 days: one ticket each, met or (one in five) breached.
  await sql.query(
    `WITH t AS (
       INSERT INTO tickets (integration_id, external_id, status, priority, default_priority, tier, created_at,
                            clock_version, evaluated_at)
       SELECT 'bench', 'closed-' || i, 'solved', (ARRAY['urgent','high','normal','low'])[1 + i % 4], 'normal',
              (ARRAY['gold','silver','bronze'])[1 + i % 3], now() - (i % 90) * interval '1 day' - (i % 1440) * interval '1 minute',
              1, now()
       FROM generate_series(1, $1::int) i
       RETURNING id, created_at, external_id)
     INSERT INTO ticket_clocks (ticket_id, metric, cycle, state, started_at, target_ms, deadline, stopped_at, used_ms,
                                remaining_ms, percent_used, breached_at, evaluated_at, calendar_id, time_zone)
     SELECT t.id, 'resolution', 0, CASE WHEN n % 5 = 0 THEN 'breached' ELSE 'met' END, t.created_at, 14400000,
            t.created_at + interval '4 hours', t.created_at + (CASE WHEN n % 5 = 0 THEN 300 ELSE 60 + n % 170 END) * interval '1 minute',
            (CASE WHEN n % 5 = 0 THEN 300 ELSE 60 + n % 170 END) * 60000, 0, 100,
            CASE WHEN n % 5 = 0 THEN t.created_at + interval '4 hours' END, now(), '24x7', 'UTC'
     FROM (SELECT *, substring(external_id from 8)::int AS n FROM t) t`,
    [CLOSED],
  );
  await sql.query('ANALYZE tickets; ANALYZE ticket_clocks');
}

async function load(label: string, path: string, connections = 10) {
  const url = `http://127.0.0.1:${PORT}${path}`;
  const probe = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  if (probe.status !== 200)
    throw new Error(`${label}: ${path} answered ${probe.status}: ${await probe.text()}`);
  const result = await autocannon({
    url,
    connections,
    duration: SECONDS,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  return {
    label,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** N SSE clients; every event carries the instant it was written, each client notes when it arrived. */
async function fanOut(streamKey: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SSE_CLIENTS + 10 });
  const latencies: number[] = [];
  const requests: http.ClientRequest[] = [];
  let connected = 0;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < SSE_CLIENTS; i++) {
      const req = http.get(
        `http://127.0.0.1:${PORT}/events?types=clock.changed`,
        { agent, headers: { accept: 'text/event-stream', authorization: `Bearer ${ADMIN_KEY}` } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`GET /events answered ${res.statusCode}`));
          if (++connected === SSE_CLIENTS) resolve();
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              // Only the stamp is read (not the whole event): the clients share one process with the measurement.
              const at = block.indexOf('"sentAt":');
              if (at >= 0) latencies.push(Date.now() - parseInt(block.slice(at + 9, at + 24), 10));
            }
          });
        },
      );
      req.on('error', () => undefined);
      requests.push(req);
    }
  });
  await new Promise((r) => setTimeout(r, 500)); // the hub's reader is listening
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const total = SSE_RATE * SSE_SECONDS;
  const started = Date.now();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / SSE_RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const event = {
      type: 'clock.changed',
      ticketId: '00000000-0000-0000-0000-000000000000',
      integrationId: 'bench',
      externalId: `sse-${n}`,
      tier: 'gold',
      priority: 'high',
      assigneeId: null,
      at: new Date().toISOString(),
      sentAt: Date.now(),
    };
    await redis.xadd(streamKey, 'MAXLEN', '~', '10000', '*', 'e', JSON.stringify(event));
  }
  const expected = total * SSE_CLIENTS;
  const deadline = Date.now() + 15_000;
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const req of requests) req.destroy();
  agent.destroy();
  redis.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { delivered: latencies.length, expected, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN };
}

async function main(): Promise<void> {
  // BENCH_DATABASE_URL: a database to keep between runs (seeded on the first, when it has no tickets).
  const keptDatabase = process.env.BENCH_DATABASE_URL;
  const databaseUrl = keptDatabase ?? freshDatabaseUrl('benchapi');
  const prefix = `benchapi${randomBytes(4).toString('hex')}`;
  const child = startAppIn(thisTree, PORT, {
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: prefix,
    ROLE: 'api',
    LOG_LEVEL: 'error',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    RATE_LIMIT_PER_MINUTE: '0',
  });
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  try {
    await waitForHealth(PORT);
    const seeding = Date.now();
    const [{ n }] = (await sql.query('SELECT count(*)::int AS n FROM tickets')).rows as Array<{ n: number }>;
    if (n === 0) {
      await seed(sql);
      console.log(
        `seeded ${TICKETS} open tickets (2 running clocks each) and ${CLOSED} closed clocks in ${Date.now() - seeding} ms`,
      );
    } else console.log(`${n} tickets already in ${databaseUrl}`);
    if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'report')
      await buildReportRollups(databaseUrl, prefix, sql);
    const from = new Date(Date.now() - 90 * DAY).toISOString();
    const to = new Date().toISOString();
    const only = process.env.BENCH_ONLY;
    const rows = [];
    if (!only || only === 'tickets') {
      // One connection: the latency an agent sees; ten: throughput, and latency while requests queue for 2 cores.
      for (const connections of [1, 10]) {
        rows.push(await load('GET /tickets (first page, next deadline)', '/tickets', connections));
        rows.push(await load('GET /tickets?tier=gold', '/tickets?tier=gold', connections));
        rows.push(await load('GET /tickets?atRisk=75', '/tickets?atRisk=75', connections));
      }
    }
    if (!only || only === 'report')
      rows.push(
        await load(
          'GET /reports/compliance (90 days, tier × priority × week)',
          `/reports/compliance?from=${from}&to=${to}&groupBy=tier,priority,week`,
          1,
        ),
      );
    console.log(`\n${SECONDS} s each\n`);
    console.log('| route | connections | requests/s | p50 ms | p99 ms | non-2xx |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of rows)
      console.log(`| ${r.label} | ${r.connections} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);

    if (only && only !== 'sse') return;
    const sse = await fanOut(`{${prefix}}:live-events`);
    console.log(
      `\nSSE fan-out: ${SSE_CLIENTS} clients, ${SSE_RATE} events/s for ${SSE_SECONDS} s: ` +
        `${sse.delivered}/${sse.expected} deliveries, latency p50 ${sse.p50} ms, p99 ${sse.p99} ms, max ${sse.max} ms`,
    );
  } finally {
    await stopApp(child);
    await sql.end();
    await redis.del(`{${prefix}}:live-events`).catch(() => undefined);
    redis.disconnect();
    if (!keptDatabase) await dropDatabase(databaseUrl);
  }
}

/**
 * The API process does not build the reports' daily rollups (worker processes do): a worker runs until every day
 * before today is built, as it would in production between the clocks' changes and a manager's report.
 */
const ROLLUP_BUILD_LIMIT_MS = 10 * 60_000;

async function buildReportRollups(databaseUrl: string, prefix: string, sql: pg.Pool): Promise<void> {
  const started = Date.now();
  const worker = startAppIn(thisTree, PORT + 1, {
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: prefix,
    ROLE: 'worker',
    LOG_LEVEL: 'error',
    REPORT_ROLLUP_SECONDS: '1',
  });
  try {
    while (Date.now() - started < ROLLUP_BUILD_LIMIT_MS) {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS stale, (SELECT count(*)::int FROM report_rollup) AS rolled
         FROM report_dirty_days WHERE day < (now() AT TIME ZONE 'UTC')::date`,
      );
      if (rows[0].stale === 0) {
        console.log(`report rollups ready in ${Date.now() - started} ms (${rows[0].rolled} rows)`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`report rollups not built within ${ROLLUP_BUILD_LIMIT_MS / 1000} s`);
  } finally {
    await stopApp(worker);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
