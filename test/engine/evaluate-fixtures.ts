/**
 * Builders for engine tests: tickets as readable event scripts, policies, contexts and a Berlin office calendar.
 */
import { compileCalendar } from '../../src/engine/calendar/index.js';
import type {
  ActorRole,
  BusinessCalendar,
  Clock,
  EvaluationContext,
  Metric,
  MetricTargets,
  PolicyConditions,
  PolicyVersion,
  Priority,
  RemovalReason,
  TicketEvaluation,
  TicketSnapshot,
  TicketStatus,
  TimelineEvent,
} from '../../src/engine/types.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export const at = (iso: string): number => Date.parse(iso);
export const iso = (ms: number | null | undefined): string | null =>
  ms == null ? null : new Date(ms).toISOString();

/** Berlin office hours: Mon–Fri 09:00–17:00 local, with a few holidays. */
export const berlin: BusinessCalendar = compileCalendar({
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  weekly: ([1, 2, 3, 4, 5] as const).map((day) => ({ day, start: '09:00', end: '17:00' })),
  holidays: [
    { date: '12-25', name: 'Christmas Day' },
    { date: '12-26', name: 'Boxing Day' },
    { date: '12-24', name: 'Christmas Eve', intervals: [{ start: '09:00', end: '12:00' }] },
    { date: '2026-05-01', name: 'Labour Day' },
  ],
});

/** A calendar whose holidays leave no working time at all. */
export const neverOpen: BusinessCalendar = compileCalendar({
  id: 'never',
  timeZone: 'UTC',
  weekly: [],
  holidays: [],
});

export const calendars: ReadonlyMap<string, BusinessCalendar> = new Map([
  ['berlin', berlin],
  ['never', neverOpen],
]);

interface Act {
  by?: ActorRole;
  /** Received this long after it happened (a late delivery). */
  lateBy?: number;
  receivedAt?: number;
  sequence?: number;
}

/** A ticket's timeline written as a script: `t.at('…').comment('agent', true)`. */
export class TicketScript {
  readonly events: TimelineEvent[] = [];
  private state: TicketSnapshot;
  private now: number;
  private n = 0;

  constructor(createdAt: number | string, init: Partial<TicketSnapshot> = {}) {
    this.now = typeof createdAt === 'string' ? at(createdAt) : createdAt;
    this.state = {
      id: 't-1',
      createdAt: this.now,
      status: 'new',
      priority: 'normal',
      customerId: 'acme',
      ...init,
    };
  }

  at(when: number | string): this {
    this.now = typeof when === 'string' ? at(when) : when;
    return this;
  }

  after(ms: number): this {
    this.now += ms;
    return this;
  }

  get time(): number {
    return this.now;
  }

  private push(
    type: TimelineEvent['type'],
    patch: Partial<TicketSnapshot>,
    act: Act,
    comment?: TimelineEvent['comment'],
  ): this {
    this.state = { ...this.state, ...patch };
    const n = ++this.n;
    const event: TimelineEvent = {
      id: `e${n}`,
      type,
      occurredAt: this.now,
      arrival: n,
      receivedAt: act.receivedAt ?? this.now + (act.lateBy ?? 0),
      ticket: { ...this.state },
      ...(comment ? { comment } : {}),
      ...(act.by ? { actor: { role: act.by, id: `${act.by}-1` } } : {}),
      ...(act.sequence !== undefined ? { sequence: act.sequence } : {}),
    };
    this.events.push(event);
    return this;
  }

  created(act: Act & { comment?: { public: boolean }; status?: TicketStatus } = {}): this {
    const by = act.by ?? 'customer';
    const comment = act.comment
      ? { id: `c${this.n + 1}`, public: act.comment.public, authorRole: by }
      : undefined;
    return this.push('ticket.created', { status: act.status ?? 'new' }, { ...act, by }, comment);
  }

  status(status: TicketStatus, act: Act = {}): this {
    return this.push('ticket.updated', { status }, { by: 'agent', ...act });
  }

  update(patch: Partial<TicketSnapshot>, act: Act = {}): this {
    return this.push('ticket.updated', patch, { by: 'agent', ...act });
  }

  priority(priority: Priority, act: Act = {}): this {
    return this.update({ priority }, act);
  }

  comment(role: ActorRole, isPublic: boolean, act: Act & { status?: TicketStatus } = {}): this {
    const patch = act.status ? { status: act.status } : {};
    return this.push(
      'comment.created',
      patch,
      { by: role, ...act },
      { id: `c${this.n + 1}`, public: isPublic, authorRole: role },
    );
  }

  reply(act: Act & { status?: TicketStatus } = {}): this {
    return this.comment('agent', true, act);
  }

  removed(reason: RemovalReason, act: Act = {}): this {
    return this.push(
      reason === 'deleted' ? 'ticket.deleted' : 'ticket.updated',
      { removed: reason },
      { by: 'agent', ...act },
    );
  }
}

export interface PolicySpec {
  id?: string;
  name?: string;
  version?: number;
  position?: number;
  active?: boolean;
  conditions?: PolicyConditions;
  targets?: Partial<Record<Priority, MetricTargets>>;
  validFrom?: number;
  validTo?: number | null;
}

/** A policy version; by default 24/7 targets for every priority, in force forever. */
export function policy(spec: PolicySpec = {}): PolicyVersion {
  const standard: MetricTargets = {
    reaction: { minutes: 30 },
    first_response: { minutes: 60 },
    resolution: { minutes: 8 * 60 },
  };
  return {
    policyId: spec.id ?? 'p-default',
    name: spec.name ?? spec.id ?? 'Default',
    version: spec.version ?? 1,
    position: spec.position ?? 100,
    active: spec.active ?? true,
    conditions: spec.conditions ?? {},
    targets: spec.targets ?? { urgent: standard, high: standard, normal: standard, low: standard },
    validFrom: spec.validFrom ?? 0,
    validTo: spec.validTo ?? null,
  };
}

/** The same targets for every priority. */
export function everyPriority(targets: MetricTargets): Partial<Record<Priority, MetricTargets>> {
  return { urgent: targets, high: targets, normal: targets, low: targets };
}

export function context(
  policies: PolicyVersion[],
  now: number,
  extra: Partial<EvaluationContext> = {},
): EvaluationContext {
  return { policies, calendars, now, defaultTier: 'standard', ...extra };
}

export function clockOf(
  evaluation: TicketEvaluation,
  metric: Metric,
  cycle = metric === 'next_response' ? 1 : 0,
): Clock {
  const clock = evaluation.clocks.find((c) => c.metric === metric && c.cycle === cycle);
  if (!clock)
    throw new Error(
      `no ${metric} clock (cycle ${cycle}) in ${JSON.stringify(evaluation.clocks.map((c) => [c.metric, c.cycle]))}`,
    );
  return clock;
}
