import { describe, expect, it } from 'vitest';
import { carryForwardSnapshots, evaluate } from '../../src/engine/index.js';
import { HOUR, MIN, TicketScript, at, clockOf, context, everyPriority, policy } from './evaluate-fixtures.js';

// 24/7 targets (no calendarId): reaction 30 min, first_response 60 min, resolution 8 h.
const p24 = policy();
const T0 = at('2026-03-02T08:00:00Z');

describe('reaction (rule 13: any agent action)', () => {
  it('rule 13: an internal note by an agent stops reaction but not first_response', () => {
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .comment('agent', false);
    const result = evaluate(t.events, context([p24], T0 + 20 * MIN));
    expect(clockOf(result, 'reaction')).toMatchObject({
      state: 'met',
      stoppedAt: T0 + 10 * MIN,
      usedMs: 10 * MIN,
    });
    expect(clockOf(result, 'first_response')).toMatchObject({
      state: 'running',
      stoppedAt: null,
      usedMs: 20 * MIN,
    });
  });

  it('rule 13: a status change made by an agent is an agent action', () => {
    const t = new TicketScript(T0)
      .created()
      .after(5 * MIN)
      .status('open', { by: 'agent' });
    expect(clockOf(evaluate(t.events, context([p24], T0 + HOUR)), 'reaction')).toMatchObject({
      state: 'met',
      stoppedAt: T0 + 5 * MIN,
    });
  });

  it('rule 13: an assignment made by an agent is an agent action, one made by an automation is not', () => {
    const auto = new TicketScript(T0).created().after(MIN).update({ assigneeId: 'a-7' }, { by: 'system' });
    expect(clockOf(evaluate(auto.events, context([p24], T0 + 10 * MIN)), 'reaction').state).toBe('running');
    auto.after(MIN).update({ assigneeId: 'a-8' }, { by: 'agent' });
    expect(clockOf(evaluate(auto.events, context([p24], T0 + 10 * MIN)), 'reaction')).toMatchObject({
      state: 'met',
      stoppedAt: T0 + 2 * MIN,
    });
  });

  it('rule 13: customer and system comments do not stop reaction', () => {
    const t = new TicketScript(T0)
      .created()
      .after(5 * MIN)
      .comment('customer', true)
      .after(5 * MIN)
      .comment('system', true);
    expect(clockOf(evaluate(t.events, context([p24], T0 + 20 * MIN)), 'reaction').state).toBe('running');
  });

  it('reaction past its target without any agent action is breached, detected at the deadline', () => {
    const t = new TicketScript(T0).created();
    const reaction = clockOf(evaluate(t.events, context([p24], T0 + HOUR)), 'reaction');
    expect(reaction).toMatchObject({
      state: 'breached',
      deadline: T0 + 30 * MIN,
      breachedAt: T0 + 30 * MIN,
      breachDetectedAt: T0 + 30 * MIN,
    });
    expect(reaction.remainingMs).toBe(-30 * MIN);
    expect(reaction.percentUsed).toBe(200);
  });
});

