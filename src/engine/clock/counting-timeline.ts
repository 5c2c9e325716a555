import type { BusinessCalendar } from '../types.js';
import type { PauseInterval } from './pauses.js';

/**
 * A clock's counting stretches: from its start, minus its pauses, open-ended (the clock is assumed to keep
 * running past its stop, so that a deadline exists to compare the stop with). A pause that is still open is taken
 * to end at `now`: the deadline is then "if it resumed now", and it moves on while the pause lasts.
 *
 * Every question is a handful of calendar calls per stretch, never a walk over minutes or days.
 */
export class CountingTimeline {
  /** Flat [from0, to0, from1, to1, …]; the last `to` is Infinity. */
  readonly stretches: number[] = [];
  /** Business time of each finite stretch, computed on first use (deadline, warnings and usage all need it). */
  private available: number[] | null = null;

  constructor(
    private readonly calendar: BusinessCalendar,
    readonly start: number,
    readonly pauses: readonly PauseInterval[],
    now: number,
  ) {
    let cursor = start;
    for (const pause of pauses) {
      if (pause.from > cursor) this.stretches.push(cursor, pause.from);
      cursor = Math.max(cursor, pause.to ?? Math.max(now, pause.from));
    }
    this.stretches.push(cursor, Infinity);
  }

  /** The instant at which `ms` of counted business time is used up; null without working time in the horizon. */
  instantAfter(ms: number): number | null {
    let remaining = ms;
    const s = this.stretches;
    for (let i = 0; i < s.length; i += 2) {
      const from = s[i];
      const to = s[i + 1];
      if (to !== Infinity) {
        // Stretches are half-open: a target used up exactly where a pause begins is due when the clock resumes
        // (a ticket solved exactly on time and reopened later breaches at the reopen, not back in the past).
        const available = this.availableIn(i >> 1);
        if (remaining >= available) {
          remaining -= available;
          continue;
        }
      }
      return this.calendar.addBusinessTime(from, remaining);
    }
    return null;
  }

  private availableIn(k: number): number {
    if (this.available === null) this.available = [];
    let ms = this.available[k];
    if (ms === undefined) {
      ms = this.calendar.businessTimeBetween(this.stretches[2 * k], this.stretches[2 * k + 1]);
      this.available[k] = ms;
    }
    return ms;
  }

  /** Counted business time in [start, until). */
  usedUntil(until: number): number {
    let used = 0;
    const s = this.stretches;
    for (let i = 0; i < s.length; i += 2) {
      const from = s[i];
      if (from >= until) break;
      const to = s[i + 1];
      used += to <= until ? this.availableIn(i >> 1) : this.calendar.businessTimeBetween(from, until);
    }
    return used;
  }
}
