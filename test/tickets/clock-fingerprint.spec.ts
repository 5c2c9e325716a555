import { describe, expect, it } from 'vitest';
import { clockFingerprint } from '../../src/tickets/clock-fingerprint.js';
import type { ClockWriteRow } from '../../src/tickets/timeline-mapping.js';

const running: ClockWriteRow = {
  metric: 'resolution',
  cycle: 0,
  state: 'running',
  policy_id: 'standard',
  policy_version: 1,
  calendar_id: null,
  time_zone: null,
  started_at: '2026-11-20T08:00:00.000Z',
  target_ms: 8 * 3_600_000,
  deadline: '2026-11-20T16:00:00.000Z',
  no_deadline_reason: null,
  not_applicable_reason: null,
  stopped_at: null,
  used_ms: 3_600_000,
  remaining_ms: 7 * 3_600_000,
  percent_used: 12.5,
  paused_intervals: [],
  breached_at: null,
  breach_detected_at: null,
  warnings: [],
  explanation: [],
};

describe('clock fingerprints', () => {
  it('ignore the live values of a counting clock: they move with the evaluation time alone', () => {
    const later = { ...running, used_ms: 2 * 3_600_000, remaining_ms: 6 * 3_600_000, percent_used: 25 };
    expect(clockFingerprint(later)).toBe(clockFingerprint(running));
  });

  it('count the used time of a stopped clock, and every decided value', () => {
    const stopped = { ...running, state: 'met' as const, stopped_at: '2026-11-20T09:00:00.000Z' };
    expect(clockFingerprint({ ...stopped, used_ms: 1 })).not.toBe(clockFingerprint(stopped));
    expect(clockFingerprint({ ...running, deadline: '2026-11-20T17:00:00.000Z' })).not.toBe(
      clockFingerprint(running),
    );
    expect(
      clockFingerprint({
        ...running,
        paused_intervals: [{ from: 1, to: 2, status: 'pending' }],
      }),
    ).not.toBe(clockFingerprint(running));
    expect(clockFingerprint({ ...running, warnings: [{ percent: 75, at: 1 }] })).not.toBe(
      clockFingerprint(running),
    );
  });

  it('fit the column (22 characters)', () => {
    expect(clockFingerprint(running)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
