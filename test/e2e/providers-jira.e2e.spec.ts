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

  /**
   * JSM Cloud with the tier from the Organizations field: comment_created events carry a partial issue (no
   * Organizations field, labels, reporter, and here no priority), and JSM automation reopens a resolved request
   * in its own issue_updated a few seconds after the customer's comment.
   */
  describe('partial comment payloads and a reopen in its own event', () => {
    const jsm = loadSequence('jira', 'jsm-reopen-sequence.json');
    const orgMapping = {
      defaultPriority: 'normal',
      tier: { source: 'customer', field: 'customfield_10002' },
    };
    let reopenInOrder: TicketBody;

    const expectClocks = (ticket: TicketBody) => {
      expect(ticket).toMatchObject({
        status: 'solved',
        priority: 'high',
        tier: 'enterprise',
        policyId: 'enterprise',
      });
      // No clock ever ran under another policy: a comment without the Organizations field did not reset the tier.
      expect(new Set(ticket.clocks.map((c) => c.policyId))).toEqual(new Set(['enterprise']));
      const clocks = clocksByKey(ticket);
      expect(clocks).toMatchObject({
        reaction: { state: 'met', stoppedAt: at('09:25'), targetMs: minutes(15), usedMs: minutes(10) },
        first_response: { state: 'met', stoppedAt: at('09:25'), targetMs: minutes(60), usedMs: minutes(10) },
        // The customer's comment at 10:30 waits for an answer from 10:30, not from the reopen at 10:30:04.
        'next_response#1': {
          state: 'met',
          startedAt: at('10:30'),
          stoppedAt: at('10:50'),
          targetMs: minutes(120),
          usedMs: minutes(20),
          deadline: at('12:30'),
        },
        // High (carried through the comments without a priority): 480 office minutes, judged under the
        // snapshot of the partial comment at 10:50.
        resolution: {
          state: 'met',
          stoppedAt: at('11:00'),
          targetMs: minutes(480),
          usedMs: minutes(25) + minutes(30) - 4_000,
          pausedIntervals: [{ from: at('09:40'), to: at('10:30:04'), status: 'solved' }],
        },
      });
      expect(Object.keys(clocks).sort()).toEqual([
        'first_response',
        'next_response#1',
        'reaction',
        'resolution',
      ]);
    };

    it('keeps the tier and priority through partial comments and opens the next-response cycle at the customer comment', async () => {
      await t.http().post('/customers').send({ id: '7', tier: 'enterprise' }).expect(201);
      await createIntegration(t, 'jsm', 'jira', credential, orgMapping);
      const stored = await deliverInOrder(t, 'jsm', 'jira', credential, jsm.deliveries);
      reopenInOrder = await waitForTicket(t, 'jsm', jsm.sequence.ticketId, stored, 'solved');
      expectClocks(reopenInOrder);
    });

    it('gives the same clocks shuffled, with retries', async () => {
      await createIntegration(t, 'jsm-shuffled', 'jira', credential, orgMapping);
      const { stored, duplicateAnswers } = await deliverShuffled(
        t,
        'jsm-shuffled',
        'jira',
        credential,
        jsm.deliveries,
        { seed: 7, duplicates: [1, 3, 4], resends: [2, 5] },
      );
      expect(duplicateAnswers).toBe(3);
      const shuffled = await waitForTicket(t, 'jsm-shuffled', jsm.sequence.ticketId, stored, 'solved');
      expectClocks(shuffled);
      expect(comparableClocks(shuffled)).toEqual(comparableClocks(reopenInOrder));
    });
  });

  describe('Data Center payloads: the reporter is the customer (mapping.jira.customerRule)', () => {
    const dc = loadSequence('jira', 'dc-sequence.json');

    it('default "both": the requester creating and commenting is the customer; the agent reacts and responds', async () => {
      await createIntegration(t, 'jira-dc', 'jira', credential, { defaultPriority: 'normal' });
      const stored = await deliverInOrder(t, 'jira-dc', 'jira', credential, dc.deliveries);
      const ticket = await waitForTicket(t, 'jira-dc', dc.sequence.ticketId, stored, 'open');
      // Standard tier → the catch-all policy (6000 minutes for reaction and first response).
      expect(clocksByKey(ticket)).toMatchObject({
        reaction: { state: 'met', startedAt: at('09:15'), stoppedAt: at('09:40'), usedMs: minutes(25) },
        first_response: { state: 'met', startedAt: at('09:15'), stoppedAt: at('09:50'), usedMs: minutes(35) },
      });
    });

    it('"accountType": the same deliveries read the requester as an agent (reaction met at 0, first response by the requester)', async () => {
      await createIntegration(t, 'jira-dc-type', 'jira', credential, {
        defaultPriority: 'normal',
        jira: { customerRule: 'accountType' },
      });
      const stored = await deliverInOrder(t, 'jira-dc-type', 'jira', credential, dc.deliveries);
      const ticket = await waitForTicket(t, 'jira-dc-type', dc.sequence.ticketId, stored, 'open');
      expect(clocksByKey(ticket)).toMatchObject({
        reaction: { state: 'met', stoppedAt: at('09:15'), usedMs: 0 },
      });
      // The requester's own comment at 09:20 counts as the first response.
      expect(clocksByKey(ticket).first_response).toMatchObject({ state: 'met', stoppedAt: at('09:20') });
      const view = await t.http().get('/integrations/jira-dc-type').expect(200);
      expect(view.body.mapping.jira).toEqual({ customerRule: 'accountType' });
    });
  });
});
