import type { TicketSnapshot, TimelineEvent } from '../types.js';

/** Timeline order (rule 22): when it happened, then the provider's sequence, then arrival; the id makes it total. */
export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  return (
    a.occurredAt - b.occurredAt ||
    (a.sequence ?? 0) - (b.sequence ?? 0) ||
    a.arrival - b.arrival ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Which of two deliveries with the same id is kept: the first to arrive (ties decided by content, not by input order). */
function arrivedFirst(a: TimelineEvent, b: TimelineEvent): boolean {
  return (a.arrival - b.arrival || a.receivedAt - b.receivedAt || compareEvents(a, b)) <= 0;
}

/**
 * Ordered and de-duplicated by event id (the first arrival wins), so that shuffled, replayed or duplicated
 * deliveries give the same timeline. Returns a new array; the input is not modified.
 */
export function normalizeTimeline(timeline: readonly TimelineEvent[]): TimelineEvent[] {
  if (isSortedAndUnique(timeline)) return timeline.slice();
  const byId = new Map<string, TimelineEvent>();
  for (const event of timeline) {
    const seen = byId.get(event.id);
    if (seen === undefined || !arrivedFirst(seen, event)) byId.set(event.id, event);
  }
  return [...byId.values()].sort(compareEvents);
}

/** The common case (a stored timeline read in order) needs no copy into a map and no sort. */
function isSortedAndUnique(events: readonly TimelineEvent[]): boolean {
  const ids = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && compareEvents(events[i - 1], events[i]) > 0) return false;
    if (ids.has(events[i].id)) return false;
    ids.add(events[i].id);
  }
  return true;
}

/** Snapshot fields a helpdesk may leave out of a partial payload (a Jira comment event's issue, a webhook body). */
const CARRIED_FIELDS = [
  'status',
  'priority',
  'customerId',
  'tier',
  'assigneeId',
  'groupId',
  'channel',
  'tags',
] as const;

/**
 * A field absent from an event's snapshot means "unchanged", not "empty": it is taken from the event before it in
 * timeline order. The tier is carried only while the customer stays the same (a new customer may map to another
 * tier). Expects a normalised timeline; returns a new array, sharing the events that needed nothing.
 */
export function carryForwardSnapshots(events: readonly TimelineEvent[]): TimelineEvent[] {
  let previous: TicketSnapshot | undefined;
  return events.map((event) => {
    let ticket = event.ticket;
    if (previous !== undefined) {
      const before = previous;
      const missing = CARRIED_FIELDS.filter(
        (key) =>
          ticket[key] === undefined &&
          before[key] !== undefined &&
          (key !== 'tier' || ticket.customerId === undefined || ticket.customerId === before.customerId),
      );
      if (missing.length > 0) {
        const filled: TicketSnapshot = { ...ticket };
        for (const key of missing) Object.assign(filled, { [key]: before[key] });
        ticket = filled;
      }
    }
    previous = ticket;
    return ticket === event.ticket ? event : { ...event, ticket };
  });
}
