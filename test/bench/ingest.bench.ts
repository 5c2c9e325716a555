/**
 * Ingest benchmark (`npm run bench:ingest`; BENCH_SECONDS shortens each load phase, default 30).
 *
 * Runs the real app as child processes on a fresh database, so the load generator does not share an
 * event loop with the server. Workload: see WORKLOAD below (realistic ticket lives, interleaved). Then:
 *   A. accept path alone (ROLE=api): autocannon, 50 connections, signed generic deliveries → accepted/s
 *      and p50/p99 of the 202s; the backlog grows, as nothing processes it;
 *   C. drain: the processing side starts (by default the API process restarted as ROLE=all, API and
 *      worker sharing an event loop: the default deployment; BENCH_WORKER=separate adds a worker
 *      process instead) and empties A's backlog with no load → deliveries processed per second;
 *   B. the same load again, from an empty backlog, while deliveries are processed → accepted/s,
 *      processed/s and the backlog sampled every second from the processes' own counters, with its
 *      trend (least-squares slope): does processing keep up? Then what B left behind is drained;
 *   D. baseline: plain single-row autocommitted INSERTs of the same raw payloads into a table shaped like
 *      the inbox, concurrency 50 over a pool of the app's size → inserts/s, and the ratio A / D.
 * Prints numbers; not a test.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import { loadConfig } from '../../src/config/app-config.js';
import { prepareInfrastructure } from '../../src/bootstrap.js';
import { signGeneric } from '../../src/webhooks/providers/generic-signature.js';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; p90: number; average: number; max: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type RequestSpec = { method: string; path: string; headers?: Record<string, string>; body?: string };
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: Array<RequestSpec & { setupRequest?: (req: RequestSpec) => RequestSpec }>;
}) => Promise<AutocannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = 50;
const SECRET = 'bench-signing-secret-0123456789';
const INTEGRATION = 'bench';
const API_PORT = 3900 + Math.floor(Math.random() * 50);
const WORKER_PORT = API_PORT + 50;
const ADMIN_KEY = `bench-${randomBytes(24).toString('hex')}`;

const databaseUrl = freshDatabaseUrl('bench');
const config = { ...loadConfig({ ...process.env, NODE_ENV: 'development' }), DATABASE_URL: databaseUrl };
const env = {
  ...process.env,
  NODE_ENV: 'development',
  DATABASE_URL: databaseUrl,
  QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'warn',
  BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
};
const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });

function startChild(role: 'api' | 'worker' | 'all', port: number): ChildProcess {
  // BENCH_CPU_PROF=<dir>: each app process writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', '@swc-node/register/esm-register', 'src/main.ts'],
    {
      env: { ...env, ROLE: role, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return child;
}

async function waitHealthy(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`app on port ${port} did not become healthy`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A realistic stream: tickets go through an 8-step life (created by the customer, internal note, assigned
 * and opened, public reply, pending, customer answer re-opening it, second reply, solved). ACTIVE tickets
 * are open at once and their steps interleave, so consecutive deliveries belong to different tickets
 * (a batch sees each ticket about once: the worst case for batching, and what a busy helpdesk sends).
 */
const ACTIVE = 2_000;
const STEPS = 8;
const WORKLOAD = `${STEPS}-step ticket lives (created, internal note, opened+assigned, public reply, pending, customer answer, reply, solved), ${ACTIVE} tickets open at a time, interleaved; one event per delivery`;

