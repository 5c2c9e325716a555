/**
 * Timers benchmark (`npm run bench:timers`). Prints numbers; not a test.
 *
 * One app process (ROLE=all) on a fresh database and Redis prefix:
 *   1. OPEN tickets (default 100,000) with running clocks whose deadlines are spread over hours to days, loaded
 *      through the ingest service: Redis memory used by the timers per open clock (only steps within the horizon
 *      have a delayed job; the rest wait in PostgreSQL).
 *   2. Spread: 10,000 tickets whose breaches fall due over 20 s → lateness (recorded − deadline) p50/p99/max.
 *   3. Burst, BENCH_BURSTS times (default 3): 10,000 tickets breaching at the same instant → time until the last
 *      is recorded, against a bare BullMQ burst of the same size (a worker that does nothing) drained just before it.
 *      The ratio goal is judged on the median: this machine's speed drifts by tens of percent within minutes, so each
 *      burst is compared with a baseline measured seconds, not minutes, away.
 *   4. A calendar edit that moves every open deadline → time until every open ticket is re-evaluated and its
 *      timer re-placed.
 *   5. Baseline for the spread: bare BullMQ, the same due times, a no-op worker → its lateness, and the ratio.
 * The database is vacuumed and analysed after the load and before each burst, as autovacuum keeps a database that has
 * been running. Each burst also prints the CPU time that Node, PostgreSQL and Redis used during it (Linux) and the
 * WAL it wrote.
 * BENCH_OPEN and BENCH_DUE shrink the populations for a quick run; BENCH_ONLY=spread|burst|edit runs that part
 * (after the load); BENCH_CPU_PROFILE=<file> writes the first burst's CPU profile; BENCH_PG_STATEMENTS=1 prints its
 * statements by PostgreSQL time (the server must load pg_stat_statements); BENCH_KEEP_DATABASE=1 keeps the database
 * at the end, to look into with EXPLAIN.
 */
import 'reflect-metadata';
import { Queue, Worker } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { createApp, prepareInfrastructure } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app-config.js';
import { redisConnectionOptions } from '../../src/common/redis-connection.js';
import type { NormalisedEvent } from '../../src/webhooks/providers/provider-adapter.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';

const OPEN = Number(process.env.BENCH_OPEN ?? 100_000);
const DUE = Number(process.env.BENCH_DUE ?? 10_000);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const INTEGRATION = 'bench';
const ONLY = process.env.BENCH_ONLY;
const BURSTS = Number(process.env.BENCH_BURSTS ?? 3);
const KEEP_DATABASE = process.env.BENCH_KEEP_DATABASE === '1';
const runs = (part: 'spread' | 'burst' | 'edit') => !ONLY || ONLY === part;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const databaseUrl = freshDatabaseUrl('timers_bench');
const prefix = `tbench${randomBytes(3).toString('hex')}`;
const config = {
  ...loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' }),
  DATABASE_URL: databaseUrl,
  QUEUE_PREFIX: prefix,
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  TIMER_SCAN_SECONDS: 5,
  BOOTSTRAP_ADMIN_KEY: `bench-${randomBytes(24).toString('hex')}`,
};

