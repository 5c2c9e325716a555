/**
 * Conversion between UTC instants and local wall-clock time in one IANA zone, with the DST rules of
 * SEMANTICS §2 made explicit (we do not rely on luxon's own resolution of impossible local times):
 *
 * - a local time inside a spring-forward gap maps to the first instant after the gap (the transition itself);
 * - an ambiguous local time inside a fall-back overlap maps to the earlier of its two instants.
 *
 * "Wall" values are local date-times written as if they were UTC epoch ms (epochDay * DAY_MS + ms of day).
 * This is only used while expanding a calendar, never on the add/between hot path.
 *
 * luxon (Intl) offset look-ups cost microseconds each, and an expansion needs thousands, so the zone's offset
 * changes are discovered once per stretch of time: sample the offset a day apart and bisect to the millisecond
 * wherever it differs. Offsets are then a binary search. (Two changes less than a day apart would be missed; no
 * zone has had that since the 1940s.)
 */
import { IANAZone } from 'luxon';
import { DAY_MS } from './local-time.js';

/** Offset changes are discovered at least this far beyond an instant asked about. */
const DISCOVERY_MARGIN = 400 * DAY_MS;

export class ZoneClock {
  private readonly zone: IANAZone;
  /** [sampledFrom, sampledTo]: the stretch whose offset changes are known. */
  private sampledFrom = Number.NaN;
  private sampledTo = Number.NaN;
  /** Instants at which the offset changes (the first instant with the new offset), ascending. */
  private changes: number[] = [];
  /** offsets[k] holds before changes[k] (and after changes[k - 1]); the last one after the last change. */
  private offsets: number[] = [];

  constructor(readonly timeZone: string) {
    this.zone = IANAZone.create(timeZone);
    if (!this.zone.isValid) throw new Error(`Unknown IANA time zone "${timeZone}".`);
  }

  static isKnownZone(timeZone: unknown): boolean {
    return typeof timeZone === 'string' && timeZone.length > 0 && IANAZone.isValidZone(timeZone);
  }

  /** UTC offset in ms at an instant. */
  offsetAt(instant: number): number {
    if (!(instant >= this.sampledFrom && instant <= this.sampledTo)) this.discover(instant);
    const changes = this.changes;
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (changes[mid]! <= instant) lo = mid + 1;
      else hi = mid;
    }
    return this.offsets[lo]!;
  }

  /** The local wall value of an instant. */
  wallOf(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /** The local epoch day an instant falls on. */
  epochDayOf(instant: number): number {
    return Math.floor(this.wallOf(instant) / DAY_MS);
  }

  /** The instant of a local wall value, resolving gaps and overlaps as described above. */
  instantOf(wall: number): number {
    // Offsets well before and after: at most one transition lies between them in any real zone.
    const offsetBefore = this.offsetAt(wall - DAY_MS);
    const offsetAfter = this.offsetAt(wall + DAY_MS);
    const viaBefore = wall - offsetBefore;
    const viaAfter = wall - offsetAfter;
    const beforeValid = this.offsetAt(viaBefore) === offsetBefore;
    const afterValid = this.offsetAt(viaAfter) === offsetAfter;
    if (beforeValid && afterValid) return Math.min(viaBefore, viaAfter); // overlap (or no change): earlier
    if (beforeValid) return viaBefore;
    if (afterValid) return viaAfter;
    return this.transitionBetween(Math.min(viaBefore, viaAfter), Math.max(viaBefore, viaAfter));
  }

  /** The wall value lies in a gap: the first offset change after `lo` (the end of the gap). */
  private transitionBetween(lo: number, hi: number): number {
    for (const change of this.changes) if (change > lo) return Math.min(change, hi);
    return hi;
  }

  /** Straight from luxon (rounded: historic LMT offsets have seconds). */
  private rawOffsetAt(instant: number): number {
    return Math.round(this.zone.offset(instant) * 60_000);
  }

  /** Extends the known stretch to cover `instant` with a margin, recording every offset change in it. */
  private discover(instant: number): void {
    if (!Number.isFinite(instant))
      throw new RangeError(`Instant ${instant} is not a finite epoch-millisecond time.`);
    const first = Number.isNaN(this.sampledFrom);
    if (first) {
      this.sampledFrom = this.sampledTo = instant;
      this.offsets = [this.rawOffsetAt(instant)];
    }
    if (first || instant > this.sampledTo) {
      const target = instant + DISCOVERY_MARGIN;
      let at = this.sampledTo;
      let offset = this.offsets[this.offsets.length - 1]!;
      while (at < target) {
        const next = Math.min(at + DAY_MS, target);
        const nextOffset = this.rawOffsetAt(next);
        if (nextOffset !== offset) {
          this.changes.push(this.bisect(at, next, offset));
          this.offsets.push(nextOffset);
          offset = nextOffset;
        }
        at = next;
      }
      this.sampledTo = target;
    }
    if (first || instant < this.sampledFrom) {
      const target = instant - DISCOVERY_MARGIN;
      let at = this.sampledFrom;
      let offset = this.offsets[0]!;
      const changes: number[] = [];
      const offsets: number[] = [];
      while (at > target) {
        const previous = Math.max(at - DAY_MS, target);
        const previousOffset = this.rawOffsetAt(previous);
        if (previousOffset !== offset) {
          changes.unshift(this.bisect(previous, at, previousOffset));
          offsets.unshift(previousOffset);
          offset = previousOffset;
        }
        at = previous;
      }
      this.changes = [...changes, ...this.changes];
      this.offsets = [...offsets, ...this.offsets];
      this.sampledFrom = target;
    }
  }

  /** The first instant in (lo, hi] whose offset is not `offsetLo` (the offset at lo), to the millisecond. */
  private bisect(lo: number, hi: number, offsetLo: number): number {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.rawOffsetAt(mid) === offsetLo) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}
