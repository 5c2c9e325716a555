import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, REOPEN_FOLLOW_UP_WINDOW_MS } from '../../src/engine/index.js';
import type { TimelineEvent } from '../../src/engine/types.js';
import { HOUR, MIN, TicketScript, at, clockOf, context, everyPriority, policy } from './evaluate-fixtures.js';

/**
 * A customer message on a solved ticket followed, within REOPEN_FOLLOW_UP_WINDOW_MS, by a reopen reported as its
 * own event (JSM automation; Zendesk `comment_added` then `status_changed`) belongs to the reopened ticket: it
 * opens a next_response cycle from the message.
 */
const T0 = at('2026-03-02T08:00:00Z');
const withNext = policy({
  targets: everyPriority({ first_response: { minutes: 60 }, next_response: { minutes: 120 } }),
});
const cycles = (events: TimelineEvent[], now: number) =>
  evaluate(events, context([withNext], now)).clocks.filter((c) => c.metric === 'next_response');

/** Replied and solved at T0 + 2 min; the customer writes `messageAt` later; a reopen follows `reopenAfter` later. */
function solvedThenMessage(
  messageAt: number,
  reopenAfter: number | null,
  by: 'system' | 'customer' | 'agent' = 'system',
) {
  const t = new TicketScript(T0)
    .created()
    .after(MIN)
    .reply()
    .after(MIN)
    .status('solved')
    .after(messageAt)
    .comment('customer', true);
  if (reopenAfter !== null) t.after(reopenAfter).status('open', { by });
  return t;
}

describe('a customer message followed by a separate reopen (REOPEN_FOLLOW_UP_WINDOW_MS)', () => {
  it('the window is two minutes', () => {
    expect(REOPEN_FOLLOW_UP_WINDOW_MS).toBe(2 * MIN);
  });

  it('a reopen by automation 5 s after the message opens a cycle from the message', () => {
    const t = solvedThenMessage(HOUR, 5_000);
    const [cycle, ...rest] = cycles(t.events, T0 + 3 * HOUR);
    expect(rest).toEqual([]);
    expect(cycle).toMatchObject({
      cycle: 1,
      state: 'running',
      startedAt: T0 + 2 * MIN + HOUR,
      deadline: T0 + 2 * MIN + 3 * HOUR,
    });
    // first_response stays met at the first reply.
    expect(clockOf(evaluate(t.events, context([withNext], T0 + 3 * HOUR)), 'first_response')).toMatchObject({
      state: 'met',
      stoppedAt: T0 + MIN,
    });
  });

  it('exactly at the window still counts; one millisecond later the message stays on the solved ticket', () => {
    expect(cycles(solvedThenMessage(HOUR, REOPEN_FOLLOW_UP_WINDOW_MS).events, T0 + 3 * HOUR)).toHaveLength(1);
    expect(cycles(solvedThenMessage(HOUR, REOPEN_FOLLOW_UP_WINDOW_MS + 1).events, T0 + 3 * HOUR)).toEqual([]);
  });

  it('a reopen by the customer or by an agent counts the same way', () => {
    expect(cycles(solvedThenMessage(HOUR, 30_000, 'customer').events, T0 + 3 * HOUR)).toHaveLength(1);
    expect(cycles(solvedThenMessage(HOUR, 30_000, 'agent').events, T0 + 3 * HOUR)).toHaveLength(1);
  });

  it('without a reopen, a message on a solved ticket opens no cycle', () => {
    expect(cycles(solvedThenMessage(HOUR, null).events, T0 + 3 * HOUR)).toEqual([]);
  });

  it('the next public agent reply stops the cycle, counted from the message', () => {
    const t = solvedThenMessage(HOUR, 10_000)
      .after(20 * MIN)
      .reply();
    expect(cycles(t.events, T0 + 5 * HOUR)).toMatchObject([
      { cycle: 1, state: 'met', startedAt: T0 + 62 * MIN, stoppedAt: T0 + 62 * MIN + 10_000 + 20 * MIN },
    ]);
  });

  it('an agent reply on the solved ticket between the message and the reopen answers it', () => {
    const t = new TicketScript(T0)
      .created()
      .after(MIN)
      .reply()
      .after(MIN)
      .status('solved')
      .after(HOUR)
      .comment('customer', true)
      .after(20_000)
      .reply()
      .after(20_000)
      .status('open', { by: 'system' });
    expect(cycles(t.events, T0 + 3 * HOUR)).toEqual([]);
  });

  it('several messages on the solved ticket: the cycle starts at the oldest within the window of the reopen', () => {
    const t = new TicketScript(T0)
      .created()
      .after(MIN)
      .reply()
      .after(MIN)
      .status('solved')
      .after(HOUR)
      .comment('customer', true) // 10 min before the reopen: stays with the solved ticket
      .after(9 * MIN)
      .comment('customer', true) // 1 min before the reopen: the cycle starts here
      .after(30_000)
      .comment('customer', true)
      .after(30_000)
      .status('open', { by: 'system' });
    expect(cycles(t.events, T0 + 3 * HOUR)).toMatchObject([{ cycle: 1, startedAt: T0 + 2 * MIN + 69 * MIN }]);
  });

  it('a message before any agent reply is first_response territory, not a cycle', () => {
    const t = new TicketScript(T0)
      .created()
      .after(MIN)
      .status('solved')
      .after(HOUR)
      .comment('customer', true)
      .after(10_000)
      .status('open', { by: 'system' });
    expect(cycles(t.events, T0 + 3 * HOUR)).toEqual([]);
  });

  it('property: the cycle depends only on the gap, never on delivery order or duplicates', () => {
    fc.assert(
      fc.property(
        // Distinct occurrence times (rule 22: equal times are ordered by arrival).
        fc.integer({ min: 1, max: 2 * REOPEN_FOLLOW_UP_WINDOW_MS }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 1000 }),
        (gapMs, messageMinutes, seed) => {
          const t = solvedThenMessage(messageMinutes * MIN, gapMs);
          const now = T0 + 10 * HOUR + messageMinutes * MIN;
          const inOrder = cycles(t.events, now);
          const messageAt = T0 + 2 * MIN + messageMinutes * MIN;
          if (gapMs <= REOPEN_FOLLOW_UP_WINDOW_MS) {
            expect(inOrder).toHaveLength(1);
            expect(inOrder[0]).toMatchObject({ cycle: 1, startedAt: messageAt });
          } else {
            expect(inOrder).toEqual([]);
          }
          // Delivered in another order (arrival numbers follow the delivery order), with a duplicate.
          const shuffled = shuffle(t.events, seed).map((e, i) => ({ ...e, arrival: i + 1 }));
          const replayed = [...shuffled, { ...shuffled[0]!, arrival: shuffled.length + 1 }];
          expect(cycles(replayed, now)).toEqual(inOrder);
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });
});

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
