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
  loadSequence,
  minutes,
  postDelivery,
  providerHeaders,
  type TicketBody,
  waitForTicket,
} from '../support/helpdesk-e2e.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Zendesk over HTTP against the real app: signed deliveries (base64 HMAC-SHA256 over timestamp + body) from the
 * fixture sequences, through the inbox and worker, to the clocks the tickets API shows. Targets: see TARGETS
 * (reaction/first/next response 24/7, resolution in Mon–Fri 09:00–17:00 London office hours).
 */
const credential: Credential = { kind: 'hmac', secret: 'zendesk-signing-secret-0123456789' };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await configureSla(t);
  // Organisation 9001 is a business customer (used by the integrations whose tier comes from the customer).
  await t.http().post('/customers').send({ id: '9001', tier: 'business' }).expect(201);
});
afterAll(async () => {
  await t?.close();
});

describe('Zendesk event subscriptions end to end', () => {
  const mapping = { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } };
  const { sequence, deliveries } = loadSequence('zendesk');
  let inOrder: TicketBody;

  it('turns the signed event sequence into the expected clocks: stops, pauses, reopen, re-selected targets', async () => {
    await createIntegration(t, 'zendesk-events', 'zendesk', credential, mapping);
    const stored = await deliverInOrder(t, 'zendesk-events', 'zendesk', credential, deliveries);
    inOrder = await waitForTicket(t, 'zendesk-events', sequence.ticketId, stored, 'solved');

    expect(inOrder).toMatchObject({
      externalId: '5158',
      status: 'solved',
      priority: 'urgent',
      tier: 'enterprise', // from the tag tier_enterprise
      policyId: 'enterprise',
      removed: null,
      createdAt: at('09:15'),
    });
    expect(clocksByKey(inOrder)).toEqual({
      // The agent's internal note at 09:20 is the first agent action; judged under `high`, the priority then.
      reaction: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('09:20'),
        targetMs: minutes(15),
        usedMs: minutes(5),
        deadline: at('09:30'),
        breachedAt: null,
        pausedIntervals: [],
      },
      // The internal note does not stop it; the public reply at 09:30 does.
      first_response: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('09:30'),
        targetMs: minutes(60),
        usedMs: minutes(15),
        deadline: at('10:15'),
        breachedAt: null,
        pausedIntervals: [],
      },
      // Urgent at 10:05 re-selects 4 business hours from the original start; pending, on-hold and solved→reopen
      // pause it (139:55 paused), so it is due 15:34:55 and met by the second solve at 13:00 after 85:05 used.
      resolution: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('13:00'),
        targetMs: minutes(240),
        usedMs: minutes(85) + 5_000,
        deadline: at('15:34:55'),
        breachedAt: null,
        pausedIntervals: [
          { from: at('09:30:05'), to: at('10:00'), status: 'pending' },
          { from: at('10:10'), to: at('11:00'), status: 'on_hold' },
          { from: at('11:00'), to: at('12:00'), status: 'solved' },
        ],
      },
      // The customer's reply at 10:00 opens a cycle; the solve at 11:00 ends it in time.
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
    });
  });

  it('gives identical clocks when the same events arrive shuffled, concurrently and duplicated', async () => {
    await createIntegration(t, 'zendesk-events-shuffled', 'zendesk', credential, mapping);
    const { stored, duplicateAnswers } = await deliverShuffled(
      t,
      'zendesk-events-shuffled',
      'zendesk',
      credential,
      deliveries,
      {
        seed: 11,
        duplicates: [0, 4, 9, 11],
      },
    );
    expect(duplicateAnswers).toBe(4); // the event id in the body dedupes the re-sent bytes in the inbox
    const shuffled = await waitForTicket(t, 'zendesk-events-shuffled', sequence.ticketId, stored, 'solved');
    expect(shuffled).toMatchObject({
      status: 'solved',
      priority: 'urgent',
      tier: 'enterprise',
      policyId: 'enterprise',
    });
    expect(comparableClocks(shuffled)).toEqual(comparableClocks(inOrder));
  });
});

