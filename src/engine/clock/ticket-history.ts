import type { RemovalReason, TicketStatus, TimelineEvent } from '../types.js';

/** A run of one status, from the event that entered it (index -1: the implied `new` before the first event). */
export interface StatusSegment {
  from: number;
  status: TicketStatus;
  eventIndex: number;
}

/** One next_response cycle: opened by the oldest unanswered customer message, closed by a reply or a solve. */
export interface ResponseCycle {
  startIndex: number;
  stopIndex: number | null;
}

/** Everything the clocks need to know about a ticket's timeline, found in a single pass. */
export interface TicketHistory {
  /** The normalised timeline (all events, including any after a removal). */
  events: TimelineEvent[];
  /** Per event: the instant it takes effect, never before the ticket's creation. */
  at: number[];
  /** Ticket creation (from the earliest snapshot). */
  start: number;
  /** Only the events before `removal` count for the clocks; the rest are kept for the ticket's current state. */
  effectiveCount: number;
  statusSegments: StatusSegment[];
  /** Set while the ticket is (still) deleted, spam or merged away at the end of the timeline. */
  removal: { eventIndex: number; reason: RemovalReason } | null;
  firstAgentActionIndex: number | null;
  firstPublicAgentReplyIndex: number | null;
  firstSolveIndex: number | null;
  /** Index of the event that entered the final solved/closed status, when the ticket ends solved/closed. */
  finalSolveIndex: number | null;
  /** Opened by an agent whose opening comment was public (rule 13: no first_response clock). */
  agentOpenedWithPublicComment: boolean;
  responseCycles: ResponseCycle[];
}

/** How long after creation a public agent comment still counts as the ticket's opening comment. */
export const OPENING_COMMENT_GRACE_MS = 60_000;

/**
 * How long after a customer message on a solved ticket a reopen still belongs to it: helpdesks that reopen by
 * automation (JSM's "reopen on customer comment", Zendesk event subscriptions that deliver `comment_added` and
 * `status_changed` as two events) report the reopen as its own event, a moment after the message.
 */
export const REOPEN_FOLLOW_UP_WINDOW_MS = 2 * 60_000;

export function isSolvedStatus(status: TicketStatus): boolean {
  return status === 'solved' || status === 'closed';
}

function isRemoving(event: TimelineEvent): boolean {
  return event.type === 'ticket.deleted' || event.ticket.removed !== undefined;
}

/** The removal still in effect at the end of the timeline (a restored ticket is not removed). */
function findRemoval(events: readonly TimelineEvent[]): TicketHistory['removal'] {
  let removal: TicketHistory['removal'] = null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (isRemoving(event)) removal ??= { eventIndex: i, reason: event.ticket.removed ?? 'deleted' };
    else removal = null;
  }
  return removal;
}

/** Any agent action (rule 13, `reaction`); removing the ticket is not one, it cancels the clocks instead. */
function isAgentAction(event: TimelineEvent): boolean {
  if (isRemoving(event)) return false;
  return event.actor?.role === 'agent' || event.comment?.authorRole === 'agent';
}

function isPublicAgentReply(event: TimelineEvent): boolean {
  return event.comment !== undefined && event.comment.public && event.comment.authorRole === 'agent';
}

function isCustomerMessage(event: TimelineEvent): boolean {
  return event.comment !== undefined && event.comment.authorRole === 'customer';
}

function openedByAgent(events: readonly TimelineEvent[]): boolean {
  const creation = events.find((e) => e.type === 'ticket.created') ?? events[0];
  return (creation.actor?.role ?? creation.comment?.authorRole) === 'agent';
}

/** Builds the history of a normalised (sorted, de-duplicated), non-empty timeline. */
export function buildTicketHistory(events: TimelineEvent[]): TicketHistory {
  // The earliest creation time any snapshot reports: some providers (e.g. Freshdesk without a creation
  // placeholder) can only give the receipt time, and a later snapshot may know better.
  let start = events[0].ticket.createdAt;
  for (const event of events) if (event.ticket.createdAt < start) start = event.ticket.createdAt;
  const removal = findRemoval(events);
  const effectiveCount = removal === null ? events.length : removal.eventIndex;

  const at: number[] = new Array(events.length);
  const statusSegments: StatusSegment[] = [{ from: start, status: 'new', eventIndex: -1 }];
  const responseCycles: ResponseCycle[] = [];
  let firstAgentActionIndex: number | null = null;
  let firstPublicAgentReplyIndex: number | null = null;
  let firstSolveIndex: number | null = null;
  let firstCommentIndex: number | null = null;
  let agentHasReplied = false;
  let openCycle: ResponseCycle | null = null;
  // Customer messages received while the ticket is solved, oldest first, not yet answered (a reopen soon after
  // one of them opens the cycle from it).
  let messagesWhileSolved: number[] = [];

  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    at[i] = Math.max(event.occurredAt, start);
    // A removal that was undone later (a restored ticket) leaves no trace: the status it reports (Zendesk's
    // DELETED) is no state the ticket was in for its clocks.
    if (i >= effectiveCount || isRemoving(event)) continue;

    const previousStatus = statusSegments[statusSegments.length - 1].status;
    // A snapshot without a status (a partial payload) leaves it unchanged.
    const status = event.ticket.status ?? previousStatus;
    if (status !== previousStatus) {
      statusSegments.push({ from: at[i], status, eventIndex: i });
      if (isSolvedStatus(status)) {
        firstSolveIndex ??= i;
        // rule 10: a solve ends the open next_response cycle.
        if (openCycle !== null) openCycle.stopIndex = i;
        openCycle = null;
      } else if (isSolvedStatus(previousStatus)) {
        // A reopen that follows a customer message on the solved ticket within the window belongs to it: the
        // cycle runs from the oldest such message.
        const startIndex = messagesWhileSolved.find((k) => at[i] - at[k] <= REOPEN_FOLLOW_UP_WINDOW_MS);
        if (startIndex !== undefined && openCycle === null) {
          openCycle = { startIndex, stopIndex: null };
          responseCycles.push(openCycle);
        }
      }
      messagesWhileSolved = [];
    }
    if (isAgentAction(event)) firstAgentActionIndex ??= i;
    if (event.comment !== undefined) firstCommentIndex ??= i;
    if (isPublicAgentReply(event)) {
      firstPublicAgentReplyIndex ??= i;
      agentHasReplied = true;
      if (openCycle !== null) openCycle.stopIndex = i;
      openCycle = null;
      messagesWhileSolved = [];
    } else if (isCustomerMessage(event) && agentHasReplied && openCycle === null) {
      if (isSolvedStatus(status)) {
        messagesWhileSolved.push(i);
      } else {
        // rule 14: the cycle runs from the oldest unanswered customer message; later ones join it.
        openCycle = { startIndex: i, stopIndex: null };
        responseCycles.push(openCycle);
      }
    }
  }

  const last = statusSegments[statusSegments.length - 1];
  const agentOpenedWithPublicComment =
    firstCommentIndex !== null &&
    firstCommentIndex === firstPublicAgentReplyIndex &&
    at[firstCommentIndex] <= start + OPENING_COMMENT_GRACE_MS &&
    openedByAgent(events);

  return {
    events,
    at,
    start,
    effectiveCount,
    statusSegments,
    removal,
    firstAgentActionIndex,
    firstPublicAgentReplyIndex,
    firstSolveIndex,
    finalSolveIndex: isSolvedStatus(last.status) ? last.eventIndex : null,
    agentOpenedWithPublicComment,
    responseCycles,
  };
}
