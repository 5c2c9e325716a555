import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/engine/types.js';
import {
  compareStoredEvents,
  nextDeadline,
  type StoredEventRow,
  toEventInsertRow,
  toTimelineEvent,
} from '../../src/tickets/timeline-mapping.js';
import type { NormalisedEvent } from '../../src/webhooks/providers/provider-adapter.js';

const T0 = Date.parse('2026-11-20T09:00:00Z');

function normalised(occurredAt: number): NormalisedEvent {
  return {
    id: 'evt-1',
    type: 'ticket.created',
    occurredAt,
    externalTicketId: '4711',
    ticket: { id: '4711', createdAt: occurredAt, status: 'new' },
  };
}

function stored(id: string, occurredAt: number, sequence: string | null): StoredEventRow {
  return {
    id,
    event_id: `e${id}`,
    type: 'ticket.updated',
    occurred_at: new Date(occurredAt),
    sequence,
    received_at: new Date(occurredAt),
    snapshot: { id: 't', createdAt: T0, status: 'open' },
    comment: null,
    actor: null,
  };
}

describe('clock skew (rule 25)', () => {
  it('keeps a timestamp up to 5 minutes ahead of the receipt', () => {
    const row = toEventInsertRow(normalised(T0 + 5 * 60_000), T0);
    expect(row).toMatchObject({
      occurred_at: '2026-11-20T09:05:00.000Z',
      clock_skew: false,
      reported_occurred_at: null,
    });
  });

  it('takes the receipt time for a timestamp more than 5 minutes ahead, and flags it', () => {
    const row = toEventInsertRow(normalised(T0 + 5 * 60_000 + 1), T0, 'inbox-9');
    expect(row).toMatchObject({
      occurred_at: '2026-11-20T09:00:00.000Z',
      reported_occurred_at: '2026-11-20T09:05:00.001Z',
      clock_skew: true,
      inbox_id: 'inbox-9',
    });
  });

  it('accepts old timestamps (backfill) unchanged', () => {
    const row = toEventInsertRow(normalised(T0 - 365 * 86_400_000), T0);
    expect(row).toMatchObject({ occurred_at: '2025-11-20T09:00:00.000Z', clock_skew: false });
  });
});

describe('timeline order (rule 22)', () => {
  it('orders by occurrence, then provider sequence (missing last), then arrival', () => {
    const rows = [
      stored('5', T0, null),
      stored('4', T0, '2'),
      stored('3', T0, '1'),
      stored('9', T0 - 1, null),
      stored('2', T0, null),
    ];
    expect(rows.sort(compareStoredEvents).map((r) => r.id)).toEqual(['9', '3', '4', '2', '5']);
  });

  it('leaves a missing priority to the engine (carried forward, else the default) and keeps a present one', () => {
    expect(toTimelineEvent(stored('1', T0, null)).ticket.priority).toBeUndefined();
    const withPriority = {
      ...stored('1', T0, '7'),
      snapshot: { id: 't', createdAt: T0, status: 'open' as const, priority: 'low' as const },
    };
    const event = toTimelineEvent(withPriority);
    expect(event).toMatchObject({ arrival: 1, sequence: 7, occurredAt: T0 });
    expect(event.ticket.priority).toBe('low');
  });
});

describe('next deadline (queue sort key)', () => {
  const clock = (state: Clock['state'], deadline: number | null, stoppedAt: number | null = null) =>
    ({ state, deadline, stoppedAt }) as Clock;

  it('is the earliest deadline among clocks still counting, overdue ones included', () => {
    expect(
      nextDeadline([
        clock('running', T0 + 3),
        clock('breached', T0 + 1),
        clock('paused', T0),
        clock('met', T0, T0),
      ]),
    ).toBe(T0 + 1);
  });

  it('is null when nothing counts', () => {
    expect(
      nextDeadline([clock('paused', T0), clock('breached', T0, T0 + 5), clock('not_applicable', null)]),
    ).toBeNull();
  });
});