function created(id: string, createdAt: number, priority: 'urgent' | 'normal'): NormalisedEvent {
  return {
    id: `${id}-created`,
    type: 'ticket.created',
    occurredAt: createdAt,
    externalTicketId: id,
    ticket: { id, createdAt, status: 'open', priority },
    actor: { role: 'customer', id: 'c' },
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

async function redisBytes(redis: Redis, pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      keys++;
      bytes += (await redis.memory('USAGE', key)) ?? 0;
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (batch.length > 0) await redis.del(...batch);
  } while (cursor !== '0');
}

async function main(): Promise<void> {
  await prepareInfrastructure(config);
  const app = await createApp(config, false);
  const sql = app.get(DataSource);
  const ingest = app.get(TicketIngestService);
  const redis = new Redis(config.REDIS_URL);
  const statements = pgStatements(sql);
  try {
    await sql.query(
      `INSERT INTO integrations (id, name, provider, mapping) VALUES ($1, $1, 'generic', '{"defaultPriority":"normal"}')`,
      [INTEGRATION],
    );
    const http = await app.listen({ port: 0, host: '127.0.0.1' }).then(() => app.getUrl());
    const put = (path: string, body: object) =>
      fetch(`${http}${path}`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${config.BOOTSTRAP_ADMIN_KEY}`,
        },
        body: JSON.stringify(body),
      });
    const office = (end: string) => ({
      name: 'Office',
      timeZone: 'Europe/Berlin',
      weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: '08:00', end })),
    });
    await put('/calendars/office', office('18:00'));
    const policy = await put('/policies/bench', {
      name: 'Bench',
      position: 0,
      targets: {
        urgent: { first_response: { minutes: 1 } },
        normal: {
          reaction: { minutes: 240, calendarId: 'office', warnAtPercent: [75] },
          first_response: { minutes: 480, calendarId: 'office', warnAtPercent: [75, 90] },
          resolution: { businessDays: 5, calendarId: 'office' },
        },
      },
    });
    if (!policy.ok) throw new Error(`policy: ${policy.status} ${await policy.text()}`);

    // 1. Open tickets with deadlines hours to days away.
    const t0 = Date.now();
    const BATCH = 500;
    for (let i = 0; i < OPEN; i += BATCH) {
      const now = Date.now();
      await ingest.ingestMany(
        Array.from({ length: Math.min(BATCH, OPEN - i) }, (_, k) => ({
          integrationId: INTEGRATION,
          defaultPriority: 'normal' as const,
          events: [created(`open-${i + k}`, now - ((i + k) % 3600) * SECOND, 'normal')],
          receivedAt: now,
        })),
      );
    }
    const loadS = (Date.now() - t0) / 1000;
    const [{ clocks }] = await sql.query(
      `SELECT count(*)::int AS clocks FROM ticket_clocks WHERE state IN ('running', 'paused')`,
    );
    await sleep(6 * SECOND); // a reconciler pass
    await vacuumAnalyze();
    const memory = await redisBytes(redis, `{${prefix}}*`);
    console.log(`open: ${OPEN} tickets, ${clocks} open clocks loaded in ${loadS.toFixed(1)} s`);
    console.log(
      `redis for timers: ${memory.keys} keys, ${memory.bytes} bytes = ${(memory.bytes / clocks).toFixed(1)} bytes per open clock (goal < 100)`,
    );

    // 2. Spread: breaches due over 20 s, starting 15 s from now.
    let spread: Lateness | undefined;
    if (runs('spread')) {
      const spreadStart = Date.now() + 15 * SECOND;
      const spreadDue = Array.from(
        { length: DUE },
        (_, i) => spreadStart + Math.floor((i * 20 * SECOND) / DUE),
      );
      const afterStep = await lastStepId();
      await loadDue('spread', spreadDue);
      await waitRecorded('spread', DUE, spreadStart + 20 * SECOND + 30 * SECOND, afterStep);
      spread = await lateness('spread');
      console.log(
        `spread (${DUE} over 20 s): lateness p50 ${fmt(spread.p50)}, p99 ${fmt(spread.p99)}, max ${fmt(spread.max)} (goal p99 < 250 ms)`,
      );
    }
    // 3. Burst: all at one instant, BURSTS times, each right after a bare BullMQ burst of the same size: this
    // machine's speed drifts by tens of percent within minutes, so each ratio compares two drains a few seconds apart.
    const bursts: Array<{ burst: Lateness; bare: number }> = [];
    for (let round = 1; runs('burst') && round <= BURSTS; round++) {
      await vacuumAnalyze();
      const bare = await bareBurst(DUE);
      const burstAt = Date.now() + 15 * SECOND;
      const afterStep = await lastStepId();
      const label = `burst-${round}`;
      await loadDue(label, Array(DUE).fill(burstAt));
      const stopProfile = round === 1 ? await cpuProfileFrom(burstAt - 50) : async () => undefined;
      if (round === 1) await statements.reset();
      await sleep(burstAt - Date.now());
      const cpuBefore = cpuByCommand();
      const [{ lsn }] = await sql.query('SELECT pg_current_wal_lsn() AS lsn');
      await waitRecorded(label, DUE, burstAt + 120 * SECOND, afterStep);
      const cpuAfter = cpuByCommand();
      const [{ wal }] = await sql.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 AS wal', [
        lsn,
      ]);
      await stopProfile();
      if (round === 1) await statements.print();
      const burst = await lateness(label);
      bursts.push({ burst, bare });
      const cpu = ['node', 'postgres', 'redis-server'].map(
        (command) => `${command} ${fmt((cpuAfter.get(command) ?? 0) - (cpuBefore.get(command) ?? 0))}`,
      );
      console.log(
        `burst ${round} (${DUE} at one instant): all recorded ${fmt(burst.max)} after the deadline (p50 ${fmt(burst.p50)}); ` +
          `bare BullMQ drained the same burst in ${fmt(bare)} just before: ${(burst.max / bare).toFixed(2)}×` +
          (cpuAfter.size > 0 ? `; CPU time ${cpu.join(', ')}` : '') +
          `; WAL ${(wal / 1e6).toFixed(0)} MB`,
      );
    }
    // 4. A calendar edit moves every open deadline: every open ticket re-evaluated, its timer re-placed.
    if (runs('edit')) {
      const editStart = Date.now();
      await put('/calendars/office', office('17:00'));
      const [{ revision }] = await sql.query('SELECT revision FROM config_revision WHERE id = 1');
      // Every ticket whose clocks can still change: the open ones and the breached ones still counting.
      const [{ candidates }] = await sql.query(
        `SELECT count(*)::int AS candidates FROM tickets WHERE config_revision < $1`,
        [revision],
      );
      for (;;) {
        const [{ left }] = await sql.query(
          `SELECT count(*)::int AS left FROM tickets WHERE config_revision < $1`,
          [revision],
        );
        if (left === 0) break;
        await sleep(250);
      }
      console.log(
        `calendar edit: ${candidates} tickets with clocks still counting (${OPEN} open + the breached ones) re-evaluated and their timers re-placed in ${((Date.now() - editStart) / 1000).toFixed(1)} s`,
      );
    }
    // 5. Baseline: bare BullMQ with the same spread of due times and a worker that does nothing.
    if (spread) {
      const bare = await bareSpread(DUE);
      console.log(
        `baseline (bare BullMQ, no-op worker): spread p50 ${fmt(bare.p50)}, p99 ${fmt(bare.p99)}, max ${fmt(bare.max)}`,
      );
      console.log(`ratio: spread p99 ${(spread.p99 / bare.p99).toFixed(2)}× the baseline's`);
    }
    if (bursts.length > 0) {
      const ratios = bursts.map((b) => b.burst.max / b.bare).sort((a, b) => a - b);
      console.log(
        `ratio: burst ${quantile(ratios, 0.5).toFixed(2)}× the bare drain (median of ${ratios.length}; each: ` +
          `${bursts.map((b) => (b.burst.max / b.bare).toFixed(2)).join(', ')}; goal ≤ 3×)`,
      );
    }
  } finally {
    await app.close();
    // The app's queues and live-event stream under this run's prefix (tens of megabytes after a burst).
    await deleteKeys(redis, `{${prefix}}*`);
    redis.disconnect();
    if (KEEP_DATABASE) console.log(`database kept: ${databaseUrl}`);
    else await dropDatabase(databaseUrl);
  }

  async function loadDue(label: string, dues: number[]): Promise<void> {
    for (let i = 0; i < dues.length; i += BATCH_DUE) {
      const now = Date.now();
      await ingest.ingestMany(
        dues.slice(i, i + BATCH_DUE).map((due, k) => ({
          integrationId: INTEGRATION,
          defaultPriority: 'normal' as const,
          // A 1-minute target: created a minute before the wanted deadline.
          events: [created(`${label}-${i + k}`, due - MINUTE, 'urgent')],
          receivedAt: now,
        })),
      );
    }
  }

  async function waitRecorded(label: string, count: number, until: number, afterStep: string): Promise<void> {
    for (;;) {
      // The breaches recorded since the part began, a range of the primary key: this poll shares PostgreSQL with the
      // part it waits for, so it must stay cheap (joined to the tickets by label it cost 10 % of a burst's
      // PostgreSQL time). Nothing else falls due meanwhile; lateness() checks the label's count.
      const [{ n }] = await sql.query(
        `SELECT count(*)::int AS n FROM sla_steps WHERE id > $1 AND step = 'breach'`,
        [afterStep],
      );
      if (n >= count) return;
      if (Date.now() > until) throw new Error(`${label}: only ${n} of ${count} breaches recorded`);
      await sleep(250);
    }
  }

  /**
   * The tables as autovacuum keeps them in a database that has been running: this one was created minutes ago, and
   * with a table's statistics still saying "empty" the planner reads all of it where an index lookup is meant; and
   * autovacuum would otherwise start on the freshly loaded tables in the middle of a part.
   */
  async function vacuumAnalyze(): Promise<void> {
    await sql.query('VACUUM (ANALYZE)');
  }

  async function lastStepId(): Promise<string> {
    const [{ id }] = await sql.query('SELECT coalesce(max(id), 0)::text AS id FROM sla_steps');
    return id as string;
  }

  async function lateness(label: string): Promise<Lateness> {
    const rows: Array<{ ms: number }> = await sql.query(
      `SELECT (extract(epoch FROM s.detected_at - s.deadline) * 1000)::float8 AS ms
       FROM sla_steps s JOIN tickets t ON t.id = s.ticket_id
       WHERE t.external_id LIKE $1 AND s.step = 'breach' ORDER BY 1`,
      [`${label}-%`],
    );
    const ms = rows.map((r) => r.ms);
    if (ms.length !== DUE) throw new Error(`${label}: ${ms.length} breaches recorded, not ${DUE}`);
    return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: ms[ms.length - 1] };
  }
}