describe('first_response (rule 13: only a public agent reply)', () => {
  it('rule 13: internal notes, customer replies and system comments do not stop first_response', () => {
    const t = new TicketScript(T0)
      .created()
      .after(5 * MIN)
      .comment('agent', false)
      .after(5 * MIN)
      .comment('customer', true)
      .after(5 * MIN)
      .comment('system', true)
      .after(5 * MIN)
      .comment('system', true, { by: 'agent' });
    expect(clockOf(evaluate(t.events, context([p24], T0 + 30 * MIN)), 'first_response')).toMatchObject({
      state: 'running',
      usedMs: 30 * MIN,
    });
  });

  it('rule 13: a public agent reply stops first_response (met before its deadline)', () => {
    const t = new TicketScript(T0)
      .created()
      .after(45 * MIN)
      .reply();
    expect(clockOf(evaluate(t.events, context([p24], T0 + 5 * HOUR)), 'first_response')).toMatchObject({
      state: 'met',
      stoppedAt: T0 + 45 * MIN,
      usedMs: 45 * MIN,
      remainingMs: 15 * MIN,
      percentUsed: 75,
      deadline: T0 + HOUR,
    });
  });

  it('a reply exactly at the deadline is met', () => {
    const t = new TicketScript(T0).created().after(HOUR).reply();
    expect(clockOf(evaluate(t.events, context([p24], T0 + 5 * HOUR)), 'first_response')).toMatchObject({
      state: 'met',
      remainingMs: 0,
    });
  });

  it('at exactly the deadline a running clock is not yet breached; one millisecond later it is', () => {
    const t = new TicketScript(T0).created();
    expect(clockOf(evaluate(t.events, context([p24], T0 + HOUR)), 'first_response').state).toBe('running');
    expect(clockOf(evaluate(t.events, context([p24], T0 + HOUR + 1)), 'first_response').state).toBe(
      'breached',
    );
  });

  it('rule 13: a ticket opened by an agent with a public comment has no first_response clock; its reaction is met at once', () => {
    const t = new TicketScript(T0)
      .created({ by: 'agent', comment: { public: true } })
      .after(3 * HOUR)
      .comment('customer', true);
    const result = evaluate(t.events, context([p24], T0 + 4 * HOUR));
    expect(clockOf(result, 'first_response')).toMatchObject({
      state: 'not_applicable',
      notApplicableReason: expect.stringContaining('agent'),
    });
    expect(clockOf(result, 'reaction')).toMatchObject({ state: 'met', usedMs: 0, stoppedAt: T0 });
  });

  it('rule 13: a ticket opened by an agent without a public comment (e.g. a phone call) still measures first_response', () => {
    const t = new TicketScript(T0)
      .created({ by: 'agent', comment: { public: false } })
      .after(20 * MIN)
      .reply();
    expect(clockOf(evaluate(t.events, context([p24], T0 + HOUR)), 'first_response')).toMatchObject({
      state: 'met',
      usedMs: 20 * MIN,
    });
  });

  it('a ticket opened by a customer with a comment measures first_response normally', () => {
    const t = new TicketScript(T0).created({ by: 'customer', comment: { public: true } });
    expect(clockOf(evaluate(t.events, context([p24], T0 + 10 * MIN)), 'first_response').state).toBe(
      'running',
    );
  });

  it('solving a ticket without a public reply stops first_response (a solved ticket must not keep breaching)', () => {
    const t = new TicketScript(T0)
      .created()
      .after(20 * MIN)
      .status('solved', { by: 'system' });
    const result = evaluate(t.events, context([p24], T0 + 10 * HOUR));
    expect(clockOf(result, 'first_response')).toMatchObject({ state: 'met', stoppedAt: T0 + 20 * MIN });
    expect(clockOf(result, 'reaction')).toMatchObject({ state: 'met', stoppedAt: T0 + 20 * MIN });
  });

  it('rule 15: a late reply does not turn a breach into met, and the overdue time freezes at the stop', () => {
    const t = new TicketScript(T0)
      .created()
      .after(90 * MIN)
      .reply();
    const early = clockOf(evaluate(t.events, context([p24], T0 + 2 * HOUR)), 'first_response');
    const later = clockOf(evaluate(t.events, context([p24], T0 + 50 * HOUR)), 'first_response');
    expect(early).toMatchObject({
      state: 'breached',
      breachedAt: T0 + HOUR,
      breachDetectedAt: T0 + HOUR,
      usedMs: 90 * MIN,
      remainingMs: -30 * MIN,
    });
    expect(later).toEqual(early);
  });

  it('rule 23: a reply that arrives late but happened before the deadline makes the clock met', () => {
    const before = new TicketScript(T0).created();
    expect(clockOf(evaluate(before.events, context([p24], T0 + 2 * HOUR)), 'first_response').state).toBe(
      'breached',
    );
    const after = new TicketScript(T0)
      .created()
      .after(40 * MIN)
      .reply({ lateBy: 80 * MIN });
    expect(clockOf(evaluate(after.events, context([p24], T0 + 2 * HOUR)), 'first_response')).toMatchObject({
      state: 'met',
      breachedAt: null,
      breachDetectedAt: null,
    });
  });
});

