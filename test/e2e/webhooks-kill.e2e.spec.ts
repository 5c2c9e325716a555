import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';

const INTEGRATION = 'killtest';
/** Enough that the worker (small claims, see worker.child.ts) is still busy seconds after it starts. */
const DELIVERIES = 2_000;

/**
 * Principle 5 under a crash: the API (in this process) accepts deliveries; a worker runs as a separate
 * process, is SIGKILLed while it processes, and is started again. Every accepted delivery must end up
 * processed, and every event stored exactly once.
 */
describe('worker killed mid-processing', () => {
  let t: TestApp;
  let worker: ChildProcess | null = null;

  const startWorker = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', '@swc-node/register/esm-register', 'test/webhooks/worker.child.ts'],
        {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            LOG_LEVEL: 'warn',
            DATABASE_URL: t.config.DATABASE_URL,
            DATABASE_POOL_SIZE: '8',
            QUEUE_PREFIX: t.config.QUEUE_PREFIX,
            ENCRYPTION_KEY: t.config.ENCRYPTION_KEY,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('worker ready')) resolve(child);
      });
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });

  const statusCounts = async () => {
    const { rows } = await t.sql.query(
      `SELECT status, count(*)::int AS n FROM inbox_deliveries GROUP BY status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  };

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    await createGenericIntegration(t, INTEGRATION);
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await t?.close();
  });

  it('loses nothing and counts nothing twice', async () => {
    const now = Date.now();
    const accepted = new Set<string>();
    for (let i = 0; i < DELIVERIES; i += 50) {
      const batch = Array.from({ length: 50 }, (_, k) => {
        const n = i + k;
        const event = canonicalEvent({
          eventId: `kill-${n}`,
          ticketId: `K-${n % 40}`,
          type: n < 40 ? 'ticket.created' : 'ticket.updated',
          occurredAt: new Date(now - (DELIVERIES - n) * 1000).toISOString(),
          createdAt: new Date(now - DELIVERIES * 1000).toISOString(),
          status: n % 3 === 0 ? 'pending' : 'open',
        });
        return postSigned(t, INTEGRATION, event).expect(202);
      });
      for (const res of await Promise.all(batch)) accepted.add(res.body.deliveryId);
    }
    expect(accepted.size).toBe(DELIVERIES);

    worker = await startWorker();
    await waitFor(async () => ((await statusCounts()).processed ?? 0) >= 60, 60_000);
    worker.removeAllListeners('exit');
    worker.kill('SIGKILL');
    await new Promise((r) => worker!.once('exit', r));
    const atKill = await statusCounts();
    // Killed with work left: rows pending, and usually some claimed (processing) by the dead worker.
    expect(atKill.processed ?? 0).toBeLessThan(DELIVERIES);
    expect((atKill.pending ?? 0) + (atKill.processing ?? 0)).toBeGreaterThan(0);

    worker = await startWorker();
    await waitFor(async () => ((await statusCounts()).processed ?? 0) === DELIVERIES, 90_000);
    expect(await statusCounts()).toEqual({ processed: DELIVERIES });

    const events = await t.sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_n FROM ticket_events WHERE integration_id = $1`,
      [INTEGRATION],
    );
    expect(events.rows[0]).toEqual({ n: DELIVERIES, distinct_n: DELIVERIES });
    const perTicket = await t.sql.query(
      `SELECT t.external_id, count(*)::int AS n FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE t.integration_id = $1 GROUP BY t.external_id`,
      [INTEGRATION],
    );
    expect(perTicket.rows).toHaveLength(40);
    expect(perTicket.rows.every((r) => r.n === DELIVERIES / 40)).toBe(true);
  }, 180_000);
});
