/**
 * Authenticated read benchmark (`npm run bench:tickets`; BENCH_ROUNDS turns, default 5, of BENCH_SECONDS, default 5).
 *
 * Starts the app of this tree and of a baseline commit (BENCH_BASELINE, default: before access control; see
 * baseline-tree.ts) as child processes on fresh databases, side by side, and loads `GET /tickets` with autocannon
 * (10 connections, one app at a time, in turns) sending an admin key (the baseline ignores it). Prints requests/s
 * and latency side by side: the cost of authentication on a read path. Prints numbers; not a test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';
import {
  baselineRef,
  startAppIn,
  stopApp,
  thisTree,
  waitForHealth,
  withBaselineTree,
} from './baseline-tree.js';

/** autocannon ships no types; just the part used here. */
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
}>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ADMIN_KEY = `bench-${'k'.repeat(40)}`;

interface Result {
  /** The app's own CPU time (user + system) per request, in microseconds: steadier than requests/s. */
  cpuUs: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

/** A running app of `tree` on a fresh database, with an admin key that the baseline simply ignores. */
async function startTree(tree: string, port: number) {
  const databaseUrl = freshDatabaseUrl('benchread');
  const child = startAppIn(tree, port, {
    DATABASE_URL: databaseUrl,
    ROLE: 'api',
    LOG_LEVEL: 'error',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    // The limit is checked on every request, but set out of reach: this measures the check, not refusals.
    RATE_LIMIT_PER_MINUTE: '10000000',
  });
  await waitForHealth(port);
  const probe = await fetch(`http://127.0.0.1:${port}/tickets`, {
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  if (probe.status !== 200) throw new Error(`:${port}: GET /tickets answered ${probe.status}`);
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      await stopApp(child);
      await dropDatabase(databaseUrl);
    },
  };
}

/** CPU time of a process so far, in microseconds (Linux: /proc/<pid>/stat, utime + stime in clock ticks). */
function cpuTimeUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

async function load(app: { port: number; pid: number }, seconds = SECONDS): Promise<Result> {
  const port = app.port;
  const cpuBefore = cpuTimeUs(app.pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/tickets`,
    connections: 10,
    duration: seconds,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  const cpu = cpuTimeUs(app.pid) - cpuBefore;
  return {
    cpuUs: Math.round(cpu / Math.max(1, result.requests.total)),
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  await withBaselineTree(async (baseline) => {
    const apps = [await startTree(baseline, 3301), await startTree(thisTree, 3302)];
    try {
      // Both run all along and take turns under load, so that a machine that speeds up or slows down during the
      // run favours neither; the median of the turns is reported.
      for (const app of apps) await load(app, 2); // warm-up (JIT, pools), not counted
      const turns: Result[][] = [[], []];
      for (let round = 0; round < ROUNDS; round++)
        for (const [i, app] of apps.entries()) turns[i].push(await load(app));
      const rows = turns.map((results) => ({
        rps: median(results.map((r) => r.rps)),
        cpuUs: median(results.map((r) => r.cpuUs)),
        p50: median(results.map((r) => r.p50)),
        p99: median(results.map((r) => r.p99)),
        non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
        all: results.map((r) => r.rps).join(' / '),
      }));
      console.log(
        `\nGET /tickets (empty queue), 10 connections, ${ROUNDS} turns of ${SECONDS} s each, admin key sent\n`,
      );
      console.log('| | requests/s (median) | each turn | app CPU µs/request | p50 ms | p99 ms | non-2xx |');
      console.log('| --- | --- | --- | --- | --- | --- | --- |');
      const labels = [`before (${baselineRef})`, 'after (this tree)'];
      for (const [i, r] of rows.entries())
        console.log(
          `| ${labels[i]} | ${r.rps} | ${r.all} | ${r.cpuUs} | ${r.p50} | ${r.p99} | ${r.non2xx} |`,
        );
      console.log(
        `\nafter / before: ${(rows[1].rps / rows[0].rps).toFixed(2)}× the requests/s, ` +
          `${(rows[1].cpuUs / rows[0].cpuUs).toFixed(2)}× the app's CPU per request`,
      );
    } finally {
      for (const app of apps) await app.stop();
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
