import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alwaysOpenCalendar, evaluate } from '../../src/engine/index.js';
import type {
  ActorRole,
  BusinessCalendar,
  Clock,
  Priority,
  TicketStatus,
  TimelineEvent,
} from '../../src/engine/types.js';
import { MIN, TicketScript, at, calendars, context, policy } from './evaluate-fixtures.js';

type Step =
  | { gap: number; kind: 'status'; status: TicketStatus; by: ActorRole }
  | { gap: number; kind: 'comment'; role: ActorRole; isPublic: boolean }
  | { gap: number; kind: 'priority'; priority: Priority; by: ActorRole };

const role = fc.constantFrom<ActorRole>('agent', 'customer', 'system');
const status = fc.constantFrom<TicketStatus>(
  'open',
  'pending',
  'on_hold',
  'solved',
  'closed',
  'open',
  'pending',
);
const priority = fc.constantFrom<Priority>('urgent', 'high', 'normal', 'low');

/** Minutes between events: mostly short (so that clocks are met and paused too), sometimes days. */
const gap = (minGap: number) =>
  fc.oneof(
    { arbitrary: fc.integer({ min: minGap, max: 20 }), weight: 4 },
    { arbitrary: fc.integer({ min: minGap, max: 300 }), weight: 2 },
    { arbitrary: fc.integer({ min: minGap, max: 3000 }), weight: 1 },
  );

const step = (minGap: number): fc.Arbitrary<Step> =>
  fc.oneof(
    fc.record({ gap: gap(minGap), kind: fc.constant('status' as const), status, by: role }),
    fc.record({ gap: gap(minGap), kind: fc.constant('comment' as const), role, isPublic: fc.boolean() }),
    fc.record({ gap: gap(minGap), kind: fc.constant('priority' as const), priority, by: role }),
  );

const START = at('2026-03-02T06:00:00Z');

const scenario = (minGap: number) =>
  fc.record({
    createdOffset: fc.integer({ min: 0, max: 60 * 24 * 300 }), // minutes into the year (crosses DST and Christmas)
    createdBy: role,
    steps: fc.array(step(minGap), { maxLength: 25 }),
    nowOffset: fc.oneof(fc.integer({ min: -60, max: 600 }), fc.integer({ min: -600, max: 60 * 24 * 20 })),
  });

function buildTimeline(s: { createdOffset: number; createdBy: ActorRole; steps: Step[] }): TimelineEvent[] {
  const t = new TicketScript(START + s.createdOffset * MIN).created({
    by: s.createdBy,
    comment: { public: true },
  });
  for (const st of s.steps) {
    t.after(st.gap * MIN);
    if (st.kind === 'status') t.status(st.status, { by: st.by });
    else if (st.kind === 'comment') t.comment(st.role, st.isPublic);
    else t.priority(st.priority, { by: st.by });
  }
  return t.events;
}

const policies = [
  policy({
    id: 'mixed',
    targets: {
      urgent: {
        reaction: { minutes: 15, warnAtPercent: [50, 80] },
        first_response: { minutes: 30, calendarId: 'berlin' },
        resolution: { minutes: 240, calendarId: 'berlin', warnAtPercent: [75] },
        next_response: { minutes: 60, calendarId: 'berlin' },
      },
      high: {
        reaction: { minutes: 60, calendarId: 'berlin' },
        first_response: { minutes: 120 },
        resolution: { businessDays: 2, calendarId: 'berlin' },
        next_response: { minutes: 240, pauseOn: ['on_hold'] },
      },
      normal: {
        first_response: { minutes: 480, calendarId: 'berlin', warnAtPercent: [90] },
        resolution: { businessDays: 5, calendarId: 'berlin', pauseOn: ['pending'] },
        next_response: { minutes: 480, calendarId: 'berlin' },
      },
      low: { resolution: { minutes: 2400 } },
    },
  }),
];

