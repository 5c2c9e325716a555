/**
 * Domain types of the pure SLA engine. No framework imports, no I/O.
 *
 * Instants are epoch milliseconds (UTC) inside the engine; durations are milliseconds.
 * The edges (API, persistence) convert to ISO 8601 strings.
 */

export const METRICS = ['reaction', 'first_response', 'resolution', 'next_response'] as const;
export type Metric = (typeof METRICS)[number];

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ACTOR_ROLES = ['agent', 'customer', 'system'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export const CLOCK_STATES = ['running', 'paused', 'met', 'breached', 'not_applicable', 'cancelled'] as const;
export type ClockState = (typeof CLOCK_STATES)[number];

/** Why a ticket left the helpdesk's normal flow; any of these cancels its running clocks. */
export const REMOVAL_REASONS = ['deleted', 'spam', 'merged'] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

// ---------------------------------------------------------------------------------------------
// Calendars
// ---------------------------------------------------------------------------------------------

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Local wall-clock time "HH:mm" (or "HH:mm:ss"); "24:00" is allowed as an end. */
export type LocalTime = string;

export interface TimeRange {
  start: LocalTime;
  /** An end earlier than the start crosses midnight and is split there (22:00–06:00). */
  end: LocalTime;
}

export interface WeeklyInterval extends TimeRange {
  day: IsoWeekday;
}

export interface HolidayDefinition {
  /** One-off local date "YYYY-MM-DD", or a recurring month-day "MM-DD" (every year). */
  date: string;
  name?: string;
  /**
   * Absent or empty: closed all day. Present: the working intervals of that day replace the weekly ones
   * (a part-day holiday such as Christmas Eve 09:00–12:00).
   */
  intervals?: TimeRange[];
}

export interface CalendarDefinition {
  id: string;
  /** IANA zone, e.g. "Europe/Berlin". Working intervals and holiday dates are local to it. */
  timeZone: string;
  /** 24/7: every instant counts and targets are absolute durations. `weekly` and `holidays` are ignored. */
  alwaysOpen?: boolean;
  weekly: WeeklyInterval[];
  holidays: HolidayDefinition[];
}

/** The calendar id under which targets count plain elapsed time (24/7). */
export const ALWAYS_OPEN_CALENDAR_ID = '24x7';

/** A piece of a time range, as the calendar sees it; used to explain deadlines. */
export interface CalendarSpan {
  from: number;
  to: number;
  working: boolean;
  /** For non-working spans: closed by the weekly schedule, or by a holiday (with its name). */
  reason?: 'closed' | 'holiday';
  holidayName?: string;
}

/** How far ahead a calendar looks for working time before it declares that there is none. */
export const WORKING_TIME_HORIZON_DAYS = 400;

/** The compiled, queryable form of a CalendarDefinition (see src/engine/calendar). */
export interface BusinessCalendar {
  readonly id: string;
  readonly timeZone: string;
  /**
   * The instant at which `ms` of business time, counted from `start`, is used up; exact to the millisecond.
   * A target used up exactly at a closing time is due at that closing time. `ms = 0` returns `start`.
   * `null` when there is not enough working time within the horizon.
   */
  addBusinessTime(start: number, ms: number): number | null;
  /** Business time in [a, b); negative when b < a. */
  businessTimeBetween(a: number, b: number): number;
  /** `t` itself when t is inside working time, else the next opening; `null` past the horizon. */
  nextWorkingInstant(t: number): number | null;
  /** The close of the n-th working day after the local day on which counting starts (n ≥ 1). */
  addBusinessDays(start: number, n: number): number | null;
  /** Consecutive working and non-working spans that exactly tile [from, to). */
  spans(from: number, to: number): CalendarSpan[];
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

export interface PolicyConditions {
  /** Absent or empty means "any". All present conditions must hold. */
  tiers?: string[];
  priorities?: Priority[];
  groups?: string[];
  channels?: string[];
  /** The ticket has at least one of these tags. */
  tagsAny?: string[];
}

export interface TargetDefinition {
  /** Exactly one of `minutes` (business minutes of the calendar) and `businessDays`. */
  minutes?: number;
  businessDays?: number;
  /** The calendar the target counts in; `ALWAYS_OPEN_CALENDAR_ID` (or absent) for 24/7. */
  calendarId?: string;
  /** Warning thresholds in percent of the target, e.g. [75, 90]. */
  warnAtPercent?: number[];
  /**
   * Statuses during which the clock pauses. Defaults: resolution → ['pending', 'on_hold']; the others never pause.
   * For next_response, cycles end (met) when the ticket is solved or closed.
   */
  pauseOn?: TicketStatus[];
  /** The escalation ladder for this metric, overriding the ladder of the ticket's tier. */
  ladderId?: string;
}

/**
 * One rung of an escalation ladder: at a % of the target (in business time), at the breach, or a time after it
 * (in the metric's calendar, or around the clock). `notify` is passed through untouched to the recorded step.
 */
export interface LadderStepDefinition {
  percent?: number;
  breach?: boolean;
  afterBreachMinutes?: number;
  basis?: 'business' | 'calendar';
  notify: unknown[];
}

export interface LadderDefinition {
  id: string;
  version: number;
  steps: LadderStepDefinition[];
}

export type MetricTargets = Partial<Record<Metric, TargetDefinition>>;

export interface PolicyVersion {
  policyId: string;
  name: string;
  version: number;
  /** Explicit precedence: lower first. The first active policy whose conditions match wins. */
  position: number;
  active: boolean;
  conditions: PolicyConditions;
  /** Per priority; a priority without targets, or a metric without a target, is not_applicable. */
  targets: Partial<Record<Priority, MetricTargets>>;
  /** The instant from which this version is in force (when it was saved), and until which (null: current). */
  validFrom: number;
  validTo: number | null;
}

// ---------------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------------

export const EVENT_TYPES = ['ticket.created', 'ticket.updated', 'comment.created', 'ticket.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The ticket's full state right after an event. */
export interface TicketSnapshot {
  id: string;
  createdAt: number;
  /** Absent (a partial payload): unchanged, carried forward from the event before; `new` before any. */
  status?: TicketStatus;
  /**
   * Absent (a partial payload): unchanged, carried forward; a ticket that never had one takes the integration's
   * default priority (`EvaluationContext.defaultPriority`).
   */
  priority?: Priority;
  customerId?: string;
  /** Absent: mapped from customerId, else the default tier. */
  tier?: string;
  assigneeId?: string;
  groupId?: string;
  channel?: string;
  tags?: string[];
  /** Set when the ticket was deleted, marked spam or merged away. */
  removed?: RemovalReason;
}

export interface TimelineComment {
  id: string;
  public: boolean;
  authorRole: ActorRole;
}

export interface TimelineEvent {
  /** Dedupe key: the provider's event/delivery id, or a content hash. */
  id: string;
  type: EventType;
  /** When it happened (provider timestamp, clamped to receipt time if more than 5 min in the future). */
  occurredAt: number;
  /** Provider sequence number for ties, where the provider gives one. */
  sequence?: number;
  /** Monotonic arrival order (e.g. the stored event row id): the last tie-break. */
  arrival: number;
  /** When the service received it; decides which policy version a stop was judged under and breach detection. */
  receivedAt: number;
  ticket: TicketSnapshot;
  comment?: TimelineComment;
  actor?: { role: ActorRole; id?: string };
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

export interface EvaluationContext {
  /** Every version of every policy (the engine picks the versions in force at each instant). */
  policies: PolicyVersion[];
  /** Compiled calendars by id. The 24/7 calendar is implied. */
  calendars: ReadonlyMap<string, BusinessCalendar>;
  /**
   * Optional: the calendars as they were at an earlier instant (calendar versions). A clock that stopped is then
   * judged with the calendars in force when its stop was received, so a later calendar edit leaves its outcome
   * alone (rule 9). Absent: `calendars` is used for every clock.
   */
  calendarsAt?: (at: number) => ReadonlyMap<string, BusinessCalendar>;
  /** customerId → tier, for snapshots without a tier. */
  customerTiers?: ReadonlyMap<string, string>;
  defaultTier?: string;
  defaultPriority?: Priority;
  now: number;
}

export interface ExplanationSpan {
  from: number;
  to: number;
  kind: 'counted' | 'paused' | 'out_of_hours' | 'holiday';
  /** The pausing status, or the holiday's name. */
  detail?: string;
}

export interface Clock {
  metric: Metric;
  /** 0 for reaction, first_response and resolution; 1, 2, … for next_response cycles. */
  cycle: number;
  state: ClockState;
  policyId: string | null;
  policyVersion: number | null;
  calendarId: string | null;
  /** Original start (ticket creation, or the customer message that opened a next_response cycle). */
  startedAt: number;
  /** Target in business ms (for business days: the business time between start and that close). */
  targetMs: number | null;
  /** null: not applicable, or no working time within the horizon (see noDeadlineReason). */
  deadline: number | null;
  noDeadlineReason?: string;
  /** For not_applicable clocks: why (no policy matches, no target for this priority, agent-opened ticket, …). */
  notApplicableReason?: string;
  stoppedAt: number | null;
  /** Business time used, up to the stop or `now`, excluding pauses. */
  usedMs: number;
  /** targetMs - usedMs; negative when overdue. */
  remainingMs: number | null;
  percentUsed: number | null;
  pausedIntervals: Array<{ from: number; to: number | null; status: TicketStatus }>;
  /** For breached clocks: the deadline that was missed, and when the breach was (or could first be) known. */
  breachedAt: number | null;
  breachDetectedAt: number | null;
  /** Instants at which each warning threshold is reached (for timers), in business-time order. */
  warnings: Array<{ percent: number; at: number }>;
  /** The counted, paused and out-of-hours spans from start to the deadline (or to the stop / now). */
  explanation: ExplanationSpan[];
}

export interface TicketEvaluation {
  ticketId: string;
  tier: string | null;
  priority: Priority | null;
  status: TicketStatus | null;
  clocks: Clock[];
}
