import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RowSet } from '../database/row-set.js';
import type { Priority } from '../engine/types.js';
import type { EventInsertRow, StoredEventRow } from './timeline-mapping.js';
import type { WriteDigest } from './write-digest.js';

/** A ticket as a delivery names it. */
export interface TicketKey {
  integrationId: string;
  externalId: string;
  defaultPriority: Priority;
}

/** A ticket locked for re-evaluation. */
export interface LockedTicket {
  integrationId: string;
  defaultPriority: Priority;
  /** What the evaluation writer needs of the stored clocks and steps; null when unknown. */
  writeDigest: WriteDigest | null;
}

/** An event insert row for a batch spanning many tickets. */
export interface BatchEventRow extends EventInsertRow {
  ticket_id: string;
  integration_id: string;
  /** Replay: the id the event had before its delivery was rebuilt (arrival order stays stable). */
  old_id: string | null;
  /** Position in the batch: the insert order. */
  n: number;
}

/** The events to append (appendAndLoadMany). */
const EVENT_ROWS = new RowSet<BatchEventRow>({
  ticket_id: 'uuid',
  integration_id: 'varchar',
  old_id: 'bigint',
  event_id: 'text',
  type: 'text',
  occurred_at: 'timestamptz',
  reported_occurred_at: 'timestamptz',
  sequence: 'bigint',
  received_at: 'timestamptz',
  snapshot: 'jsonb',
  comment: 'jsonb',
  actor: 'jsonb',
  clock_skew: 'boolean',
  inbox_id: 'text',
  n: 'int',
});

/** A timeline row of a batch, with its ticket and whether this statement inserted it. */
export type BatchTimelineRow = StoredEventRow & {
  ticket_id: string;
  integration_id: string;
  is_new: boolean;
};

/** Code-unit order of (integration, external id): the one lock order every process uses. */
export function compareTicketKeys(a: TicketKey, b: TicketKey): number {
  if (a.integrationId !== b.integrationId) return a.integrationId < b.integrationId ? -1 : 1;
  if (a.externalId !== b.externalId) return a.externalId < b.externalId ? -1 : 1;
  return 0;
}

/**
 * The SQL of the timeline write path. Each method is one round trip whatever the batch size (rows
 * travel as arrays or one jsonb parameter); callers run them inside one transaction per batch.
 */
@Injectable()
export class TicketStore {
  /**
   * Every statement of a timeline write transaction reaches a few hundred tickets out of many by key, so a
   * plan that scans a table is never right there. The planner picks one anyway when it lacks statistics
   * (a table autovacuum has not analysed yet, or a server with autovacuum off): for `ticket_id = ANY(…)`
   * over 250 ids it then assumes the whole table matches. Measured on the ingest benchmark without
   * statistics: the timeline and clock statements scanned ticket_events and ticket_clocks and grew from
   * 15 to 50 ms per batch as the tables grew. This keeps them on their indexes whatever the statistics say.
   */
  async keyedAccessOnly(em: EntityManager): Promise<void> {
    await em.query('SET LOCAL enable_seqscan = off');
  }

  /**
   * Creates missing tickets and takes every row lock (ON CONFLICT DO UPDATE locks like SELECT … FOR
   * UPDATE, even where its WHERE is false), so concurrent batches touching a ticket run one after the
   * other. Rows are inserted in compareTicketKeys order (WITH ORDINALITY, not a collation-dependent
   * ORDER BY): two workers with overlapping tickets wait for each other instead of deadlocking. Keys
   * must be distinct. An existing ticket whose default priority is unchanged is locked but not
   * rewritten (no new row version); RETURNING omits it, so its id comes from the statement's snapshot,
   * or, for a ticket another transaction created after that snapshot was taken, from a second query.
   */
  async upsertAndLockMany(em: EntityManager, keys: TicketKey[]): Promise<Map<string, string>> {
    const sorted = [...keys].sort(compareTicketKeys);
    const integrationIds = sorted.map((k) => k.integrationId);
    const externalIds = sorted.map((k) => k.externalId);
    const rows: Array<{ id: string; integration_id: string; external_id: string }> = await em.query(
      `WITH k AS (
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]) WITH ORDINALITY
                AS k(integration_id, external_id, default_priority, n)
       ), upserted AS (
         INSERT INTO tickets (integration_id, external_id, default_priority)
         SELECT k.integration_id, k.external_id, k.default_priority FROM k ORDER BY k.n
         ON CONFLICT (integration_id, external_id) DO UPDATE SET default_priority = EXCLUDED.default_priority
           WHERE tickets.default_priority IS DISTINCT FROM EXCLUDED.default_priority
         RETURNING id, integration_id, external_id
       )
       SELECT id, integration_id, external_id FROM upserted
       UNION ALL
       SELECT t.id, t.integration_id, t.external_id
       FROM k JOIN tickets t ON t.integration_id = k.integration_id AND t.external_id = k.external_id
       WHERE NOT EXISTS (SELECT 1 FROM upserted u WHERE u.id = t.id)`,
      [integrationIds, externalIds, sorted.map((k) => k.defaultPriority)],
    );
    const ids = new Map(rows.map((r) => [ticketKeyString(r.integration_id, r.external_id), r.id]));
    if (ids.size < sorted.length) {
      // Created (and committed) by a concurrent batch after this statement's snapshot: locked above, and
      // visible to a new statement.
      const late: Array<{ id: string; integration_id: string; external_id: string }> = await em.query(
        `SELECT t.id, t.integration_id, t.external_id
         FROM unnest($1::varchar[], $2::varchar[]) AS k(integration_id, external_id)
         JOIN tickets t ON t.integration_id = k.integration_id AND t.external_id = k.external_id`,
        [integrationIds, externalIds],
      );
      for (const r of late) ids.set(ticketKeyString(r.integration_id, r.external_id), r.id);
    }
    return ids;
  }