function calendarOf(clock: Clock): BusinessCalendar {
  return clock.calendarId === null || clock.calendarId === '24x7'
    ? alwaysOpenCalendar
    : calendars.get(clock.calendarId)!;
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// FC_RUNS=5000 for a deeper search.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300) };

describe('evaluate — properties over random timelines', () => {
  it('rule 22: shuffled and duplicated timelines give deep-equal results', () => {
    fc.assert(
      fc.property(scenario(0), fc.integer(), fc.array(fc.nat(), { maxLength: 10 }), (s, seed, dupes) => {
        const events = buildTimeline(s);
        const ctx = context(policies, events[0].occurredAt + s.nowOffset * MIN);
        const duplicated = [...events, ...dupes.map((d) => ({ ...events[d % events.length] }))];
        expect(evaluate(shuffle(duplicated, seed), ctx)).toEqual(evaluate(events, ctx));
      }),
      RUNS,
    );
  });

  it('rule 22: results are independent of arrival order when occurrence times are distinct', () => {
    fc.assert(
      fc.property(scenario(1), fc.integer(), (s, seed) => {
        const events = buildTimeline(s);
        const arrivals = shuffle(
          events.map((e) => e.arrival),
          seed,
        );
        const rearrived = events.map((e, i) => ({ ...e, arrival: arrivals[i] }));
        const ctx = context(policies, events[0].occurredAt + s.nowOffset * MIN);
        expect(evaluate(rearrived, ctx)).toEqual(evaluate(events, ctx));
      }),
      RUNS,
    );
  });

  it('clock invariants: used ≤ elapsed business time; met stops ≤ deadline; breached has a passed deadline; explanation tiles', () => {
    fc.assert(
      fc.property(scenario(0), (s) => {
        const events = buildTimeline(s);
        const now = events[0].occurredAt + s.nowOffset * MIN;
        const result = evaluate(events, context(policies, now));
        for (const clock of result.clocks) {
          if (clock.state === 'not_applicable') continue;
          const calendar = calendarOf(clock);
          const end = clock.stoppedAt ?? now;
          const elapsed = Math.max(
            0,
            calendar.businessTimeBetween(clock.startedAt, Math.max(end, clock.startedAt)),
          );
          expect(clock.usedMs).toBeGreaterThanOrEqual(0);
          expect(clock.usedMs).toBeLessThanOrEqual(elapsed);
          if (clock.targetMs !== null) expect(clock.remainingMs).toBe(clock.targetMs - clock.usedMs);
          if (clock.state === 'met' && clock.deadline !== null)
            expect(clock.stoppedAt!).toBeLessThanOrEqual(clock.deadline);
          if (clock.state === 'breached') {
            expect(clock.deadline).not.toBeNull();
            expect(clock.deadline! < (clock.stoppedAt ?? now)).toBe(true);
            expect(clock.breachedAt).toBe(clock.deadline);
            expect(clock.breachDetectedAt!).toBeGreaterThanOrEqual(clock.deadline!);
          } else {
            expect(clock.breachedAt).toBeNull();
          }
          if (clock.state === 'running' || clock.state === 'paused') {
            expect(clock.stoppedAt).toBeNull();
            if (clock.deadline !== null) expect(clock.deadline).toBeGreaterThanOrEqual(now);
          }
          for (let i = 1; i < clock.warnings.length; i++)
            expect(clock.warnings[i].at).toBeGreaterThanOrEqual(clock.warnings[i - 1].at);
          const spans = clock.explanation;
          const spanEnd = Math.max(clock.deadline ?? -Infinity, end);
          if (spanEnd > clock.startedAt) {
            expect(spans[0].from).toBe(clock.startedAt);
            expect(spans[spans.length - 1].to).toBe(spanEnd);
            for (let i = 1; i < spans.length; i++) expect(spans[i].from).toBe(spans[i - 1].to);
          }
          for (let i = 1; i < clock.pausedIntervals.length; i++) {
            expect(clock.pausedIntervals[i].from).toBeGreaterThanOrEqual(clock.pausedIntervals[i - 1].to!);
          }
        }
        const cycles = result.clocks.filter((c) => c.metric === 'next_response').map((c) => c.cycle);
        expect(cycles).toEqual(cycles.map((_, i) => i + 1));
      }),
      RUNS,
    );
  });

  it('rule 4: a stopped clock keeps its outcome as time goes on', () => {
    fc.assert(
      fc.property(scenario(0), fc.integer({ min: 1, max: 60 * 24 * 30 }), (s, later) => {
        const events = buildTimeline(s);
        const now = events[events.length - 1].occurredAt + s.nowOffset * MIN;
        const before = evaluate(events, context(policies, now));
        const after = evaluate(events, context(policies, now + later * MIN));
        before.clocks.forEach((clock, i) => {
          if (clock.state === 'met' || clock.state === 'breached' || clock.state === 'cancelled') {
            if (clock.stoppedAt !== null) expect(after.clocks[i]).toEqual(clock);
          }
        });
      }),
      RUNS,
    );
  });
});