function eventBody(phase: string, i: number): string {
  const slot = i % ACTIVE;
  const step = Math.floor(i / ACTIVE) % STEPS;
  const ticket = `${phase}-${Math.floor(i / (ACTIVE * STEPS)) * ACTIVE + slot}`;
  const created = Date.now() - 3 * 3_600_000 + slot * 1_000;
  const at = new Date(created + step * 15 * 60_000).toISOString();
  const agent = { role: 'agent', id: `agent-${slot % 13}` };
  const customer = { role: 'customer', id: `customer-${slot % 97}` };
  const comment = (key: string, isPublic: boolean, authorRole: string) => ({
    id: `${ticket}-${key}`,
    public: isPublic,
    authorRole,
  });
  const life: Array<{ type: string; status: string; actor: object; comment?: object }> = [
    { type: 'ticket.created', status: 'new', actor: customer },
    { type: 'comment.created', status: 'new', actor: agent, comment: comment('note', false, 'agent') },
    { type: 'ticket.updated', status: 'open', actor: agent },
    { type: 'comment.created', status: 'open', actor: agent, comment: comment('reply-1', true, 'agent') },
    { type: 'ticket.updated', status: 'pending', actor: agent },
    {
      type: 'comment.created',
      status: 'open',
      actor: customer,
      comment: comment('answer', true, 'customer'),
    },
    { type: 'comment.created', status: 'open', actor: agent, comment: comment('reply-2', true, 'agent') },
    { type: 'ticket.updated', status: 'solved', actor: agent },
  ];
  const e = life[step]!;
  return JSON.stringify({
    eventId: `${ticket}-${step}`,
    type: e.type,
    occurredAt: at,
    ticket: {
      id: ticket,
      createdAt: new Date(created).toISOString(),
      status: e.status,
      priority: ['urgent', 'high', 'normal', 'low'][slot % 4],
      customerId: `customer-${slot % 97}`,
      assigneeId: step >= 2 ? `agent-${slot % 13}` : null,
      tags: ['bench', `queue-${slot % 7}`],
    },
    ...(e.comment ? { comment: e.comment } : {}),
    actor: e.actor,
  });
}

/** Signed bodies computed before the run (the replay window is 5 min; each phase signs its own). */
function precompute(phase: string, count: number): Array<{ body: string; headers: Record<string, string> }> {
  return Array.from({ length: count }, (_, i) => {
    const body = eventBody(phase, i);
    return { body, headers: { 'content-type': 'application/json', ...signGeneric(SECRET, body) } };
  });
}

async function load(phase: string): Promise<AutocannonResult> {
  const bodies = precompute(phase, Math.max(20_000, SECONDS * 16_000));
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${API_PORT}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: `/webhooks/${INTEGRATION}`,
        setupRequest: (req) => {
          const b = bodies[next++ % bodies.length]!;
          return { ...req, headers: b.headers, body: b.body };
        },
      },
    ],
  });
}

