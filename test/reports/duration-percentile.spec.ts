import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DurationHistogram, durationPercentile } from '../../src/reports/duration-percentile.js';

/** The histogram the report's SQL builds (report-facts.ts, bucketOf): 1 % buckets, count and extremes. */
function histogramOf(values: number[]): DurationHistogram {
  const buckets = new Map<number, number[]>();
  for (const v of values) {
    const bucket = v < 1 ? -1 : Math.floor(Math.log(v) * 100);
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), v]);
  }
  const ordered = [...buckets.entries()].sort(([a], [b]) => a - b).map(([, vs]) => vs);
  return {
    counts: ordered.map((vs) => vs.length),
    min: ordered.map((vs) => Math.min(...vs)),
    max: ordered.map((vs) => Math.max(...vs)),
  };
}

/** PostgreSQL's percentile_cont. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const below = Math.floor(rank);
  return sorted[below] + (rank - below) * ((sorted[Math.ceil(rank)] ?? sorted[below]) - sorted[below]);
}

const duration = fc.integer({ min: 0, max: 30 * 24 * 3_600_000 });
const quantile = fc.constantFrom(0, 0.25, 0.5, 0.9, 0.99, 1);

describe('durationPercentile', () => {
  it('is null for an empty histogram', () => {
    expect(durationPercentile({ counts: [], min: [], max: [] }, 0.5)).toBeNull();
  });

  it('interpolates like percentile_cont between values in different buckets', () => {
    const minutes = [10, 20, 30, 90].map((m) => m * 60_000);
    const h = histogramOf(minutes);
    expect(durationPercentile(h, 0.5)).toBe(25 * 60_000);
    expect(durationPercentile(h, 0.9)).toBe(72 * 60_000);
  });

  it('is exact when every bucket holds at most two distinct values', () => {
    fc.assert(
      fc.property(fc.array(duration, { minLength: 1, maxLength: 200 }), quantile, (values, p) => {
        const h = histogramOf(values);
        fc.pre(h.counts.every((n, i) => n <= 2 || h.min[i] === h.max[i]));
        expect(durationPercentile(h, p)).toBeCloseTo(exactPercentile(values, p), 6);
      }),
    );
  });

  it('is exact when all values are equal', () => {
    expect(durationPercentile(histogramOf([5_000, 5_000, 5_000, 5_000]), 0.9)).toBe(5_000);
  });

  it('stays within the 1 % bucket width of the exact percentile', () => {
    const crowded = fc.array(fc.integer({ min: 3_600_000, max: 3_700_000 }), {
      minLength: 1,
      maxLength: 2_000,
    });
    fc.assert(
      fc.property(
        fc.oneof(crowded, fc.array(duration, { minLength: 1, maxLength: 2_000 })),
        quantile,
        (values, p) => {
          const exact = exactPercentile(values, p);
          const estimate = durationPercentile(histogramOf(values), p) as number;
          expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.0101));
        },
      ),
    );
  });
});