describe('Zendesk trigger webhooks (recommended template) end to end', () => {
  const mapping = { defaultPriority: 'normal', tier: { source: 'customer' } };
  const { sequence, deliveries } = loadSequence('zendesk', 'trigger-sequence.json');
  let inOrder: TicketBody;

  it('turns the trigger bodies into the expected clocks: a late first reply breaches, a pause spans pending and on-hold', async () => {
    await createIntegration(t, 'zendesk-triggers', 'zendesk', credential, mapping);
    const stored = await deliverInOrder(t, 'zendesk-triggers', 'zendesk', credential, deliveries);
    inOrder = await waitForTicket(t, 'zendesk-triggers', sequence.ticketId, stored, 'solved');

    expect(inOrder).toMatchObject({
      externalId: '5200',
      status: 'solved',
      priority: 'normal', // "-" at the solve falls back to the integration's default priority
      tier: 'business', // organisation 9001 → customers table
      policyId: 'business',
      createdAt: at('09:15'),
    });
    expect(clocksByKey(inOrder)).toEqual({
      reaction: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('09:40'),
        targetMs: minutes(30),
        usedMs: minutes(25),
        deadline: at('09:45'),
        breachedAt: null,
        pausedIntervals: [],
      },
      // 20 minutes for normal priority; the first public agent reply came after 25.
      first_response: {
        state: 'breached',
        startedAt: at('09:15'),
        stoppedAt: at('09:40'),
        targetMs: minutes(20),
        usedMs: minutes(25),
        deadline: at('09:35'),
        breachedAt: at('09:35'),
        pausedIntervals: [],
      },
      // High from 10:00 sets 8 business hours; the "-" (default normal) arrives with the solve and applies after
      // it. Pending then on-hold is one pause; Friday's close pushes the deadline to Monday 10:35.
      resolution: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('11:00'),
        targetMs: minutes(480),
        usedMs: minutes(25),
        deadline: at('10:35', '2026-11-23'),
        breachedAt: null,
        pausedIntervals: [{ from: at('09:40'), to: at('11:00'), status: 'pending' }],
      },
    });
  });

  it('gives identical clocks when the trigger deliveries arrive shuffled and re-sent with the same invocation id', async () => {
    await createIntegration(t, 'zendesk-triggers-shuffled', 'zendesk', credential, mapping);
    const { stored, duplicateAnswers } = await deliverShuffled(
      t,
      'zendesk-triggers-shuffled',
      'zendesk',
      credential,
      deliveries,
      {
        seed: 5,
        duplicates: [1, 2, 3],
      },
    );
    expect(duplicateAnswers).toBe(3);
    const shuffled = await waitForTicket(t, 'zendesk-triggers-shuffled', sequence.ticketId, stored, 'solved');
    expect(shuffled).toMatchObject({
      status: 'solved',
      priority: 'normal',
      tier: 'business',
      policyId: 'business',
    });
    expect(comparableClocks(shuffled)).toEqual(comparableClocks(inOrder));
  });
});

describe('Zendesk soft delete and restore end to end', () => {
  const mapping = { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } };
  const { sequence, deliveries } = loadSequence('zendesk', 'restore-sequence.json');

  it('a soft delete undone by a restore is no close: the clocks run as if the ticket had never been deleted', async () => {
    await createIntegration(t, 'zendesk-restore', 'zendesk', credential, mapping);
    const stored = await deliverInOrder(t, 'zendesk-restore', 'zendesk', credential, deliveries);
    const ticket = await waitForTicket(t, 'zendesk-restore', sequence.ticketId, stored, 'open');
    expect(ticket).toMatchObject({ status: 'open', removed: null, createdAt: at('09:15') });
    expect(clocksByKey(ticket)).toMatchObject({
      // The deleted half hour counts like any other (enterprise targets are shorter than 45 and 65 minutes).
      reaction: { state: 'breached', stoppedAt: at('10:00'), usedMs: minutes(45) },
      first_response: { state: 'breached', stoppedAt: at('10:20'), usedMs: minutes(65), pausedIntervals: [] },
      resolution: { stoppedAt: null, pausedIntervals: [] },
    });

    await createIntegration(t, 'zendesk-restore-shuffled', 'zendesk', credential, mapping);
    const shuffled = await deliverShuffled(t, 'zendesk-restore-shuffled', 'zendesk', credential, deliveries, {
      seed: 3,
      duplicates: [1, 2],
    });
    expect(shuffled.duplicateAnswers).toBe(2);
    const again = await waitForTicket(
      t,
      'zendesk-restore-shuffled',
      sequence.ticketId,
      shuffled.stored,
      'open',
    );
    // Resolution still runs (its explanation names "now"), so compare the stopped clocks and its pauses.
    const [a, b] = [clocksByKey(again), clocksByKey(ticket)];
    expect([a.reaction, a.first_response, a.resolution?.pausedIntervals]).toEqual([
      b.reaction,
      b.first_response,
      b.resolution?.pausedIntervals,
    ]);
  });

  it('a soft delete that stays cancels the running clocks', async () => {
    await createIntegration(t, 'zendesk-soft-deleted', 'zendesk', credential, mapping);
    const stored = await deliverInOrder(
      t,
      'zendesk-soft-deleted',
      'zendesk',
      credential,
      deliveries.slice(0, 2),
    );
    const ticket = await waitForTicket(t, 'zendesk-soft-deleted', sequence.ticketId, stored, 'closed');
    expect(ticket).toMatchObject({ removed: 'deleted' });
    expect(clocksByKey(ticket)).toMatchObject({
      first_response: { state: 'cancelled', stoppedAt: at('09:30') },
      resolution: { state: 'cancelled', stoppedAt: at('09:30') },
    });
  });
});

