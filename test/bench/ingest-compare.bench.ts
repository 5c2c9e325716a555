/**
 * Webhook accept path, this tree against a baseline commit (`npm run bench:ingest-compare`; BENCH_SECONDS per
 * run, default 15; BENCH_BASELINE, default: before timeouts, input checks and access control).
 *
 * Each app runs as ROLE=api on a fresh database; autocannon posts signed generic deliveries (each distinct) over
 * 50 connections. The two trees take turns, twice each (before, after, before, after), so that a machine that
 * speeds up or slows down during the run does not favour one side. Prints accepted/s and p50/p99 of the 202s per
 * run, the means, and the ratio after / before. Prints numbers; not a test.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { signGeneric } from '../../src/webhooks/providers/generic-signature.js';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';
import {
  baselineRef,
  startAppIn,
  stopApp,
  thisTree,
  waitForHealth,
  withBaselineTree,
} from './baseline-tree.js';

type RequestSpec = { method: string; path: string; headers?: Record<string, string>; body?: string };
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: Array<RequestSpec & { setupRequest?: (req: RequestSpec) => RequestSpec }>;
}) => Promise<{
  requests: { average: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
}>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = 50;
const SECRET = 'bench-signing-secret-0123456789';
const ADMIN_KEY = `bench-${'k'.repeat(40)}`;

interface Run {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

function bodies(run: string, count: number) {
  const at = new Date(Date.now() - 60_000).toISOString();
  return Array.from({ length: count }, (_, i) => {
    const body = JSON.stringify({
      eventId: `${run}-${i}`,
      type: 'ticket.updated',
      occurredAt: at,
      ticket: {
        id: `${run}-${i % 2000}`,
        createdAt: at,
        status: 'open',
        priority: 'high',
        customerId: 'acme',
      },
      actor: { role: 'agent', id: 'agent-1' },
    });
    return { body, headers: { 'content-type': 'application/json', ...signGeneric(SECRET, body) } };
  });
}

async function measure(label: string, tree: string, port: number): Promise<Run> {
  const databaseUrl = freshDatabaseUrl('benchcmp');
  const child = startAppIn(tree, port, {
    DATABASE_URL: databaseUrl,
    ROLE: 'api',
    LOG_LEVEL: 'error',
    QUEUE_PREFIX: `benchcmp${randomBytes(3).toString('hex')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
  });
  try {
    await waitForHealth(port);
    const created = await fetch(`http://127.0.0.1:${port}/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ id: 'bench', name: 'Bench', provider: 'generic', secret: SECRET }),
    });
    if (created.status !== 201)
      throw new Error(`${label}: creating the integration answered ${created.status}`);
    const prepared = bodies(randomBytes(4).toString('hex'), Math.max(20_000, SECONDS * 12_000));
    let next = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/webhooks/bench',
          setupRequest: (req) => {
            const b = prepared[next++ % prepared.length]!;
            return { ...req, headers: b.headers, body: b.body };
          },
        },
      ],
    });
    return {
      label,
      rps: Math.round(result['2xx'] / SECONDS),
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
  const port = 3700 + Math.floor(Math.random() * 100);
  const runs = await withBaselineTree(async (baseline) => {
    const out: Run[] = [];
    for (let round = 1; round <= 2; round++) {
      out.push(await measure(`before (${baselineRef}) #${round}`, baseline, port));
      out.push(await measure(`after (this tree) #${round}`, thisTree, port + 1));
    }
    return out;
  });
  const mean = (prefix: string, key: 'rps' | 'p50' | 'p99') => {
    const some = runs.filter((r) => r.label.startsWith(prefix));
    return some.reduce((s, r) => s + r[key], 0) / some.length;
  };
  console.log(
    `\nPOST /webhooks/:id (signed generic deliveries), ROLE=api, ${CONNECTIONS} connections, ${SECONDS} s per run\n`,
  );
  console.log('| run | accepted/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of runs) console.log(`| ${r.label} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  const [b, a] = [mean('before', 'rps'), mean('after', 'rps')];
  console.log(
    `\nmean accepted/s: before ${Math.round(b)}, after ${Math.round(a)} (after/before ${(a / b).toFixed(3)}); ` +
      `mean p99: before ${mean('before', 'p99').toFixed(1)} ms, after ${mean('after', 'p99').toFixed(1)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
