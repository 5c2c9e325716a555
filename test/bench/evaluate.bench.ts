/**
 * Benchmark of the pure clock engine: `evaluate` on a realistic 50-event timeline with a Berlin business calendar.
 * Goal: ≥ 50,000 timelines/s on one core.
 *
 *   node --import @swc-node/register/esm-register test/bench/evaluate.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { compileCalendar, evaluate } from '../../src/engine/index.js';
import type {
  ActorRole,
  EvaluationContext,
  PolicyVersion,
  TicketSnapshot,
  TimelineEvent,
} from '../../src/engine/types.js';

const MIN = 60_000;

export interface EvaluateBenchResult {
  timelines: number;
  events: number;
  seconds: number;
  timelinesPerSecond: number;
  /** Per second of CPU time of this process: steadier than wall time on a busy machine. */
  timelinesPerCpuSecond: number;
}

function berlinContext(now: number): EvaluationContext {
  const berlin = compileCalendar({
    id: 'berlin',
    timeZone: 'Europe/Berlin',
    weekly: ([1, 2, 3, 4, 5] as const).map((day) => ({ day, start: '09:00', end: '17:00' })),
    holidays: [
      { date: '12-25', name: 'Christmas Day' },
      { date: '12-26', name: 'Boxing Day' },
      { date: '2026-05-01', name: 'Labour Day' },
    ],
  });
  const targets = {
    reaction: { minutes: 60, calendarId: 'berlin', warnAtPercent: [75, 90] },
    first_response: { minutes: 4 * 60, calendarId: 'berlin', warnAtPercent: [75, 90] },
    resolution: { minutes: 5 * 8 * 60, calendarId: 'berlin', warnAtPercent: [75, 90] },
    next_response: { minutes: 8 * 60, calendarId: 'berlin', warnAtPercent: [90] },
  };
  const policy = (policyId: string, position: number, tiers: string[]): PolicyVersion => ({
    policyId,
    name: policyId,
    version: 1,
    position,
    active: true,
    conditions: { tiers },
    targets: { urgent: targets, high: targets, normal: targets, low: targets },
    validFrom: 0,
    validTo: null,
  });
  return {
    policies: [
      policy('enterprise', 1, ['enterprise']),
      policy('business', 2, ['business']),
      policy('default', 99, []),
    ],
    calendars: new Map([['berlin', berlin]]),
    customerTiers: new Map([['acme', 'business']]),
    defaultTier: 'standard',
    now,
  };
}

/** 50 events over about a week: customer and agent messages, internal notes, pending/on-hold pauses, a priority change, a solve and a reopen. */
export function realisticTimeline(start = Date.parse('2026-03-02T08:12:00Z'), count = 50): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  let t = start;
  let state: TicketSnapshot = {
    id: 'T-4711',
    createdAt: start,
    status: 'new',
    priority: 'normal',
    customerId: 'acme',
    tags: ['de'],
  };
  const push = (
    type: TimelineEvent['type'],
    patch: Partial<TicketSnapshot>,
    role: ActorRole,
    comment?: { public: boolean },
  ): void => {
    state = { ...state, ...patch };
    const n = events.length + 1;
    events.push({
      id: `evt-${n}`,
      type,
      occurredAt: t,
      arrival: n,
      receivedAt: t + 1500,
      ticket: state,
      actor: { role, id: `${role}-1` },
      ...(comment ? { comment: { id: `c-${n}`, public: comment.public, authorRole: role } } : {}),
    });
  };
  push('ticket.created', {}, 'customer', { public: true });
  const script: Array<() => void> = [
    () => push('ticket.updated', { assigneeId: 'agent-7', status: 'open' }, 'agent'),
    () => push('comment.created', {}, 'agent', { public: false }),
    () => push('comment.created', {}, 'agent', { public: true }),
    () => push('comment.created', {}, 'customer', { public: true }),
    () => push('comment.created', {}, 'customer', { public: true }),
    () => push('ticket.updated', { status: 'pending' }, 'agent'),
    () => push('comment.created', { status: 'open' }, 'customer', { public: true }),
    () => push('ticket.updated', { status: 'on_hold' }, 'agent'),
    () => push('ticket.updated', { status: 'open', priority: 'high' }, 'agent'),
    () => push('comment.created', {}, 'agent', { public: true }),
  ];
  for (let i = 0; events.length < count - 2; i++) {
    t += ((i * 7919) % 230) * MIN + 90_000;
    script[i % script.length]();
  }
  t += 45 * MIN;
  push('ticket.updated', { status: 'solved' }, 'agent');
  t += 26 * 60 * MIN;
  push('comment.created', { status: 'open' }, 'customer', { public: true });
  return events;
}

export function runEvaluateBench(
  options: { seconds?: number; log?: (line: string) => void } = {},
): EvaluateBenchResult {
  const log = options.log ?? console.log;
  const timeline = realisticTimeline();
  const now = timeline[timeline.length - 1].occurredAt + 90 * MIN;
  const ctx = berlinContext(now);
  const budgetMs = (options.seconds ?? 2) * 1000;

  for (let i = 0; i < 2000; i++) evaluate(timeline, ctx); // warm-up (JIT, calendar expansion)
  let timelines = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let elapsed = 0;
  let sink = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 1000; i++) sink += evaluate(timeline, ctx).clocks.length;
    timelines += 1000;
    elapsed = performance.now() - started;
  }
  const cpu = process.cpuUsage(cpuBefore);
  if (sink === 0) throw new Error('evaluate produced no clocks');
  const seconds = elapsed / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result = {
    timelines,
    events: timeline.length,
    seconds,
    timelinesPerSecond: Math.round(timelines / seconds),
    timelinesPerCpuSecond: Math.round(timelines / cpuSeconds),
  };
  log(
    `evaluate: ${result.timelinesPerSecond.toLocaleString('en-US')} timelines/s wall, ` +
      `${result.timelinesPerCpuSecond.toLocaleString('en-US')}/s per CPU second ` +
      `(${result.events} events each, Europe/Berlin business calendar, ${(1e6 / result.timelinesPerSecond).toFixed(1)} µs/timeline; goal ≥ 50,000/s)`,
  );
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runEvaluateBench();
}