describe('Zendesk flat trigger bodies end to end', () => {
  const mapping = { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } };
  const { sequence, deliveries } = loadSequence('zendesk', 'flat-sequence.json');

  it('accepts ticket_id / status / updater_role bodies without a ticket object and clocks them like the template', async () => {
    await createIntegration(t, 'zendesk-flat', 'zendesk', credential, mapping);
    const stored = await deliverInOrder(t, 'zendesk-flat', 'zendesk', credential, deliveries);
    const ticket = await waitForTicket(t, 'zendesk-flat', sequence.ticketId, stored, 'solved');
    expect(ticket).toMatchObject({
      status: 'solved',
      priority: 'high',
      tier: 'enterprise',
      policyId: 'enterprise',
    });
    const expected = {
      reaction: { state: 'met', stoppedAt: at('09:25'), usedMs: minutes(10) },
      first_response: { state: 'met', stoppedAt: at('09:25'), usedMs: minutes(10) },
      'next_response#1': {
        state: 'met',
        startedAt: at('10:00'),
        stoppedAt: at('10:20'),
        usedMs: minutes(20),
      },
      resolution: {
        state: 'met',
        stoppedAt: at('10:20'),
        usedMs: minutes(30),
        pausedIntervals: [{ from: at('09:25'), to: at('10:00'), status: 'pending' }],
      },
    };
    expect(clocksByKey(ticket)).toMatchObject(expected);

    await createIntegration(t, 'zendesk-flat-shuffled', 'zendesk', credential, mapping);
    const shuffled = await deliverShuffled(t, 'zendesk-flat-shuffled', 'zendesk', credential, deliveries, {
      seed: 5,
      duplicates: [0, 2],
    });
    expect(shuffled.duplicateAnswers).toBe(2);
    const again = await waitForTicket(
      t,
      'zendesk-flat-shuffled',
      sequence.ticketId,
      shuffled.stored,
      'solved',
    );
    expect(comparableClocks(again)).toEqual(comparableClocks(ticket));
  });

  it('strips a leading UTF-8 byte-order mark before parsing; the signature covers the raw bytes with it', async () => {
    await createIntegration(t, 'zendesk-bom', 'zendesk', credential, mapping);
    const first = deliveries[0]!;
    const withBom = { ...first, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), first.body]) };
    const answer = await postDelivery(t, 'zendesk-bom', 'zendesk', credential, withBom);
    expect(answer.status).toBe(202);
    const ticket = await waitForTicket(t, 'zendesk-bom', sequence.ticketId, 1, 'new');
    expect(ticket).toMatchObject({ priority: 'high', tier: 'enterprise' });
    // Signed without the BOM but sent with it: the signature is over the bytes received.
    const headers = providerHeaders('zendesk', credential, { ...first, deliveryId: 'bom-unsigned' });
    const res = await t.http().post('/webhooks/zendesk-bom').set(headers).send(withBom.body.toString('utf8'));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_signature');
  });
});

describe('Zendesk event subscriptions: a customer reply that reopens, as comment_added before status_changed', () => {
  const mapping = { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } };
  const { sequence, deliveries } = loadSequence('zendesk', 'reopen-sequence.json');

  it('opens the next-response cycle at the customer comment, in order and shuffled', async () => {
    await createIntegration(t, 'zendesk-reopen', 'zendesk', credential, mapping);
    const stored = await deliverInOrder(t, 'zendesk-reopen', 'zendesk', credential, deliveries);
    const ticket = await waitForTicket(t, 'zendesk-reopen', sequence.ticketId, stored, 'open');
    expect(clocksByKey(ticket)).toMatchObject({
      first_response: { state: 'met', stoppedAt: at('09:30'), usedMs: minutes(15) },
      'next_response#1': {
        state: 'met',
        startedAt: at('11:00'),
        stoppedAt: at('11:40'),
        targetMs: minutes(120),
        usedMs: minutes(40),
        deadline: at('13:00'),
      },
    });
    expect(ticket.clocks.filter((c) => c.metric === 'next_response')).toHaveLength(1);

    await createIntegration(t, 'zendesk-reopen-shuffled', 'zendesk', credential, mapping);
    const shuffled = await deliverShuffled(t, 'zendesk-reopen-shuffled', 'zendesk', credential, deliveries, {
      seed: 3,
      duplicates: [3, 4],
    });
    const again = await waitForTicket(
      t,
      'zendesk-reopen-shuffled',
      sequence.ticketId,
      shuffled.stored,
      'open',
    );
    // Resolution still runs (its explanation reaches now); every stopped clock is identical.
    const stopped = (x: TicketBody) => comparableClocks(x).filter((c) => c.stoppedAt !== null);
    expect(stopped(again)).toEqual(stopped(ticket));
    expect(stopped(ticket)).toHaveLength(3);
  });
});
