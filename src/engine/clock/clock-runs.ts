import type { Metric } from '../types.js';
import type { TicketHistory } from './ticket-history.js';

/** The shape of one clock as the timeline alone determines it, before any policy gives it a target. */
export interface ClockRun {
  metric: Metric;
  cycle: number;
  startedAt: number;
  /** The event that started the clock (its receipt is when the clock became known). */
  startIndex: number;
  /** The event that stopped the clock for good, if any. */
  stopIndex: number | null;
  /** The ticket was removed while the clock still ran (rule 16). */
  cancelled: boolean;
  /** Resolution only: solved/closed periods that a reopen ended do not count (rule 12). */
  solvedPeriodsPause: boolean;
  notApplicableReason?: string;
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * One run per metric, plus one per next_response cycle. The set of clocks depends on the timeline only, so it is
 * stable across policy edits; the policy decides targets (and not_applicable) afterwards.
 *
 * A solve stops reaction and first_response too (a solved ticket must not keep breaching), and a reopen does not
 * restart them (rule 12).
 */
export function clockRuns(history: TicketHistory): ClockRun[] {
  const removed = history.removal !== null;
  const ticketRun = (metric: Metric, stopIndex: number | null): ClockRun => ({
    metric,
    cycle: 0,
    startedAt: history.start,
    startIndex: 0,
    stopIndex,
    cancelled: removed && stopIndex === null,
    solvedPeriodsPause: metric === 'resolution',
  });

  const runs: ClockRun[] = [
    ticketRun('reaction', earliest(history.firstAgentActionIndex, history.firstSolveIndex)),
    history.agentOpenedWithPublicComment
      ? {
          ...ticketRun('first_response', null),
          cancelled: false,
          notApplicableReason: 'ticket opened by an agent with a public comment',
        }
      : ticketRun('first_response', earliest(history.firstPublicAgentReplyIndex, history.firstSolveIndex)),
    ticketRun('resolution', history.finalSolveIndex),
  ];
  history.responseCycles.forEach((cycle, i) => {
    runs.push({
      metric: 'next_response',
      cycle: i + 1,
      startedAt: history.at[cycle.startIndex],
      startIndex: cycle.startIndex,
      stopIndex: cycle.stopIndex,
      cancelled: removed && cycle.stopIndex === null,
      solvedPeriodsPause: false,
    });
  });
  return runs;
}
