import type { TicketStatus } from '../types.js';
import type { ClockRun } from './clock-runs.js';
import { isSolvedStatus, type TicketHistory } from './ticket-history.js';

/** A stretch of time in which a clock does not count. `to: null` = still paused. */
export interface PauseInterval {
  from: number;
  to: number | null;
  /** The status that began the pause (a move between two paused statuses continues the same pause, rule 11). */
  status: TicketStatus;
  /** The events that began and ended it (for breach detection), -1 where none. */
  fromIndex: number;
  toIndex: number;
}

export const DEFAULT_PAUSE_ON: Readonly<Record<string, readonly TicketStatus[]>> = {
  resolution: ['pending', 'on_hold'],
};
const NEVER: readonly TicketStatus[] = [];

export function defaultPauseOn(metric: string): readonly TicketStatus[] {
  return DEFAULT_PAUSE_ON[metric] ?? NEVER;
}

type PauseKind = 'counting' | 'paused' | 'solved';

/**
 * The non-counting intervals of one clock within [run.startedAt, windowEnd), where windowEnd is the stop (or the
 * removal) or Infinity for a clock that still runs. Consecutive paused statuses form one pause (rule 11); for
 * resolution a solved/closed period that a reopen ended is its own non-counting interval (rule 12), reported with
 * status solved/closed. Zero-length pauses are dropped.
 */
export function pauseIntervals(
  history: TicketHistory,
  run: ClockRun,
  pauseOn: readonly TicketStatus[],
  windowEnd: number,
  windowEndIndex: number,
): PauseInterval[] {
  const kindOf = (status: TicketStatus): PauseKind =>
    run.solvedPeriodsPause && isSolvedStatus(status)
      ? 'solved'
      : pauseOn.includes(status)
        ? 'paused'
        : 'counting';

  const intervals: PauseInterval[] = [];
  const segments = history.statusSegments;
  let open: PauseInterval | null = null;
  let openKind: PauseKind = 'counting';

  const close = (to: number, toIndex: number): void => {
    if (open !== null && to > open.from) intervals.push({ ...open, to, toIndex });
    open = null;
    openKind = 'counting';
  };

  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k];
    const segmentEnd = k + 1 < segments.length ? segments[k + 1].from : Infinity;
    if (segmentEnd <= run.startedAt) continue;
    if (segment.from >= windowEnd) break;
    const kind = kindOf(segment.status);
    if (kind === openKind) continue;
    const clipped = segment.from < run.startedAt;
    const from = clipped ? run.startedAt : segment.from;
    const fromIndex = clipped ? run.startIndex : segment.eventIndex;
    close(from, fromIndex);
    if (kind !== 'counting') {
      open = { from, to: null, status: segment.status, fromIndex, toIndex: -1 };
      openKind = kind;
    }
  }
  if (open !== null) {
    if (windowEnd === Infinity) intervals.push(open);
    else close(windowEnd, windowEndIndex);
  }
  return intervals;
}