  /** Locks an existing ticket; null when it does not exist. */
  async lock(
    em: EntityManager,
    ticketId: string,
  ): Promise<{ integrationId: string; defaultPriority: Priority } | null> {
    const rows: Array<{ integration_id: string; default_priority: Priority }> = await em.query(
      `SELECT integration_id, default_priority FROM tickets WHERE id = $1 FOR UPDATE`,
      [ticketId],
    );
    return rows[0]
      ? { integrationId: rows[0].integration_id, defaultPriority: rows[0].default_priority }
      : null;
  }

  /**
   * Locks many tickets in the order every writer locks them, (integration, external id), so that a re-evaluation
   * batch and a batch of deliveries wait for each other instead of deadlocking. Unknown ids are left out.
   */
  async lockMany(em: EntityManager, ticketIds: string[]): Promise<Map<string, LockedTicket>> {
    const rows: LockedTicketRow[] = await em.query(
      `SELECT id, integration_id, default_priority, write_digest FROM tickets WHERE id = ANY($1::uuid[])
       ORDER BY integration_id, external_id FOR UPDATE`,
      [ticketIds],
    );
    return lockedTickets(rows);
  }

  /**
   * The timers' claim: locks up to `limit` tickets whose next step is due by `until`, earliest first, skipping
   * tickets another transaction holds (a concurrent claim, an ingest or a re-evaluation evaluates those), so that
   * several claims, in one process or many, split a burst between them without waiting for each other. Never
   * waiting is also why this order needs no agreement with lockMany's. `excluding`: tickets to leave alone.
   */
  async claimDue(
    em: EntityManager,
    until: number,
    limit: number,
    excluding: readonly string[] = [],
  ): Promise<Map<string, LockedTicket>> {
    const rows: LockedTicketRow[] = await em.query(
      `SELECT id, integration_id, default_priority, write_digest FROM tickets
       WHERE next_step_at <= $1 AND NOT (id = ANY($2::uuid[]))
       ORDER BY next_step_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [new Date(until), excluding, limit],
    );
    return lockedTickets(rows);
  }

  async clearNextStep(em: EntityManager, ticketIds: string[]): Promise<void> {
    await em.query(
      'UPDATE tickets SET next_step_at = NULL WHERE id = ANY($1::uuid[]) AND next_step_at IS NOT NULL',
      [ticketIds],
    );
  }

  /** Replay: the tickets that hold events from these deliveries now (to lock them with the rest). */
  async ticketsOfDeliveries(em: EntityManager, inboxIds: string[]): Promise<TicketKey[]> {
    const rows: Array<{ integration_id: string; external_id: string; default_priority: Priority }> =
      await em.query(
        `SELECT DISTINCT t.integration_id, t.external_id, t.default_priority
       FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
       WHERE e.inbox_id = ANY($1::varchar[])`,
        [inboxIds],
      );
    return rows.map((r) => ({
      integrationId: r.integration_id,
      externalId: r.external_id,
      defaultPriority: r.default_priority,
    }));
  }

  /** Replay: removes the events these deliveries produced; returns their ids by `integration\nevent_id`. */
  async deleteDeliveryEvents(em: EntityManager, inboxIds: string[]): Promise<Map<string, string>> {
    const rows = returnedRows<{ id: string; integration_id: string; event_id: string }>(
      await em.query(
        `DELETE FROM ticket_events WHERE inbox_id = ANY($1::varchar[]) RETURNING id, integration_id, event_id`,
        [inboxIds],
      ),
    );
    return new Map(rows.map((r) => [eventKeyString(r.integration_id, r.event_id), r.id]));
  }

  /**
   * Appends the events (in the order given: that is the arrival order) and returns the whole timeline of every
   * ticket in `ticketIds` in the same statement: rows stored before (visible in the statement's snapshot) plus the
   * rows just written (from RETURNING). The caller sorts.
   *
   * Duplicates (same event id) keep the version that happened earliest, so the stored timeline does not depend on
   * arrival order: a provider may carry one comment in two deliveries stamped with different times (e.g. a Zendesk
   * trigger's `updated_at`), and the earlier one is closest to when it really happened. Equal times keep the first
   * arrival. A replaced version counts as new: the ticket must be evaluated again.
   */
  async appendAndLoadMany(
    em: EntityManager,
    ticketIds: string[],
    events: BatchEventRow[],
  ): Promise<BatchTimelineRow[]> {
    return em.query(
      `WITH input AS (
         -- One row per event id (ON CONFLICT DO UPDATE may touch a row once per statement): the earliest version.
         SELECT DISTINCT ON (integration_id, event_id) * FROM ${EVENT_ROWS.from('$2')} AS x
         ORDER BY integration_id, event_id, occurred_at, n
       ), inserted AS (
         INSERT INTO ticket_events (id, ticket_id, integration_id, event_id, type, occurred_at, reported_occurred_at,
                                    sequence, received_at, snapshot, comment, actor, clock_skew, inbox_id)
         SELECT COALESCE(old_id, nextval(pg_get_serial_sequence('ticket_events', 'id'))), ticket_id, integration_id,
                event_id, type, occurred_at, reported_occurred_at, sequence, received_at, snapshot, comment, actor,
                clock_skew, inbox_id
         FROM input ORDER BY n
         ON CONFLICT (integration_id, event_id) DO UPDATE
           SET type = EXCLUDED.type, occurred_at = EXCLUDED.occurred_at,
               reported_occurred_at = EXCLUDED.reported_occurred_at, sequence = EXCLUDED.sequence,
               snapshot = EXCLUDED.snapshot, comment = EXCLUDED.comment, actor = EXCLUDED.actor,
               clock_skew = EXCLUDED.clock_skew
           WHERE EXCLUDED.occurred_at < ticket_events.occurred_at
         RETURNING id, ticket_id, integration_id, event_id, type, occurred_at, sequence, received_at, snapshot, comment, actor
       )
       SELECT true AS is_new, * FROM inserted
       UNION ALL
       SELECT false, id, ticket_id, integration_id, event_id, type, occurred_at, sequence, received_at, snapshot,
              comment, actor
       FROM ticket_events
       WHERE ticket_id = ANY($1::uuid[]) AND id NOT IN (SELECT id FROM inserted)`,
      [ticketIds, EVENT_ROWS.param(events)],
    );
  }

  async loadTimeline(em: EntityManager, ticketId: string): Promise<StoredEventRow[]> {
    return em.query(
      `SELECT id, event_id, type, occurred_at, sequence, received_at, snapshot, comment, actor
       FROM ticket_events WHERE ticket_id = $1
       ORDER BY occurred_at, sequence NULLS LAST, id`,
      [ticketId],
    );
  }
}

/** TypeORM answers UPDATE and DELETE … RETURNING with `[rows, rowCount]`, any other statement with the rows. */
export function returnedRows<T>(result: unknown): T[] {
  const pair = result as [T[], number];
  return pair.length === 2 && Array.isArray(pair[0]) && typeof pair[1] === 'number'
    ? pair[0]
    : (result as T[]);
}

export function ticketKeyString(integrationId: string, externalId: string): string {
  return `${integrationId}\n${externalId}`;
}

export function eventKeyString(integrationId: string, eventId: string): string {
  return `${integrationId}\n${eventId}`;
}

interface LockedTicketRow {
  id: string;
  integration_id: string;
  default_priority: Priority;
  write_digest: WriteDigest | null;
}

function lockedTickets(rows: LockedTicketRow[]): Map<string, LockedTicket> {
  return new Map(
    rows.map((r) => [
      r.id,
      {
        integrationId: r.integration_id,
        defaultPriority: r.default_priority,
        writeDigest: r.write_digest,
      },
    ]),
  );
}
