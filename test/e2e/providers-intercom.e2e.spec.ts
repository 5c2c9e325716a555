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
  type TicketBody,
  waitForTicket,
} from '../support/helpdesk-e2e.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Intercom conversation webhooks over HTTP against the real app: `X-Hub-Signature: sha1=<hex HMAC>` keyed with
 * the app's client secret; the notification id in the body dedupes. Tier from the conversation tag tier_business.
 */
const credential: Credential = { kind: 'hmac', secret: 'intercom-client-secret-0123456789' };
const mapping = { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } };

describe('Intercom end to end', () => {
  let t: TestApp;
  const { sequence, deliveries } = loadSequence('intercom');
  let inOrder: TicketBody;

  beforeAll(async () => {
    t = await startTestApp();
    await configureSla(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns the signed notifications into the expected clocks: bot replies stop nothing, snooze pauses, reopen', async () => {
    await createIntegration(t, 'intercom', 'intercom', credential, mapping);
    const stored = await deliverInOrder(t, 'intercom', 'intercom', credential, deliveries);
    inOrder = await waitForTicket(t, 'intercom', sequence.ticketId, stored, 'solved');

    expect(inOrder).toMatchObject({
      externalId: '215467895',
      status: 'solved', // closed
      priority: 'high', // "priority"
      tier: 'business',
      policyId: 'business',
      removed: null,
      createdAt: at('09:15'),
    });
    expect(clocksByKey(inOrder)).toEqual({
      // Fin's reply at 09:16 is the system's; the admin's note at 09:20 is the first agent action.
      reaction: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('09:20'),
        targetMs: minutes(30),
        usedMs: minutes(5),
        deadline: at('09:45'),
        breachedAt: null,
        pausedIntervals: [],
      },
      first_response: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('09:30'),
        targetMs: minutes(20),
        usedMs: minutes(15),
        deadline: at('09:35'),
        breachedAt: null,
        pausedIntervals: [],
      },
      // Priority at 10:05 → 8 business hours; snoozed and closed → opened pause it; due Monday 10:44:55.
      resolution: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('13:00'),
        targetMs: minutes(480),
        usedMs: minutes(135) + 5_000,
        deadline: at('10:44:55', '2026-11-23'),
        breachedAt: null,
        pausedIntervals: [
          { from: at('09:30:05'), to: at('10:00'), status: 'pending' },
          { from: at('11:00'), to: at('12:00'), status: 'solved' },
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
    });
  });

  it('gives identical clocks when the notifications arrive shuffled, concurrently and duplicated', async () => {
    await createIntegration(t, 'intercom-shuffled', 'intercom', credential, mapping);
    const { stored, duplicateAnswers } = await deliverShuffled(
      t,
      'intercom-shuffled',
      'intercom',
      credential,
      deliveries,
      {
        seed: 31,
        duplicates: [0, 1, 6, 9],
      },
    );
    expect(duplicateAnswers).toBe(4);
    const shuffled = await waitForTicket(t, 'intercom-shuffled', sequence.ticketId, stored, 'solved');
    expect(shuffled).toMatchObject({
      status: 'solved',
      priority: 'high',
      tier: 'business',
      policyId: 'business',
    });
    expect(comparableClocks(shuffled)).toEqual(comparableClocks(inOrder));
  });
  it('reads admin replies whose part is an assignment or an open as replies (issue: reply-and-assign)', async () => {
    const { sequence: seq, deliveries: parts } = loadSequence('intercom', 'reply-parts-sequence.json');
    await createIntegration(t, 'intercom-parts', 'intercom', credential, mapping);
    const stored = await deliverInOrder(t, 'intercom-parts', 'intercom', credential, parts);
    const ticket = await waitForTicket(t, 'intercom-parts', seq.ticketId, stored, 'solved');
    expect(ticket).toMatchObject({ status: 'solved', priority: 'normal', tier: 'business', removed: null });
    expect(clocksByKey(ticket)).toMatchObject({
      reaction: { state: 'met', startedAt: at('09:15'), stoppedAt: at('09:25') },
      first_response: { state: 'met', startedAt: at('09:15'), stoppedAt: at('09:25'), usedMs: minutes(10) },
      'next_response#1': {
        state: 'met',
        startedAt: at('10:10'),
        stoppedAt: at('10:40'),
        usedMs: minutes(30),
      },
      resolution: {
        state: 'met',
        stoppedAt: at('11:00'),
        usedMs: minutes(85),
        pausedIntervals: [{ from: at('09:40'), to: at('10:00'), status: 'solved' }],
      },
    });

    await createIntegration(t, 'intercom-parts-shuffled', 'intercom', credential, mapping);
    const shuffled = await deliverShuffled(t, 'intercom-parts-shuffled', 'intercom', credential, parts, {
      seed: 7,
      duplicates: [1, 3, 5],
    });
    expect(shuffled.duplicateAnswers).toBe(3);
    const again = await waitForTicket(t, 'intercom-parts-shuffled', seq.ticketId, shuffled.stored, 'solved');
    expect(comparableClocks(again)).toEqual(comparableClocks(ticket));
  });

  it('removes a conversation on conversation.deleted carrying only ids and cancels its running clocks', async () => {
    const { sequence: seq, deliveries: parts } = loadSequence('intercom', 'deleted-sequence.json');
    for (const [id, order] of [
      ['intercom-deleted', parts],
      ['intercom-deleted-reversed', [...parts].reverse()],
    ] as const) {
      await createIntegration(t, id, 'intercom', credential, mapping);
      const stored = await deliverInOrder(t, id, 'intercom', credential, order);
      const ticket = await waitForTicket(t, id, seq.ticketId, stored, 'closed');
      expect(ticket).toMatchObject({ removed: 'deleted', createdAt: at('09:15') });
      expect(clocksByKey(ticket)).toMatchObject({
        reaction: { state: 'met', stoppedAt: at('09:20') },
        first_response: { state: 'cancelled', stoppedAt: at('09:30:01') },
        resolution: { state: 'cancelled', stoppedAt: at('09:30:01') },
      });
    }
  });
});