describe('resolution: pauses (rules 10, 11)', () => {
  it('rule 11: moving from pending to on_hold is one pause', () => {
    const t = new TicketScript(T0)
      .created()
      .after(HOUR)
      .status('pending')
      .after(HOUR)
      .status('on_hold')
      .after(HOUR)
      .status('open');
    const resolution = clockOf(evaluate(t.events, context([p24], T0 + 4 * HOUR)), 'resolution');
    expect(resolution.pausedIntervals).toEqual([{ from: T0 + HOUR, to: T0 + 3 * HOUR, status: 'pending' }]);
    expect(resolution).toMatchObject({ state: 'running', usedMs: 2 * HOUR, deadline: T0 + 10 * HOUR });
  });

  it('rule 11: a paused clock reports state paused and its deadline as if it resumed now', () => {
    const t = new TicketScript(T0)
      .created()
      .after(2 * HOUR)
      .status('pending');
    const resolution = clockOf(evaluate(t.events, context([p24], T0 + 5 * HOUR)), 'resolution');
    expect(resolution).toMatchObject({
      state: 'paused',
      usedMs: 2 * HOUR,
      remainingMs: 6 * HOUR,
      deadline: T0 + 11 * HOUR,
    });
    expect(resolution.pausedIntervals).toEqual([{ from: T0 + 2 * HOUR, to: null, status: 'pending' }]);
  });

  it('rule 11: solving straight from pending stops the clock at the solve', () => {
    const t = new TicketScript(T0)
      .created()
      .after(HOUR)
      .status('pending')
      .after(30 * HOUR)
      .status('solved');
    const resolution = clockOf(evaluate(t.events, context([p24], T0 + 40 * HOUR)), 'resolution');
    expect(resolution).toMatchObject({ state: 'met', stoppedAt: T0 + 31 * HOUR, usedMs: HOUR });
    expect(resolution.pausedIntervals).toEqual([{ from: T0 + HOUR, to: T0 + 31 * HOUR, status: 'pending' }]);
  });

  it('rule 10: reaction and first_response never pause by default', () => {
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .status('pending', { by: 'system' });
    const result = evaluate(t.events, context([p24], T0 + 2 * HOUR));
    expect(clockOf(result, 'first_response')).toMatchObject({ state: 'breached', pausedIntervals: [] });
  });

  it('rule 10: the pause set is configurable per target', () => {
    const custom = policy({
      targets: everyPriority({
        first_response: { minutes: 60, pauseOn: ['on_hold'] },
        resolution: { minutes: 480, pauseOn: ['on_hold'] },
      }),
    });
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .status('on_hold', { by: 'system' })
      .after(HOUR)
      .status('pending', { by: 'system' });
    const result = evaluate(t.events, context([custom], T0 + 110 * MIN));
    expect(clockOf(result, 'first_response')).toMatchObject({
      state: 'running',
      usedMs: 50 * MIN,
      deadline: T0 + 120 * MIN,
    });
    expect(clockOf(result, 'resolution').pausedIntervals).toEqual([
      { from: T0 + 10 * MIN, to: T0 + 70 * MIN, status: 'on_hold' },
    ]);
  });

  it('a pause that begins after the deadline does not rescue a breached clock', () => {
    const t = new TicketScript(T0)
      .created()
      .after(9 * HOUR)
      .status('pending');
    expect(clockOf(evaluate(t.events, context([p24], T0 + 12 * HOUR)), 'resolution')).toMatchObject({
      state: 'breached',
      breachedAt: T0 + 8 * HOUR,
      usedMs: 9 * HOUR,
    });
  });
});

