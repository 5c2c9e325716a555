import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  HOUR,
  MINUTE,
  seedIntegration,
  shuffled,
  storedClocks,
  TicketStory,
} from '../tickets/ticket-fixtures.js';
import { itLeavesWriteDigestsTrue } from '../support/write-digests.js';

const INTEGRATION = 'acme-desk';

/** 24/7 targets: reaction 1 h, first response 2 h, resolution 8 h (normal); first response 30 min (high). */
const STANDARD_POLICY = {
  id: 'standard',
  name: 'Standard',
  position: 10,
  targets: {
    normal: { reaction: { minutes: 60 }, first_response: { minutes: 120 }, resolution: { minutes: 480 } },
    high: { reaction: { minutes: 15 }, first_response: { minutes: 30 }, resolution: { minutes: 240 } },
  },
};

describe('ticket ingest: timeline store and clocks', () => {
  let t: TestApp;
  let ingest: TicketIngestService;
  /** After the policy exists: stops are judged under the versions in force when they were received. */
  let now: number;

  beforeAll(async () => {
    t = await startTestApp();
    ingest = t.app.get(TicketIngestService);
    await seedIntegration(t.sql, INTEGRATION);
    await t.http().post('/policies').send(STANDARD_POLICY).expect(201);
    now = Date.now() + 1;
  });
  afterAll(async () => {
    await t?.close();
  });

  const ticketRow = async (externalId: string) =>
    (
      await t.sql.query(`SELECT * FROM tickets WHERE integration_id = $1 AND external_id = $2`, [
        INTEGRATION,
        externalId,
      ])
    ).rows[0];

  it('creates the ticket, its event and its clocks; a missing priority takes the integration default', async () => {
    const created = now - 10 * MINUTE;
    const story = new TicketStory('T-1', created);
    const result = await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: story.events,
      receivedAt: now,
      inboxId: '42',
    });

    const ticket = await ticketRow('T-1');
    expect(result).toEqual({ ticketIds: [ticket.id], inserted: 1, duplicates: 0 });
    expect(ticket).toMatchObject({
      status: 'new',
      priority: 'normal',
      policy_id: 'standard',
      policy_version: 1,
      clock_version: 1,
      default_priority: 'normal',
      config_revision: expect.any(Number),
    });
    expect(ticket.created_at.getTime()).toBe(created);
    expect(ticket.next_deadline.getTime()).toBe(created + HOUR); // reaction is due first

    const events = (await t.sql.query(`SELECT * FROM ticket_events WHERE ticket_id = $1`, [ticket.id])).rows;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_id: 'T-1-created',
      type: 'ticket.created',
      clock_skew: false,
      inbox_id: '42',
      actor: { role: 'customer', id: 'c-1' },
    });
    expect(events[0].snapshot).toMatchObject({ id: 'T-1', status: 'new', createdAt: created });

    const clocks = await storedClocks(t.sql, ticket.id);
    expect(clocks.map((c) => [c.metric, c.cycle, c.state])).toEqual([
      ['first_response', 0, 'running'],
      ['reaction', 0, 'running'],
      ['resolution', 0, 'running'],
    ]);
    const resolution = clocks.find((c) => c.metric === 'resolution')!;
    expect(resolution).toMatchObject({
      policy_id: 'standard',
      policy_version: 1,
      target_ms: String(8 * HOUR),
    });
    expect((resolution.deadline as Date).getTime()).toBe(created + 8 * HOUR);
  });

  it('ignores duplicates and counts them, without re-evaluating', async () => {
    const story = new TicketStory('T-2', now - 5 * MINUTE).comment('reply', now - 4 * MINUTE, 'agent');
    const first = await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: story.events,
      receivedAt: now,
    });
    expect(first).toMatchObject({ inserted: 2, duplicates: 0 });
    const again = await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: [...story.events, story.events[0]],
      receivedAt: now,
    });
    expect(again).toEqual({ ticketIds: first.ticketIds, inserted: 0, duplicates: 3 });
    const ticket = await ticketRow('T-2');
    expect(ticket.clock_version).toBe(1);
    const { rows } = await t.sql.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1`, [
      ticket.id,
    ]);
    expect(rows[0].n).toBe(2);
  });

  it('handles a delivery carrying several tickets (one transaction for all)', async () => {
    const a = new TicketStory('T-3a', now - MINUTE);
    const b = new TicketStory('T-3b', now - MINUTE, { priority: 'high' });
    const result = await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: [...a.events, ...b.events],
      receivedAt: now,
    });
    expect(result.ticketIds).toHaveLength(2);
    expect((await ticketRow('T-3b')).priority).toBe('high');
  });

  it('clamps a timestamp more than 5 minutes in the future to the receipt time and flags it (rule 25)', async () => {
    const receivedAt = now;
    const story = new TicketStory('T-4', receivedAt + 10 * MINUTE);
    await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: story.events,
      receivedAt,
    });
    const ticket = await ticketRow('T-4');
    const { rows } = await t.sql.query(
      `SELECT occurred_at, reported_occurred_at, clock_skew FROM ticket_events WHERE ticket_id = $1`,
      [ticket.id],
    );
    expect(rows[0].clock_skew).toBe(true);
    expect(rows[0].occurred_at.getTime()).toBe(receivedAt);
    expect(rows[0].reported_occurred_at.getTime()).toBe(receivedAt + 10 * MINUTE);
  });

  it('rejects events for an integration that does not exist with a not_found domain error', async () => {
    const story = new TicketStory('T-5', now);
    await expect(
      ingest.ingest({
        integrationId: 'nope',
        defaultPriority: 'normal',
        events: story.events,
        receivedAt: now,
      }),
    ).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  /**
   * A story whose clocks are all decided (stopped), so that the clocks do not depend on when they are
   * evaluated: reaction met, first response breached, resolution met after a pause.
   */
  function decidedStory(externalId: string): TicketStory {
    const c = now - 10 * HOUR;
    return (
      new TicketStory(externalId, c)
        .comment('internal', c + 20 * MINUTE, 'agent', false)
        .update('assign', c + 30 * MINUTE, { status: 'open', assigneeId: 'agent-7' })
        .comment('customer-chase', c + 2 * HOUR, 'customer')
        .comment('reply', c + 3 * HOUR, 'agent')
        .update('pending', c + 3 * HOUR + MINUTE, { status: 'pending' })
        .comment('customer-answer', c + 5 * HOUR, 'customer')
        // Not at the same instant as the comment: equal timestamps without a sequence are ordered by
        // arrival (rule 22), which legitimately differs between delivery orders.
        .update('reopen', c + 5 * HOUR + 1000, { status: 'open' }, 'customer')
        .update('solve', c + 6 * HOUR, { status: 'solved' })
    );
  }

  it('converges to identical clocks whatever the delivery order (rule 22, principle 1)', async () => {
    const orders = [0, 1, 2, 3].map((seed) => {
      const story = decidedStory(`T-order-${seed}`);
      return seed === 0 ? story.events : shuffled(story.events, seed);
    });
    const clocksByOrder = [];
    for (const [i, events] of orders.entries()) {
      let ticketId = '';
      for (const event of events) {
        // One delivery per event, each received in the order of this permutation.
        const result = await ingest.ingest({
          integrationId: INTEGRATION,
          defaultPriority: 'normal',
          events: [event],
          receivedAt: now,
        });
        ticketId = result.ticketIds[0];
      }
      clocksByOrder.push(await storedClocks(t.sql, ticketId));
      expect((await ticketRow(`T-order-${i}`)).status).toBe('solved');
    }
    expect(clocksByOrder[0].map((c) => [c.metric, c.state])).toEqual([
      ['first_response', 'breached'],
      ['next_response', 'not_applicable'], // the policy sets no next_response target
      ['reaction', 'met'],
      ['resolution', 'met'],
    ]);
    for (const clocks of clocksByOrder.slice(1)) expect(clocks).toEqual(clocksByOrder[0]);
  });

  it('keeps the earliest version of an event delivered twice with different times, in either order (rule 22)', async () => {
    // One agent reply carried by two deliveries stamped with different times (as a helpdesk trigger that
    // renders the ticket's update time does): the stored timeline must not depend on which came first.
    const timelines: unknown[] = [];
    for (const [i, order] of [
      [0, 1],
      [1, 0],
    ].entries()) {
      const c = now - 10 * HOUR;
      const story = new TicketStory(`T-twice-${i}`, c);
      const early = new TicketStory(`T-twice-${i}`, c).comment('reply', c + 20 * MINUTE, 'agent').events[1];
      const late = { ...early, occurredAt: c + 3 * HOUR };
      const versions = [early, late];
      let ticketId = '';
      for (const event of [story.events[0], versions[order[0]], versions[order[1]]]) {
        ticketId = (
          await ingest.ingest({
            integrationId: INTEGRATION,
            defaultPriority: 'normal',
            events: [event],
            receivedAt: now,
          })
        ).ticketIds[0];
      }
      const events = await t.sql.query(
        `SELECT event_id, occurred_at FROM ticket_events WHERE ticket_id = $1 ORDER BY occurred_at`,
        [ticketId],
      );
      expect(events.rows.map((r) => r.occurred_at.getTime())).toEqual([c, c + 20 * MINUTE]);
      const clocks = await storedClocks(t.sql, ticketId);
      expect(clocks.find((k) => k.metric === 'first_response')).toMatchObject({ state: 'met' });
      // Decided fields only: the resolution clock is still running, so its used time depends on the moment.
      timelines.push(clocks.map((k) => [k.metric, k.state, k.started_at, k.deadline, k.stopped_at]));
    }
    expect(timelines[1]).toEqual(timelines[0]);
  });

  it('serialises many concurrent deliveries for one ticket and converges (row lock)', async () => {
    const reference = decidedStory('T-conc-ref');
    await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: reference.events,
      receivedAt: now,
    });
    const story = decidedStory('T-conc');
    // Every event twice, all at once: one per delivery, as many workers would.
    const deliveries = [...story.events, ...story.events].map((event) =>
      ingest.ingest({
        integrationId: INTEGRATION,
        defaultPriority: 'normal',
        events: [event],
        receivedAt: now,
      }),
    );
    const results = await Promise.all(deliveries);
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(story.events.length);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(story.events.length);
    expect(new Set(results.map((r) => r.ticketIds[0])).size).toBe(1);
    const ticket = await ticketRow('T-conc');
    expect(ticket.clock_version).toBe(story.events.length);
    expect(await storedClocks(t.sql, ticket.id)).toEqual(
      await storedClocks(t.sql, (await ticketRow('T-conc-ref')).id),
    );
  });

  it('withdraws a breach when a late event shows it was met in time, keeping the first detection (rule 23)', async () => {
    const c = now - 3 * HOUR;
    const story = new TicketStory('T-late', c).comment('reply', c + 20 * MINUTE, 'agent');
    const [created, reply] = story.events;
    await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: [created],
      receivedAt: now,
    });
    const ticket = await ticketRow('T-late');
    const before = (await storedClocks(t.sql, ticket.id)).find((x) => x.metric === 'first_response')!;
    expect(before.state).toBe('breached');
    const {
      rows: [firstSeen],
    } = await t.sql.query(
      `SELECT first_breach_detected_at FROM ticket_clocks WHERE ticket_id = $1 AND metric = 'first_response'`,
      [ticket.id],
    );
    expect(firstSeen.first_breach_detected_at).toBeInstanceOf(Date);

    await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: [reply],
      receivedAt: now + 1000,
    });
    const {
      rows: [after],
    } = await t.sql.query(
      `SELECT state, breached_at, first_breach_detected_at, breach_withdrawn_at FROM ticket_clocks WHERE ticket_id = $1 AND metric = 'first_response'`,
      [ticket.id],
    );
    expect(after.state).toBe('met');
    expect(after.breached_at).toBeNull();
    expect(after.breach_withdrawn_at).toBeInstanceOf(Date);
    expect(after.first_breach_detected_at).toEqual(firstSeen.first_breach_detected_at);
  });

  it('cancels running clocks of a removed ticket (rule 16) and drops it from the queue', async () => {
    const story = new TicketStory('T-spam', now - 5 * MINUTE).update('spam', now - MINUTE, {
      removed: 'spam',
    });
    await ingest.ingest({
      integrationId: INTEGRATION,
      defaultPriority: 'normal',
      events: story.events,
      receivedAt: now,
    });
    const ticket = await ticketRow('T-spam');
    expect(ticket.removed).toBe('spam');
    expect(ticket.next_deadline).toBeNull();
    const states = (await storedClocks(t.sql, ticket.id)).map((c) => c.state);
    expect(new Set(states)).toEqual(new Set(['cancelled']));
  });

  it('marks a clock the timeline no longer produces not_applicable, and writes only clocks that changed', async () => {
    // A next-response target, so that a customer reply after an agent reply opens a cycle (breached
    // by now: 60 min from the follow-up).
    await t
      .http()
      .put('/policies/standard')
      .send({
        name: STANDARD_POLICY.name,
        position: STANDARD_POLICY.position,
        targets: {
          ...STANDARD_POLICY.targets,
          normal: { ...STANDARD_POLICY.targets.normal, next_response: { minutes: 60 } },
        },
      })
      .expect(200);
    const created = Date.now() - 2 * HOUR;
    const story = new TicketStory('T-vanish', created, { priority: 'normal' })
      .comment('reply', created + 10 * MINUTE, 'agent')
      .comment('follow-up', created + 30 * MINUTE, 'customer');
    const [createdEvent, reply, followUp] = story.events;
    await ingest.ingestMany([
      {
        integrationId: INTEGRATION,
        defaultPriority: 'normal',
        events: [createdEvent!, reply!],
        receivedAt: now,
      },
      {
        integrationId: INTEGRATION,
        defaultPriority: 'normal',
        events: [followUp!],
        receivedAt: now,
        inboxId: 'vanish-2',
      },
    ]);
    const ticket = await ticketRow('T-vanish');
    const versions = async () =>
      (
        await t.sql.query(
          `SELECT metric, cycle, state, not_applicable_reason, fingerprint, xmin::text AS version
           FROM ticket_clocks WHERE ticket_id = $1 ORDER BY metric, cycle`,
          [ticket.id],
        )
      ).rows;
    const before = await versions();
    const cycle = before.find((c) => c.metric === 'next_response' && c.state !== 'not_applicable');
    expect(cycle).toBeDefined();
    expect(before.every((c) => typeof c.fingerprint === 'string')).toBe(true);

    // Replay the follow-up's delivery as producing nothing: its next-response cycle is gone.
    await ingest.ingestMany(
      [
        {
          integrationId: INTEGRATION,
          defaultPriority: 'normal',
          events: [],
          receivedAt: now,
          inboxId: 'vanish-2',
        },
      ],
      { replace: true },
    );
    const after = await versions();
    const gone = after.find((c) => c.metric === cycle.metric && c.cycle === cycle.cycle);
    expect(gone).toMatchObject({
      state: 'not_applicable',
      not_applicable_reason: 'no longer produced by the timeline',
      fingerprint: null,
    });
    // The reaction and first-response clocks stopped at the reply and did not change: same row version.
    for (const metric of ['reaction', 'first_response']) {
      const was = before.find((c) => c.metric === metric);
      expect(after.find((c) => c.metric === metric)?.version).toBe(was.version);
    }
  });

  itLeavesWriteDigestsTrue(() => t.sql);
});
