import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { Receiver } from '../notifications/receiver.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const DESK = 'kill-desk';
const TICKETS = 6;
const SECOND = 1000;

/**
 * A worker SIGKILLed while its sends are in flight (the receiver holds the requests): a new worker sends every
 * delivery, and each is answered with success exactly once; repeats of an unanswered request carry the same
 * idempotency key. The API process (here) records the breaches; it has no dispatcher, so the worker's reconciler
 * plans them, as it would after a process died between commit and enqueue.
 */
describe('notifications: worker killed mid-send', () => {
  let t: TestApp;
  let receiver: Receiver;
  let worker: ChildProcess | null = null;

  const startWorker = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', '@swc-node/register/esm-register', 'test/notifications/worker.child.ts'],
        {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            LOG_LEVEL: 'error',
            DATABASE_URL: t.config.DATABASE_URL,
            DATABASE_POOL_SIZE: '4',
            QUEUE_PREFIX: t.config.QUEUE_PREFIX,
            ENCRYPTION_KEY: t.config.ENCRYPTION_KEY,
            NOTIFY_SCAN_SECONDS: '1',
            NOTIFY_TIMEOUT_SECONDS: '2',
            NOTIFY_BACKOFF_MS: '200',
            NOTIFY_ATTEMPTS: '10',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('worker ready')) resolve(child);
      });
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });

  const waitFor = async (probe: () => boolean | Promise<boolean>, ms = 40 * SECOND) => {
    const until = Date.now() + ms;
    while (!(await probe())) {
      if (Date.now() > until) {
        const { rows } = await t.sql.query(
          'SELECT id, status, attempts, last_error, sending_since FROM notifications',
        );
        throw new Error(`timed out waiting: ${JSON.stringify(rows)}, ${receiver.requests.length} requests`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp({ ROLE: 'api' });
    await seedIntegration(t.sql, DESK);
    const http = t.http();
    await http
      .post('/policies')
      .send({
        id: 'fast',
        name: 'Fast',
        position: 0,
        targets: { normal: { first_response: { minutes: 1 } } },
      })
      .expect(201);
    await t
      .http()
      .post('/channels')
      .send({
        id: 'ops',
        type: 'webhook',
        name: 'Ops',
        url: `${receiver.url}/hook`,
        secret: 'whsec-0123456789abcdef',
        subscribe: { kinds: ['breach'] },
      })
      .expect(201);
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await t?.close();
    await receiver?.close();
  });

  it('loses nothing and answers each delivery once', async () => {
    receiver.holding = true;
    const ingest = t.app.get(TicketIngestService);
    for (let i = 0; i < TICKETS; i++) {
      const story = new TicketStory(`K-${i}`, Date.now() - 70 * SECOND, {
        priority: 'normal',
        status: 'open',
      });
      await ingest.ingest({
        integrationId: DESK,
        defaultPriority: 'normal',
        events: story.events,
        receivedAt: Date.now(),
      });
    }
    worker = await startWorker();
    await waitFor(() => receiver.on('/hook').length >= 1);
    worker.kill('SIGKILL');
    await new Promise((r) => worker!.once('exit', r));
    receiver.holding = false;
    worker = await startWorker();

    const statuses = async () =>
      (await t.sql.query(`SELECT status, count(*)::int AS n FROM notifications GROUP BY status`)).rows;
    await waitFor(async () => {
      const rows = await statuses();
      return rows.length === 1 && rows[0].status === 'sent' && rows[0].n === TICKETS;
    });
    const keys = (await t.sql.query(`SELECT idempotency_key FROM notifications`)).rows.map(
      (r: { idempotency_key: string }) => r.idempotency_key,
    );
    const requests = receiver.on('/hook');
    for (const key of keys) {
      const forKey = requests.filter((r) => r.headers['idempotency-key'] === key);
      expect(forKey.filter((r) => r.answered === 200)).toHaveLength(1);
    }
    // Nothing arrived that is not one of the deliveries.
    expect(new Set(requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(keys));
  }, 90_000);
});