describe('resolution: reopen (rule 12)', () => {
  it('rule 12: reopen resumes resolution with the used time kept; reaction and first_response stay stopped', () => {
    const t = new TicketScript(T0)
      .created()
      .after(HOUR)
      .reply()
      .after(HOUR)
      .status('solved')
      .after(10 * HOUR)
      .comment('customer', true, { status: 'open' })
      .after(HOUR);
    const result = evaluate(t.events, context([p24], t.time));
    const resolution = clockOf(result, 'resolution');
    expect(resolution).toMatchObject({
      state: 'running',
      stoppedAt: null,
      usedMs: 3 * HOUR,
      deadline: T0 + 18 * HOUR,
    });
    expect(resolution.pausedIntervals).toEqual([
      { from: T0 + 2 * HOUR, to: T0 + 12 * HOUR, status: 'solved' },
    ]);
    expect(clockOf(result, 'first_response')).toMatchObject({ state: 'met', stoppedAt: T0 + HOUR });
    expect(clockOf(result, 'reaction')).toMatchObject({ state: 'breached', stoppedAt: T0 + HOUR });
  });

  it('rule 12: solved again after a reopen stops at the final solve', () => {
    const t = new TicketScript(T0)
      .created()
      .after(HOUR)
      .status('solved')
      .after(HOUR)
      .status('open')
      .after(HOUR)
      .status('closed');
    expect(clockOf(evaluate(t.events, context([p24], T0 + 10 * HOUR)), 'resolution')).toMatchObject({
      state: 'met',
      stoppedAt: T0 + 3 * HOUR,
      usedMs: 2 * HOUR,
    });
  });

  it('rule 12: a reopen whose used time already equals the target breaches at once (breach at the reopen)', () => {
    const t = new TicketScript(T0)
      .created()
      .after(8 * HOUR)
      .status('solved');
    expect(clockOf(evaluate(t.events, context([p24], T0 + 9 * HOUR)), 'resolution').state).toBe('met');
    t.after(4 * HOUR).comment('customer', true, { status: 'open', lateBy: 5 * MIN });
    const reopenedAt = t.time;
    const resolution = clockOf(evaluate(t.events, context([p24], reopenedAt + HOUR)), 'resolution');
    expect(resolution).toMatchObject({
      state: 'breached',
      deadline: reopenedAt,
      breachedAt: reopenedAt,
      breachDetectedAt: reopenedAt + 5 * MIN,
      usedMs: 9 * HOUR,
    });
  });

  it('rule 12/15: a clock breached before its solve stays breached after a reopen, with the original breach', () => {
    const t = new TicketScript(T0)
      .created()
      .after(9 * HOUR)
      .status('solved')
      .after(HOUR)
      .status('open')
      .after(HOUR)
      .status('solved');
    expect(clockOf(evaluate(t.events, context([p24], T0 + 20 * HOUR)), 'resolution')).toMatchObject({
      state: 'breached',
      breachedAt: T0 + 8 * HOUR,
      breachDetectedAt: T0 + 8 * HOUR,
      usedMs: 10 * HOUR,
    });
  });
});

describe('next_response cycles (rule 14)', () => {
  const withNext = policy({
    targets: everyPriority({
      first_response: { minutes: 60 },
      next_response: { minutes: 120, warnAtPercent: [50] },
    }),
  });

  it('rule 14: each cycle runs from the oldest unanswered customer message to the next public agent reply', () => {
    const t = new TicketScript(T0)
      .created({ comment: { public: true } })
      .after(30 * MIN)
      .comment('customer', true) // before any agent reply: first_response covers it
      .after(30 * MIN)
      .reply()
      .after(HOUR)
      .comment('customer', true) // opens cycle 1
      .after(HOUR)
      .comment('customer', true) // joins cycle 1
      .after(30 * MIN)
      .comment('agent', false) // internal note: no stop
      .after(30 * MIN)
      .reply() // stops cycle 1 after 2 h: met at the deadline
      .after(HOUR)
      .comment('customer', true); // opens cycle 2
    const result = evaluate(t.events, context([withNext], t.time + 3 * HOUR));
    const cycles = result.clocks.filter((c) => c.metric === 'next_response');
    expect(cycles.map((c) => c.cycle)).toEqual([1, 2]);
    expect(cycles[0]).toMatchObject({
      state: 'met',
      startedAt: T0 + 2 * HOUR,
      stoppedAt: T0 + 4 * HOUR,
      usedMs: 2 * HOUR,
    });
    expect(cycles[1]).toMatchObject({
      state: 'breached',
      startedAt: T0 + 5 * HOUR,
      breachedAt: T0 + 7 * HOUR,
    });
    expect(cycles[1].warnings).toEqual([{ percent: 50, at: T0 + 6 * HOUR }]);
  });

  it('rule 10: a next_response cycle ends when the ticket is solved', () => {
    const t = new TicketScript(T0)
      .created()
      .after(MIN)
      .reply()
      .after(MIN)
      .comment('customer', true)
      .after(MIN)
      .status('solved');
    expect(
      clockOf(evaluate(t.events, context([withNext], T0 + 10 * HOUR)), 'next_response', 1),
    ).toMatchObject({
      state: 'met',
      stoppedAt: T0 + 3 * MIN,
    });
  });

  it('a customer message that reopens a solved ticket opens a cycle', () => {
    const t = new TicketScript(T0)
      .created()
      .after(MIN)
      .reply({ status: 'solved' })
      .after(HOUR)
      .comment('customer', true, { status: 'open' });
    expect(clockOf(evaluate(t.events, context([withNext], T0 + 2 * HOUR)), 'next_response', 1)).toMatchObject(
      {
        state: 'running',
        startedAt: T0 + 61 * MIN,
      },
    );
  });

  it('next_response is not_applicable when the policy has no target for it (cycles are still numbered)', () => {
    const t = new TicketScript(T0).created().after(MIN).reply().after(MIN).comment('customer', true);
    expect(clockOf(evaluate(t.events, context([policy()], T0 + HOUR)), 'next_response', 1)).toMatchObject({
      state: 'not_applicable',
      policyId: 'p-default',
    });
  });
});