const BATCH_DUE = 250;

/** CPU time (ms) used so far by the machine's processes, by command name (Linux /proc; empty elsewhere). */
function cpuByCommand(): Map<string, number> {
  const out = new Map<string, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    // This process by process.cpuUsage() below: Node 24 names its main thread MainThread, not node.
    if (Number(pid) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks of 10 ms.
      out.set(command, (out.get(command) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The process ended meanwhile.
    }
  }
  const own = process.cpuUsage();
  out.set('node', (out.get('node') ?? 0) + (own.user + own.system) / 1000);
  return out;
}

/**
 * With BENCH_CPU_PROFILE=<file>, records this process's CPU profile (app and bench alike) from `at` until the
 * returned function is called, for Chrome DevTools or any .cpuprofile viewer.
 */
async function cpuProfileFrom(at: number): Promise<() => Promise<void>> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await sleep(at - Date.now());
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

interface Lateness {
  p50: number;
  p99: number;
  max: number;
}

/** A bare BullMQ queue and a worker that does nothing: the floor any timer built on BullMQ can reach. */
async function withBareQueue<T>(work: (queue: Queue, late: number[]) => Promise<T>): Promise<T> {
  const connection = redisConnectionOptions(config.REDIS_URL);
  const queue = new Queue('bare', { connection, prefix: `{${prefix}b}` });
  const late: number[] = [];
  const worker = new Worker(
    'bare',
    async (job) => {
      late.push(Date.now() - (job.data as { due: number }).due);
    },
    { connection, prefix: `{${prefix}b}`, concurrency: 16 },
  );
  try {
    return await work(queue, late);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

async function addDue(queue: Queue, dues: number[]): Promise<void> {
  await queue.addBulk(
    dues.map((due) => ({
      name: 'x',
      data: { due },
      opts: { delay: due - Date.now(), removeOnComplete: true },
    })),
  );
}

/** The spread's due times on a bare queue: its lateness. */
async function bareSpread(count: number): Promise<Lateness> {
  return withBareQueue(async (queue, late) => {
    const start = Date.now() + 10 * SECOND;
    await addDue(
      queue,
      Array.from({ length: count }, (_, i) => start + Math.floor((i * 20 * SECOND) / count)),
    );
    while (late.length < count) await sleep(100);
    const sorted = [...late].sort((a, b) => a - b);
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] };
  });
}

/** `count` jobs due at one instant on a bare queue: the time until the last has run. */
async function bareBurst(count: number): Promise<number> {
  return withBareQueue(async (queue, late) => {
    const burstAt = Date.now() + 5 * SECOND;
    await addDue(queue, Array(count).fill(burstAt));
    while (late.length < count) await sleep(20);
    return Math.max(...late);
  });
}

/**
 * BENCH_PG_STATEMENTS=1: the first burst's statements by PostgreSQL time, from pg_stat_statements (which the server
 * must load: shared_preload_libraries). Off by default: the extension is not there on most servers.
 */
function pgStatements(sql: DataSource): { reset(): Promise<void>; print(): Promise<void> } {
  const on = process.env.BENCH_PG_STATEMENTS === '1';
  return {
    async reset() {
      if (!on) return;
      await sql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await sql.query('SELECT pg_stat_statements_reset()');
    },
    async print() {
      if (!on) return;
      const rows: Array<{ ms: number; calls: number; rows: number; query: string }> = await sql.query(
        `SELECT round(total_exec_time)::int AS ms, calls::int, rows::int,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20`,
      );
      for (const r of rows) console.log(`  ${fmt(r.ms)} in ${r.calls} calls (${r.rows} rows): ${r.query}`);
    },
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