/** Inbox rows by status (one scan: used at phase boundaries, not while sampling). */
async function counts(): Promise<Record<string, number>> {
  const { rows } = await sql.query(`SELECT status, count(*)::int AS n FROM inbox_deliveries GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
const backlog = (c: Record<string, number>) => (c.pending ?? 0) + (c.processing ?? 0) + (c.failed ?? 0);

/** A counter's total over all its label sets that match `filter`, from a process's /metrics. */
async function counter(port: number, name: string, filter: RegExp): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
  ).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && filter.test(line))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Deliveries the API has accepted and the worker has finished (processed or dead), cumulative. */
interface Progress {
  accepted: number;
  done: number;
}
async function progress(apiPort: number, workerPort: number): Promise<Progress> {
  const [accepted, done] = await Promise.all([
    counter(apiPort, 'sla_webhook_deliveries_total', /outcome="accepted"/),
    counter(workerPort, 'sla_ingest_deliveries_processed_total', /result="(processed|dead)"/),
  ]);
  return { accepted, done };
}

/**
 * Samples the backlog every second while `during` runs, from the processes' own counters (cheap: a
 * count over the inbox would cost the database more than the sampling is worth).
 */
async function sampled<T>(
  during: Promise<T>,
  label: string,
  read: () => Promise<Progress>,
): Promise<{ result: T; samples: Array<{ t: number; backlog: number; done: number }> }> {
  const samples: Array<{ t: number; backlog: number; done: number }> = [];
  const start = Date.now();
  const origin = await read();
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const p = await read();
      samples.push({
        t: (Date.now() - start) / 1000,
        backlog: p.accepted - origin.accepted - (p.done - origin.done),
        done: p.done - origin.done,
      });
      await sleep(1_000);
    }
  })();
  const result = await during;
  done = true;
  await sampler;
  console.log(
    `  ${label} backlog (s → pending): ${samples.map((s) => `${s.t.toFixed(0)}:${s.backlog}`).join(' ')}`,
  );
  return { result, samples };
}

function report(label: string, r: AutocannonResult): void {
  const accepted = r['2xx'] / r.duration;
  console.log(
    `  ${label}: ${accepted.toFixed(0)} accepted/s (${r['2xx']} × 202, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts); ` +
      `latency p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms`,
  );
}

async function baseline(bodies: string[]): Promise<number> {
  await sql.query(`CREATE TABLE bench_baseline (LIKE inbox_deliveries INCLUDING ALL)`);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: config.DATABASE_POOL_SIZE });
  const headers = JSON.stringify({ 'content-type': 'application/json', 'user-agent': 'bench' });
  let next = 0;
  let inserted = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) {
        const i = next++;
        await pool.query(
          `INSERT INTO bench_baseline (integration_id, delivery_key, received_at, headers, body) VALUES ($1, $2, $3, $4, $5)`,
          [INTEGRATION, `base-${i}`, new Date(), headers, Buffer.from(bodies[i % bodies.length]!)],
        );
        inserted++;
      }
    }),
  );
  await pool.end();
  return inserted / SECONDS;
}

/** Least-squares slope of the backlog over the samples, in deliveries per second. */
function slope(samples: Array<{ t: number; backlog: number }>): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mt = samples.reduce((a, p) => a + p.t, 0) / n;
  const mb = samples.reduce((a, p) => a + p.backlog, 0) / n;
  const num = samples.reduce((a, p) => a + (p.t - mt) * (p.backlog - mb), 0);
  const den = samples.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function verdict(perSecond: number, accepted: number): string {
  // Within 2 % of the accept rate (sampling noise): steady.
  if (perSecond > accepted * 0.02) return `GROWS by ${perSecond.toFixed(0)}/s`;
  if (perSecond < -accepted * 0.02) return `shrinks by ${(-perSecond).toFixed(0)}/s`;
  return 'steady (no growth)';
}

async function main(): Promise<void> {
  const separate = process.env.BENCH_WORKER === 'separate';
  console.log(
    `ingest bench: ${SECONDS} s per phase, ${CONNECTIONS} connections, pool ${config.DATABASE_POOL_SIZE}`,
  );
  console.log(`  workload: ${WORKLOAD}`);
  console.log(
    `  phase B runs ${separate ? 'an API process and a separate worker process' : 'one ROLE=all process (API and worker share an event loop)'}; set BENCH_WORKER=separate for the other`,
  );
  await prepareInfrastructure(config);
  let api: ChildProcess | null = startChild('api', API_PORT);
  let worker: ChildProcess | null = null;
  try {
    await waitHealthy(API_PORT);
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${API_PORT}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      });
    await post('/integrations', { id: INTEGRATION, name: 'Bench', provider: 'generic', secret: SECRET });
    await post('/policies', {
      id: 'bench',
      name: 'Bench',
      position: 1,
      targets: Object.fromEntries(
        ['urgent', 'high', 'normal', 'low'].map((p) => [
          p,
          { reaction: { minutes: 60 }, first_response: { minutes: 120 }, resolution: { minutes: 480 } },
        ]),
      ),
    });
    // Warm-up (JIT, connection pools, integration cache).
    await autocannonWarmup();

    console.log('A. accept path only (no worker)');
    const a = await sampled(load('a'), 'A', () => progress(API_PORT, API_PORT));
    report('A', a.result);

    // The processing side joins: a separate worker process, or the API restarted as ROLE=all.
    if (separate) {
      worker = startChild('worker', WORKER_PORT);
      await waitHealthy(WORKER_PORT);
    } else {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
      api = startChild('all', API_PORT);
      await waitHealthy(API_PORT);
    }
    const workerPort = separate ? WORKER_PORT : API_PORT;

    console.log("C. drain A's backlog (no load)");
    const cRate = await drain(workerPort, 'C');

    console.log(
      `B. accept while ${separate ? 'a separate worker' : 'the same process (ROLE=all)'} processes, from an empty backlog`,
    );
    const b = await sampled(load('b'), 'B', () => progress(API_PORT, workerPort));
    report('B', b.result);
    const bLast = b.samples[b.samples.length - 1]!;
    const bRate = bLast.done / bLast.t;
    const bAccepted = b.result['2xx'] / b.result.duration;
    const bSlope = slope(b.samples.filter((x) => x.t >= 2)); // after the first seconds' ramp-up
    const bPeak = Math.max(...b.samples.map((x) => x.backlog));
    console.log(
      `  B: ${bRate.toFixed(0)} deliveries → clocks per second while loaded; backlog peak ${bPeak}, at the end ${bLast.backlog}: ${verdict(bSlope, bAccepted)}`,
    );
    console.log("  B': what B left behind");
    await drain(workerPort, "B'");
    const end = await counts();
    console.log(`  inbox after B: ${JSON.stringify(end)}`);
    worker?.kill('SIGTERM');
    worker = null;

    console.log('D. baseline: plain single-row inserts of the same payloads');
    const bodies = Array.from({ length: 10_000 }, (_, i) => eventBody('base', i));
    const d = await baseline(bodies);
    console.log(`  D: ${d.toFixed(0)} inserts/s`);
    const acceptedA = a.result['2xx'] / a.result.duration;
    console.log(`
SUMMARY (${WORKLOAD})
  A accept only:      ${acceptedA.toFixed(0)} accepted/s, p50 ${a.result.latency.p50} ms, p99 ${a.result.latency.p99} ms (nothing processes them)
  baseline:           ${d.toFixed(0)} single-row inserts/s → accept/baseline ratio ${(acceptedA / d).toFixed(2)}
  B accept + worker:  ${bAccepted.toFixed(0)} accepted/s, p50 ${b.result.latency.p50} ms, p99 ${b.result.latency.p99} ms; processed ${bRate.toFixed(0)}/s (${((bRate / bAccepted) * 100).toFixed(0)} % of accepted); backlog peak ${bPeak}, ${verdict(bSlope, bAccepted)}
  C drain:            ${cRate.toFixed(0)} deliveries/s processed`);
  } finally {
    worker?.kill('SIGTERM');
    api?.kill('SIGTERM');
    await sleep(1_000);
    await sql.end();
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** Waits until the inbox backlog is empty (or a time limit passes); returns deliveries finished per second. */
async function drain(workerPort: number, label: string): Promise<number> {
  const finished = () =>
    counter(workerPort, 'sla_ingest_deliveries_processed_total', /result="(processed|dead)"/);
  const start = Date.now();
  const startDone = await finished();
  const limitMs = Math.max(120_000, SECONDS * 8_000);
  // EXISTS stops at the first unfinished row: cheap, unlike counting a backlog of hundreds of thousands.
  const unfinished = async () =>
    (
      await sql.query(
        `SELECT EXISTS (SELECT 1 FROM inbox_deliveries WHERE status IN ('pending', 'processing', 'failed')) AS any`,
      )
    ).rows[0].any as boolean;
  while ((await unfinished()) && Date.now() - start < limitMs) await sleep(1_000);
  const secs = (Date.now() - start) / 1000;
  const done = (await finished()) - startDone;
  const c = await counts();
  const rate = done / secs;
  console.log(
    `  ${label}: ${done} deliveries processed in ${secs.toFixed(1)} s = ${rate.toFixed(0)}/s; backlog left ${backlog(c)}, dead ${c.dead ?? 0}`,
  );
  return rate;
}

async function autocannonWarmup(): Promise<void> {
  const bodies = precompute('warm', 5_000);
  let next = 0;
  await autocannon({
    url: `http://127.0.0.1:${API_PORT}`,
    connections: CONNECTIONS,
    duration: 3,
    requests: [
      {
        method: 'POST',
        path: `/webhooks/${INTEGRATION}`,
        setupRequest: (req) => {
          const b = bodies[next++ % bodies.length]!;
          return { ...req, headers: b.headers, body: b.body };
        },
      },
    ],
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
