/**
 * The pure SLA engine: calendars, policy selection and clocks. No framework imports, no I/O.
 */
export * from './types.js';
export * from './calendar/index.js';
export { evaluate, resolveCalendar } from './evaluate.js';
export { carryForwardSnapshots, normalizeTimeline, compareEvents } from './clock/timeline.js';
export { dueSteps, nextDueInstant, breachVisibleAt, type DueStep } from './clock/due.js';
export { defaultPauseOn } from './clock/pauses.js';
export { OPENING_COMMENT_GRACE_MS, REOPEN_FOLLOW_UP_WINDOW_MS } from './clock/ticket-history.js';
export {
  selectPolicy,
  policiesInForceAt,
  matchesConditions,
  isInForce,
  targetFor,
} from './policy/select-policy.js';
export { ticketFacts, type TicketFacts } from './policy/ticket-facts.js';
export { clockSteps, planSteps, type ClockStep, type StepPlan } from './clock/steps.js';
