import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { HOUR, MINUTE, seedIntegration, storedClocks, TicketStory } from '../tickets/ticket-fixtures.js';
import { itLeavesWriteDigestsTrue } from '../support/write-digests.js';

const INTEGRATION = 'reeval-desk';

const policy = (firstResponse: number, resolution: number) => ({
  name: 'Standard',
  position: 0,
  targets: { normal: { first_response: { minutes: firstResponse }, resolution: { minutes: resolution } } },
});

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('re-evaluation after a configuration change (SEMANTICS 9, 18, 19)', () => {
  let t: TestApp;
  let now: number;
  const ticketId = async (externalId: string): Promise<string> =>
    (await t.sql.query(`SELECT id FROM tickets WHERE external_id = $1`, [externalId])).rows[0].id;
  const clock = async (externalId: string, metric: string) =>
    (await storedClocks(t.sql, await ticketId(externalId))).find((c) => c.metric === metric)!;

  beforeAll(async () => {
    t = await startTestApp();
    await seedIntegration(t.sql, INTEGRATION);
    await t.http().put('/policies/standard').send(policy(120, 480)).expect(201);
    now = Date.now() + 1;
    const ingest = t.app.get(TicketIngestService);
    const deliver = (story: TicketStory) =>
      ingest.ingest({
        integrationId: INTEGRATION,
        defaultPriority: 'normal',
        events: story.events,
        receivedAt: now,
      });
    // R: answered after 100 minutes (met under 120), resolution still running.
    await deliver(new TicketStory('R', now - 110 * MINUTE).comment('reply', now - 10 * MINUTE, 'agent'));
    // X: unanswered for 3 hours: first response breached and still counting.
    await deliver(new TicketStory('X', now - 3 * HOUR));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('retargets running clocks, keeps stopped outcomes and the first breach detection', async () => {
    const before = {
      rFirst: await clock('R', 'first_response'),
      rResolution: await clock('R', 'resolution'),
      xFirst: await clock('X', 'first_response'),
      xFirstDetected: (
        await t.sql.query(
          `SELECT first_breach_detected_at FROM ticket_clocks WHERE ticket_id = $1 AND metric = 'first_response'`,
          [await ticketId('X')],
        )
      ).rows[0].first_breach_detected_at as Date,
    };
    expect(before.rFirst.state).toBe('met');
    expect(before.rResolution).toMatchObject({ state: 'running', policy_version: 1 });
    expect(before.xFirst.state).toBe('breached');
    expect(before.xFirstDetected).toBeInstanceOf(Date);

    await t.http().put('/policies/standard').send(policy(60, 240)).expect(200);

    const rResolution = await eventually(async () => {
      const c = await clock('R', 'resolution');
      return c.policy_version === 2 ? c : undefined;
    });
    expect((rResolution.deadline as Date).getTime()).toBe(now - 110 * MINUTE + 4 * HOUR);
    expect(rResolution.target_ms).toBe(String(4 * HOUR));

    // Stopped before the edit: judged under version 1, untouched.
    expect(await clock('R', 'first_response')).toEqual(before.rFirst);

    const x = await eventually(async () => {
      const { rows } = await t.sql.query(
        `SELECT policy_version, state, deadline, first_breach_detected_at FROM ticket_clocks
         WHERE ticket_id = $1 AND metric = 'first_response'`,
        [await ticketId('X')],
      );
      return rows[0].policy_version === 2 ? rows[0] : undefined;
    });
    expect(x.state).toBe('breached');
    expect(x.deadline.getTime()).toBe(now - 3 * HOUR + HOUR);
    expect(x.first_breach_detected_at).toEqual(before.xFirstDetected);

    const tickets = (
      await t.sql.query(
        `SELECT external_id, policy_version, config_revision, clock_version FROM tickets ORDER BY external_id`,
      )
    ).rows;
    expect(tickets.map((r) => [r.external_id, r.policy_version, r.clock_version])).toEqual([
      ['R', 2, 2],
      ['X', 2, 2],
    ]);
  });

  it('enqueues one scan job per configuration revision (deterministic job id)', async () => {
    const { Queue } = await import('bullmq');
    const { redisConnectionOptions } = await import('../../src/common/redis-connection.js');
    const queue = new Queue('reevaluate', {
      connection: redisConnectionOptions(t.config.REDIS_URL),
      prefix: `{${t.config.QUEUE_PREFIX}}`,
    });
    try {
      const { rows } = await t.sql.query(`SELECT revision FROM config_revision WHERE id = 1`);
      const job = await queue.getJob(`reevaluate-scan-${rows[0].revision}`);
      expect(job?.data).toEqual({ revision: rows[0].revision });
    } finally {
      await queue.close();
    }
  });

  itLeavesWriteDigestsTrue(() => t.sql);
});
