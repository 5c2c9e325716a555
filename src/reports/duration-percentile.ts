/** A duration histogram in bucket order: each bucket's count and its smallest and largest value. */
export interface DurationHistogram {
  counts: number[];
  min: number[];
  max: number[];
}

/**
 * The p-quantile (0…1) of the values a histogram holds, interpolated like PostgreSQL's `percentile_cont`: the value
 * at fractional rank (n − 1)·p, between the values at the ranks either side. Inside a bucket, the values are taken
 * as evenly spread from its smallest to its largest, so a rank that falls on a bucket's first or last value (or in
 * a bucket with one distinct value) is exact; any other is within the bucket's 1 % width. Null when empty.
 */
export function durationPercentile(h: DurationHistogram, p: number): number | null {
  const total = h.counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = (total - 1) * p;
  const below = Math.floor(rank);
  const lower = valueAt(h, below);
  if (rank === below) return lower;
  return lower + (rank - below) * (valueAt(h, below + 1) - lower);
}

/** The value at a 0-based rank. */
function valueAt(h: DurationHistogram, rank: number): number {
  let start = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const n = h.counts[i];
    if (rank < start + n) {
      return n === 1 ? h.min[i] : h.min[i] + ((h.max[i] - h.min[i]) * (rank - start)) / (n - 1);
    }
    start += n;
  }
  return h.max[h.max.length - 1];
}
