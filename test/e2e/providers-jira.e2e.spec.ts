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
 * Jira Service Management webhooks over HTTP against the real app: `X-Hub-Signature: sha256=<hex HMAC>` and
 * `X-Atlassian-Webhook-Identifier`. The tier comes from a select field whose option reads "Enterprise".
 */
const credential: Credential = { kind: 'hmac', secret: 'jira-webhook-secret-0123456789' };
const mapping = { defaultPriority: 'normal', tier: { source: 'field', field: 'customfield_10050' } };

describe('Jira Service Management end to end', () => {
  let t: TestApp;
  const { sequence, deliveries } = loadSequence('jira');
  let inOrder: TicketBody;

  beforeAll(async () => {
    t = await startTestApp();
    await configureSla(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns the signed issue and comment events into the expected clocks: internal vs public comments, reopen', async () => {
    await createIntegration(t, 'jira', 'jira', credential, mapping);
    const stored = await deliverInOrder(t, 'jira', 'jira', credential, deliveries);
    inOrder = await waitForTicket(t, 'jira', sequence.ticketId, stored, 'closed');

    expect(inOrder).toMatchObject({
      externalId: '10042',
      status: 'closed',
      priority: 'urgent', // Highest
      tier: 'enterprise', // the select option "Enterprise" read as the tier id
      policyId: 'enterprise',
      removed: null,
      createdAt: at('09:15'), // 05:45 at -0330
    });
    expect(clocksByKey(inOrder)).toEqual({
      // The agent's internal comment at 09:20 (Medium → normal: 30 minutes).
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
      // Not the internal comment: the public one at 09:30.
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
      // Highest at 10:05 → 4 business hours. "Waiting for customer" pauses until the customer's comment at 10:00
      // (its payload already shows "Waiting for support"); resolved → reopened pauses; closed by automation 13:00.
      resolution: {
        state: 'met',
        startedAt: at('09:15'),
        stoppedAt: at('13:00'),
        targetMs: minutes(240),
        usedMs: minutes(135) + 5_000,
        deadline: at('14:44:55'),
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

  it('gives identical clocks for shuffled deliveries, retries with the same webhook identifier and re-sends under a new one', async () => {
    await createIntegration(t, 'jira-shuffled', 'jira', credential, mapping);
    const { stored, duplicateAnswers } = await deliverShuffled(
      t,
      'jira-shuffled',
      'jira',
      credential,
      deliveries,
      {
        seed: 23,
        duplicates: [0, 5, 8],
        resends: [1, 3, 6],
      },
    );
    expect(duplicateAnswers).toBe(3); // same identifier: an inbox duplicate; a new identifier is stored, deduped per event
    const shuffled = await waitForTicket(t, 'jira-shuffled', sequence.ticketId, stored, 'closed');
    expect(shuffled).toMatchObject({
      status: 'closed',
      priority: 'urgent',
      tier: 'enterprise',
      policyId: 'enterprise',
    });
    expect(comparableClocks(shuffled)).toEqual(comparableClocks(inOrder));
  });
});