describe('cancelled (rule 16)', () => {
  for (const reason of ['deleted', 'spam', 'merged'] as const) {
    it(`rule 16: a ticket ${reason} cancels its running clocks; stopped clocks keep their outcome`, () => {
      const t = new TicketScript(T0)
        .created()
        .after(10 * MIN)
        .comment('agent', false)
        .after(2 * HOUR)
        .removed(reason);
      const result = evaluate(t.events, context([p24], T0 + 20 * HOUR));
      expect(clockOf(result, 'reaction')).toMatchObject({ state: 'met', stoppedAt: T0 + 10 * MIN });
      // first_response ran past its deadline before the removal: cancelled all the same (excluded from reports).
      expect(clockOf(result, 'first_response')).toMatchObject({
        state: 'cancelled',
        stoppedAt: T0 + 130 * MIN,
        breachedAt: null,
      });
      expect(clockOf(result, 'resolution')).toMatchObject({ state: 'cancelled', usedMs: 130 * MIN });
    });
  }

  it('rule 16: a clock breached and stopped before the removal keeps its breach', () => {
    const t = new TicketScript(T0)
      .created()
      .after(2 * HOUR)
      .reply()
      .after(HOUR)
      .removed('spam');
    expect(clockOf(evaluate(t.events, context([p24], T0 + 5 * HOUR)), 'first_response').state).toBe(
      'breached',
    );
  });

  it('events after the removal do not stop the cancelled clocks', () => {
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .removed('deleted')
      .after(MIN)
      .reply({ by: 'agent' });
    // the reply's snapshot still says removed: the ticket stays removed
    expect(clockOf(evaluate(t.events, context([p24], T0 + HOUR)), 'first_response')).toMatchObject({
      state: 'cancelled',
      stoppedAt: T0 + 10 * MIN,
    });
  });

  it('a restored ticket (removal undone) runs its clocks as if never removed', () => {
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .removed('spam')
      .after(MIN)
      .update({ removed: undefined });
    expect(clockOf(evaluate(t.events, context([p24], T0 + 20 * MIN)), 'first_response').state).toBe(
      'running',
    );
  });
});

describe('removal undone (rule 16)', () => {
  it('the status a removal reports (Zendesk soft delete: DELETED) neither stops nor pauses a restored ticket', () => {
    const t = new TicketScript(T0)
      .created()
      .after(10 * MIN)
      .update({ removed: 'deleted', status: 'closed' }, { by: 'agent' })
      .after(20 * MIN)
      .update({ removed: undefined, status: 'open' }, { by: 'agent' });
    const result = evaluate(t.events, context([p24], T0 + 40 * MIN));
    expect(clockOf(result, 'first_response')).toMatchObject({
      state: 'running',
      stoppedAt: null,
      usedMs: 40 * MIN,
    });
    expect(clockOf(result, 'resolution')).toMatchObject({
      state: 'running',
      usedMs: 40 * MIN,
      pausedIntervals: [],
    });
    // Removing is no agent action: only the restore (an agent's update) stops reaction.
    expect(clockOf(result, 'reaction')).toMatchObject({ state: 'met', stoppedAt: T0 + 30 * MIN });
  });
});

