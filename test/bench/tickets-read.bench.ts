/**
 * Authenticated read benchmark (`npm run bench:tickets`; BENCH_SECONDS per phase, default 10).
 *
 * Starts the app of this tree and of a baseline commit (BENCH_BASELINE, default: before access control; see
 * baseline-tree.ts) as child processes on fresh databases, one after the other, and loads `GET /tickets` with
 * autocannon (10 connections) sending an admin key (the baseline ignores it). Prints requests/s and latency side
 * by side: the cost of authentication on a read path. Prints numbers; not a test.
 */
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
}) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number }>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN_KEY = `bench-${'k'.repeat(40)}`;

async function measure(label: string, tree: string, port: number) {
  const databaseUrl = freshDatabaseUrl('benchread');
  const child = startAppIn(tree, port, {
    DATABASE_URL: databaseUrl,
    ROLE: 'api',
    LOG_LEVEL: 'error',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    // The limit is checked on every request, but set out of reach: this measures the check, not refusals.
    RATE_LIMIT_PER_MINUTE: '10000000',
  });
  try {
    await waitForHealth(port);
    const probe = await fetch(`http://127.0.0.1:${port}/tickets`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    if (probe.status !== 200) throw new Error(`${label}: GET /tickets answered ${probe.status}`);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/tickets`,
      connections: 10,
      duration: SECONDS,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    return {
      label,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
    };
  } finally {
    await stopApp(child);
    await dropDatabase(databaseUrl);
  }
}

async function main(): Promise<void> {
  const [before, after] = await withBaselineTree(async (baseline) => [
    await measure(`before (${baselineRef})`, baseline, 3301),
    await measure('after (this tree)', thisTree, 3302),
  ]);
  console.log(`\nGET /tickets, 10 connections, ${SECONDS} s each, admin key sent\n`);
  console.log('| | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of [before, after])
    console.log(`| ${r.label} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
