/**
 * Authenticated read benchmark (`npm run bench:tickets`; BENCH_SECONDS per phase, default 10).
 *
 * Starts the app of this tree and of a baseline commit (BENCH_BASELINE, default: where this branch left
 * `main`) as child processes on fresh databases, one after the other, and loads `GET /tickets` with
 * autocannon (10 connections) sending an admin key (the baseline ignores it). Prints requests/s and
 * latency side by side: the cost of authentication on a read path. Prints numbers; not a test.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';

/** autocannon ships no types; just the part used here. */
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number }>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN_KEY = `bench-${'k'.repeat(40)}`;
const here = resolve('.');
const baselineRef =
  process.env.BENCH_BASELINE ??
  execFileSync('git', ['merge-base', 'HEAD', 'main'], { encoding: 'utf8' }).trim();

async function waitForHealth(port: number): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      /* not yet listening */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the app on :${port} did not become healthy`);
}

async function measure(label: string, tree: string, port: number) {
  const databaseUrl = freshDatabaseUrl('benchread');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'src/main.ts'],
    {
      cwd: tree,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        ROLE: 'api',
        LOG_LEVEL: 'error',
        NODE_ENV: 'development',
        BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
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
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await dropDatabase(databaseUrl);
  }
}

async function main(): Promise<void> {
  const baselineTree = mkdtempSync(join(tmpdir(), 'sla-bench-baseline-'));
  execFileSync('git', ['worktree', 'add', '--detach', baselineTree, baselineRef], { stdio: 'ignore' });
  try {
    if (!existsSync(join(baselineTree, 'node_modules'))) {
      symlinkSync(join(here, 'node_modules'), join(baselineTree, 'node_modules'));
    }
    const before = await measure(`before (${baselineRef.slice(0, 7)})`, baselineTree, 3301);
    const after = await measure('after (this tree)', here, 3302);
    console.log(`\nGET /tickets, 10 connections, ${SECONDS} s each, admin key sent\n`);
    console.log('| | requests/s | p50 ms | p99 ms | non-2xx |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of [before, after])
      console.log(`| ${r.label} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', baselineTree], { stdio: 'ignore' });
    rmSync(baselineTree, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
