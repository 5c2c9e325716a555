/** Binary searches over the index's sorted typed arrays (kept apart so spans and queries share them). */

/** Index of the first interval whose end is after t (count when none): the one containing t, or the next. */
export function firstEndingAfter(ends: Float64Array, count: number, t: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
