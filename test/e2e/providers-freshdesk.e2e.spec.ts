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
 * Freshdesk automation-rule webhooks over HTTP against the real app. Freshdesk does not sign: one integration
 * authenticates by HTTP basic auth, the other by a secret header. Targets: see TARGETS.
 */
const basicAuth: Credential = {
  kind: 'basicAuth',
  username: 'freshdesk',
  password: 'basic-auth-password-123',
};
const secretHeader: Credential = {
  kind: 'secretHeader',
  name: 'x-sla-token',
  value: 'secret-header-value-0123456789',
};
const mapping = { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } };

describe('Freshdesk end to end', () => {
  let t: TestApp;
  const { sequence, deliveries } = loadSequence('freshdesk');
  let inOrder: TicketBody;

  beforeAll(async () => {
    t = await startTestApp();
    await configureSla(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns the rule deliveries (basic auth) into the expected clocks: notes, replies, waiting statuses, reopen', async () => {
    await createIntegration(t, 'freshdesk', 'freshdesk', basicAuth, mapping);
    const stored = await deliverInOrder(t, 'freshdesk', 'freshdesk', basicAuth, deliveries);
    inOrder = await waitForTicket(t, 'freshdesk', sequence.ticketId, stored, 'closed');

    expect(inOrder).toMatchObject({
      externalId: '11',
      status: 'closed',
      priority: 'urgent',
      tier: 'enterprise', // tag tier_enterprise
      policyId: 'enterprise',
      removed: null,
      createdAt: at('09:15'),
    });
    expect(clocksByKey(inOrder)).toEqual({
      // The private note at 09:20 is the first agent action (Medium → normal: 30 minutes).
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
      // The private note does not count as a response; the reply sent at 09:30 does.
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
      // Urgent at 10:05 → 4 business hours from the start. Pending and the custom "Waiting on Customer" (→ pending)
      // pause it, as does resolved → reopened; closed at 13:00 after 85:05 used.
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
          { from: at('10:10'), to: at('11:00'), status: 'pending' },
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

  it('gives identical clocks when the deliveries (secret header) arrive shuffled and re-sent; the body hash dedupes', async () => {
    await createIntegration(t, 'freshdesk-shuffled', 'freshdesk', secretHeader, mapping);
    const { stored, duplicateAnswers } = await deliverShuffled(
      t,
      'freshdesk-shuffled',
      'freshdesk',
      secretHeader,
      deliveries,
      {
        seed: 17,
        duplicates: [0, 3, 7, 9],
      },
    );
    expect(duplicateAnswers).toBe(4);
    const shuffled = await waitForTicket(t, 'freshdesk-shuffled', sequence.ticketId, stored, 'closed');
    expect(shuffled).toMatchObject({
      status: 'closed',
      priority: 'urgent',
      tier: 'enterprise',
      policyId: 'enterprise',
    });
    expect(comparableClocks(shuffled)).toEqual(comparableClocks(inOrder));
  });

  it('keeps repeated replies with unchanged fields apart (latest_comment) while a re-sent body stays a duplicate', async () => {
    const { sequence: seq, deliveries: replies } = loadSequence(
      'freshdesk',
      'repeated-replies-sequence.json',
    );
    await createIntegration(t, 'freshdesk-repeated', 'freshdesk', basicAuth, mapping);
    const stored = await deliverInOrder(t, 'freshdesk-repeated', 'freshdesk', basicAuth, replies);
    expect(stored).toBe(8);
    const ticket = await waitForTicket(t, 'freshdesk-repeated', seq.ticketId, stored, 'solved');
    expect(clocksByKey(ticket)).toMatchObject({
      first_response: { state: 'met', stoppedAt: at('09:30') },
      'next_response#1': { state: 'met', startedAt: at('10:00'), stoppedAt: at('10:20') },
      'next_response#2': { state: 'met', startedAt: at('10:40'), stoppedAt: at('11:00') },
      'next_response#3': { state: 'met', startedAt: at('12:00'), stoppedAt: at('12:30') },
      resolution: {
        state: 'met',
        stoppedAt: at('12:30'),
        pausedIntervals: [
          { from: at('09:30'), to: at('10:00'), status: 'pending' },
          { from: at('10:20'), to: at('10:40'), status: 'pending' },
          { from: at('11:00'), to: at('12:00'), status: 'solved' },
        ],
      },
    });

    await createIntegration(t, 'freshdesk-repeated-shuffled', 'freshdesk', secretHeader, mapping);
    const shuffled = await deliverShuffled(
      t,
      'freshdesk-repeated-shuffled',
      'freshdesk',
      secretHeader,
      replies,
      {
        seed: 5,
        duplicates: [1, 2, 3, 4],
      },
    );
    expect(shuffled.duplicateAnswers).toBe(4);
    const again = await waitForTicket(
      t,
      'freshdesk-repeated-shuffled',
      seq.ticketId,
      shuffled.stored,
      'solved',
    );
    expect(comparableClocks(again)).toEqual(comparableClocks(ticket));
  });

  it('reads who acted from rules without an event kind: replies by "actor", the requester\'s e-mail or actor_email stop the right clocks', async () => {
    const actor = loadSequence('freshdesk', 'actor-sequence.json');
    await createIntegration(t, 'freshdesk-actor', 'freshdesk', basicAuth, mapping);
    const stored = await deliverInOrder(t, 'freshdesk-actor', 'freshdesk', basicAuth, actor.deliveries);
    const ticket = await waitForTicket(t, 'freshdesk-actor', actor.sequence.ticketId, stored, 'solved');
    expect(ticket).toMatchObject({
      status: 'solved',
      priority: 'high',
      tier: 'enterprise',
      policyId: 'enterprise',
    });
    const expected = {
      reaction: { state: 'met', stoppedAt: at('09:30'), targetMs: minutes(15), usedMs: minutes(15) },
      first_response: { state: 'met', stoppedAt: at('09:30'), targetMs: minutes(60), usedMs: minutes(15) },
      'next_response#1': {
        state: 'met',
        startedAt: at('10:00'),
        stoppedAt: at('10:20'),
        usedMs: minutes(20),
      },
      resolution: {
        state: 'met',
        stoppedAt: at('10:30'),
        usedMs: minutes(46),
        pausedIntervals: [{ from: at('09:31'), to: at('10:00'), status: 'pending' }],
      },
    };
    expect(clocksByKey(ticket)).toMatchObject(expected);

    await createIntegration(t, 'freshdesk-actor-shuffled', 'freshdesk', basicAuth, mapping);
    const shuffled = await deliverShuffled(
      t,
      'freshdesk-actor-shuffled',
      'freshdesk',
      basicAuth,
      actor.deliveries,
      {
        seed: 11,
        duplicates: [1, 3],
      },
    );
    expect(shuffled.duplicateAnswers).toBe(2);
    const again = await waitForTicket(
      t,
      'freshdesk-actor-shuffled',
      actor.sequence.ticketId,
      shuffled.stored,
      'solved',
    );
    expect(comparableClocks(again)).toEqual(comparableClocks(ticket));
  });
});
