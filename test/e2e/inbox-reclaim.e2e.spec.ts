import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';

/** A worker that restarts after a crash takes back what it had claimed at once, not after the stuck timeout. */
describe('orphaned claims', () => {
  let api: TestApp;
  let worker: TestApp | undefined;
  beforeAll(async () => {
    api = await startTestApp({ ROLE: 'api' });
    await createGenericIntegration(api, 'reclaim');
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it("puts a crashed worker's claims back when it starts again", async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const res = await postSigned(
      api,
      'reclaim',
      canonicalEvent({ eventId: 'c-1', ticketId: 'C-1', occurredAt: at }),
    ).expect(202);
    // As a worker that died mid-delivery leaves it: claimed a moment ago, under its name.
    await api.sql.query(
      `UPDATE inbox_deliveries SET status = 'processing', attempts = 1, claimed_by = 'worker-a', updated_at = now() WHERE id = $1`,
      [res.body.deliveryId],
    );
    worker = await startTestApp({
      ROLE: 'worker',
      WORKER_ID: 'worker-a',
      DATABASE_URL: api.config.DATABASE_URL,
      QUEUE_PREFIX: api.config.QUEUE_PREFIX,
    });
    const started = Date.now();
    await waitFor(async () => {
      const { rows } = await api.sql.query('SELECT status FROM inbox_deliveries WHERE id = $1', [
        res.body.deliveryId,
      ]);
      return rows[0].status === 'processed';
    }, 20_000);
    expect(Date.now() - started).toBeLessThan(20_000); // the stuck timeout is 120 s
  });
});