describe('partial snapshots', () => {
  it('a field absent from a later snapshot is unchanged, not empty (a Jira comment event without custom fields)', () => {
    const t = new TicketScript(T0)
      .created()
      .after(5 * MIN)
      .update({ priority: 'urgent', customerId: 'acme', tier: 'gold', tags: ['vip'], assigneeId: 'a-1' })
      .after(5 * MIN)
      .update({
        priority: undefined,
        customerId: undefined,
        tier: undefined,
        tags: undefined,
        assigneeId: undefined,
      });
    const events = carryForwardSnapshots(t.events);
    expect(events[2]!.ticket).toMatchObject({
      priority: 'urgent',
      customerId: 'acme',
      tier: 'gold',
      tags: ['vip'],
      assigneeId: 'a-1',
    });
    expect(evaluate(t.events, context([p24], T0 + HOUR))).toMatchObject({ priority: 'urgent', tier: 'gold' });
  });

  it('a snapshot without a status keeps the status of the event before it', () => {
    const t = new TicketScript(T0).created().after(HOUR).status('pending');
    t.after(HOUR).comment('agent', false);
    const partial = t.events.at(-1)!;
    delete (partial.ticket as { status?: unknown }).status;
    const result = evaluate(t.events, context([p24], T0 + 3 * HOUR));
    expect(result.status).toBe('pending');
    expect(clockOf(result, 'resolution')).toMatchObject({
      state: 'paused',
      pausedIntervals: [{ from: T0 + HOUR, to: null, status: 'pending' }],
    });
    expect(carryForwardSnapshots(t.events).at(-1)!.ticket.status).toBe('pending');
  });

  it('the tier is not carried to another customer', () => {
    const t = new TicketScript(T0)
      .created()
      .update({ customerId: 'acme', tier: 'gold' })
      .after(MIN)
      .update({ customerId: 'globex', tier: undefined });
    expect(carryForwardSnapshots(t.events)[2]!.ticket.tier).toBeUndefined();
  });
});

describe('ordering and duplicates (rule 22)', () => {
  it('rule 22: events are ordered by occurrence, not by arrival', () => {
    const t = new TicketScript(T0)
      .created()
      .after(20 * MIN)
      .reply();
    const reversed = t.events.map((e, i) => ({ ...e, arrival: t.events.length - i })).reverse();
    expect(evaluate(reversed, context([p24], T0 + HOUR))).toEqual(
      evaluate(t.events, context([p24], T0 + HOUR)),
    );
  });

  it('rule 22: ties are broken by provider sequence, then by arrival', () => {
    // Same instant: solve (sequence 2) and reopen (sequence 1) — the sequence says the reopen came first.
    const t = new TicketScript(T0)
      .created()
      .after(HOUR)
      .status('solved', { sequence: 2 })
      .status('open', { sequence: 1 });
    expect(clockOf(evaluate(t.events, context([p24], T0 + 2 * HOUR)), 'resolution')).toMatchObject({
      state: 'met',
      stoppedAt: T0 + HOUR,
    });
    const bySequence = new TicketScript(T0)
      .created()
      .after(HOUR)
      .status('solved', { sequence: 1 })
      .status('open', { sequence: 2 });
    expect(clockOf(evaluate(bySequence.events, context([p24], T0 + 2 * HOUR)), 'resolution').state).toBe(
      'running',
    );
  });

  it('rule 22: a duplicate delivery (same event id) is ignored; the first arrival wins', () => {
    const t = new TicketScript(T0)
      .created()
      .after(20 * MIN)
      .reply();
    const duplicate = { ...t.events[1], arrival: 99, occurredAt: T0 + 50 * MIN };
    expect(
      clockOf(evaluate([...t.events, duplicate], context([p24], T0 + HOUR)), 'first_response').stoppedAt,
    ).toBe(T0 + 20 * MIN);
  });

  it('an empty timeline has no clocks', () => {
    expect(evaluate([], context([p24], T0))).toEqual({
      ticketId: '',
      tier: null,
      priority: null,
      status: null,
      clocks: [],
    });
  });
});

describe('ticket start', () => {
  it('clocks start at the earliest creation time any snapshot reports, whatever the delivery order', () => {
    // The first delivery only knew its receipt time as the creation time; a later one carries the real one.
    const t = new TicketScript(T0).created();
    const later = {
      ...t.events[0],
      id: 'e-late',
      arrival: 99,
      ticket: { ...t.events[0].ticket, createdAt: T0 - 10 * MIN },
    };
    const result = evaluate([t.events[0], later], context([p24], T0 + 5 * MIN));
    expect(clockOf(result, 'reaction')).toMatchObject({ startedAt: T0 - 10 * MIN, usedMs: 15 * MIN });
    expect(evaluate([later, t.events[0]], context([p24], T0 + 5 * MIN))).toEqual(result);
  });
});
