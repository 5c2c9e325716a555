import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  clocksByKey,
  comparableClocks,
  configureSla,
  createIntegration,
  type Credential,
  deliverInOrder,
  deliverShuffled,
  integrationBody,
  loadSequence,
  minutes,
  type TicketBody,
  waitForTicket,
} from '../support/helpdesk-e2e.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Zammad trigger webhooks over HTTP against the real app: `X-Hub-Signature: sha1=<hex HMAC>` and
 * `X-Zammad-Delivery`. The tier comes from the organisation (3) through the customers table.
 */
const credential: Credential = { kind: 'hmac', secret: 'zammad-signature-token-0123456789' };
const mapping = { defaultPriority: 'normal', tier: { source: 'customer' } };

describe('Zammad end to end', () => {
  let t: TestApp;
  const { sequence, deliveries } = loadSequence('zammad');
  let inOrder: TicketBody;

  beforeAll(async () => {
    t = await startTestApp();
    await configureSla(t);
    await t.http().post('/customers').send({ id: '3', tier: 'enterprise' }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns the signed trigger deliveries into the expected clocks: follow-up reopen, pending close, system close', async () => {
    await createIntegration(t, 'zammad', 'zammad', credential, mapping);
    const stored = await deliverInOrder(t, 'zammad', 'zammad', credential, deliveries);
    inOrder = await waitForTicket(t, 'zammad', sequence.ticketId, stored, 'solved');

    const start = at('09:15:00.282');
    expect(inOrder).toMatchObject({
      externalId: '81',
      status: 'solved', // Zammad "closed" → solved (a follow-up can reopen it)
      priority: 'high', // "3 high"
      tier: 'enterprise',
      policyId: 'enterprise',
      removed: null,
      createdAt: start,
    });
    expect(clocksByKey(inOrder)).toEqual({
      reaction: {
        state: 'met',
        startedAt: start,
        stoppedAt: at('09:20'),
        targetMs: minutes(30),
        usedMs: minutes(5) - 282,
        deadline: at('09:45:00.282'),
        breachedAt: null,
        pausedIntervals: [],
      },
      first_response: {
        state: 'met',
        startedAt: start,
        stoppedAt: at('09:30'),
        targetMs: minutes(20),
        usedMs: minutes(15) - 282,
        deadline: at('09:35:00.282'),
        breachedAt: null,
        pausedIntervals: [],
      },
      // "3 high" at 10:05 → 8 business hours. Pending reminder, closed → follow-up and pending close pause it;
      // the system closes it on Saturday. Friday's close and the weekend push the deadline to Monday 15:15.
      resolution: {
        state: 'met',
        startedAt: start,
        stoppedAt: at('12:30', '2026-11-21'),
        targetMs: minutes(480),
        usedMs: minutes(105) - 282,
        deadline: at('15:15:00.282', '2026-11-23'),
        breachedAt: null,
        pausedIntervals: [
          { from: at('09:30'), to: at('10:00'), status: 'pending' },
          { from: at('11:00'), to: at('12:00'), status: 'solved' },
          { from: at('12:30'), to: at('12:30', '2026-11-21'), status: 'pending' },
        ],
      },
      'next_response#1': {
        state: 'met',
        startedAt: at('10:00'),
        stoppedAt: at('11:00'),
        targetMs: minutes(120),
        usedMs: minutes(60),
        deadline: at('12:00'),
        breachedAt: null,
        pausedIntervals: [],
      },
      // The follow-up that reopens the ticket opens a cycle no agent answers: breached at 14:00, ended by the close.
      'next_response#2': {
        state: 'breached',
        startedAt: at('12:00'),
        stoppedAt: at('12:30', '2026-11-21'),
        targetMs: minutes(120),
        usedMs: minutes(24 * 60 + 30),
        deadline: at('14:00'),
        breachedAt: at('14:00'),
        pausedIntervals: [],
      },
    });
  });

  it('gives identical clocks for shuffled deliveries, retries with the same X-Zammad-Delivery and re-sends under a new one', async () => {
    await createIntegration(t, 'zammad-shuffled', 'zammad', credential, mapping);
    const { stored, duplicateAnswers } = await deliverShuffled(
      t,
      'zammad-shuffled',
      'zammad',
      credential,
      deliveries,
      {
        seed: 29,
        duplicates: [0, 2, 5],
        resends: [0, 3, 6, 8],
      },
    );
    expect(duplicateAnswers).toBe(3);
    const shuffled = await waitForTicket(t, 'zammad-shuffled', sequence.ticketId, stored, 'solved');
    expect(shuffled).toMatchObject({
      status: 'solved',
      priority: 'high',
      tier: 'enterprise',
      policyId: 'enterprise',
    });
    expect(comparableClocks(shuffled)).toEqual(comparableClocks(inOrder));
  });

  it('accepts a signature token shorter than 16 characters (chosen by the admin) with a warning, and verifies with it', async () => {
    const short: Credential = { kind: 'hmac', secret: 'zammad-tk' }; // 9 characters
    const created = await t
      .http()
      .post('/integrations')
      .send(integrationBody('zammad-short', 'zammad', short, mapping))
      .expect(201);
    expect(created.body.warnings).toEqual([
      expect.stringContaining('9 characters; 16 or more are recommended'),
    ]);
    expect(JSON.stringify(created.body)).not.toContain('zammad-tk');
    const stored = await deliverInOrder(t, 'zammad-short', 'zammad', short, deliveries);
    const ticket = await waitForTicket(
      t,
      'zammad-short',
      sequence.ticketId,
      stored,
      sequence.expected.status,
    );
    expect(comparableClocks(ticket)).toEqual(comparableClocks(inOrder));

    // A change to a long secret has no warning; 7 characters is refused.
    const long = await t
      .http()
      .put('/integrations/zammad-short')
      .send({ secret: 'a-much-longer-token-0123' })
      .expect(200);
    expect(long.body).not.toHaveProperty('warnings');
    const tooShort = await t.http().put('/integrations/zammad-short').send({ secret: 'seven77' }).expect(400);
    expect(tooShort.body.error).toBeDefined();
    // GET never carries warnings.
    expect((await t.http().get('/integrations/zammad-short').expect(200)).body).not.toHaveProperty(
      'warnings',
    );
  });
});
