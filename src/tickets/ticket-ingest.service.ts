import { Injectable, Optional } from '@nestjs/common';
import { setImmediate } from 'node:timers/promises';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../common/errors.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { clockSteps, evaluate } from '../engine/index.js';
import type { Clock, LadderDefinition, Priority, TicketEvaluation } from '../engine/types.js';
import { EvaluationConfigService, type EvaluationConfig } from '../policies/evaluation-config.service.js';
import type { NormalisedEvent } from '../webhooks/providers/provider-adapter.js';
import { EvaluationWriter, type TicketEvaluationWrite, type WrittenTicket } from './evaluation-writer.js';
import {
  type BatchEventRow,
  type BatchTimelineRow,
  eventKeyString,
  type LockedTicket,
  type TicketKey,
  ticketKeyString,
  TicketStore,
} from './ticket-store.js';
import { TICKET_CLOCKS_CHANGED, type TicketsClocksChanged } from './tickets.events.js';
import {
  compareStoredEvents,
  type StoredEventRow,
  summarise,
  toClockWriteRow,
  toEventInsertRow,
  toTimelineEvent,
} from './timeline-mapping.js';

export interface IngestBatch {
  integrationId: string;
  /** The integration's default (rule 21). */
  defaultPriority: Priority;
  /** From one delivery; usually one ticket. */
  events: NormalisedEvent[];
  /** Epoch ms of the delivery's receipt. */
  receivedAt: number;
  /** The inbox row that carried them (tracing; replay replaces the events by it). */
  inboxId?: string;
}

export interface IngestResult {
  ticketIds: string[];
  inserted: number;
  duplicates: number;
}

export interface IngestOptions {
  /**
   * Replay under a fixed mapping: first delete the events each batch's delivery (`inboxId`) produced
   * before, re-insert them as normalised now (keeping their ids), and re-evaluate every ticket touched.
   */
  replace?: boolean;
  /**
   * Mark every batch's inbox row (`inboxId`) `processed` in the same transaction as its events and
   * clocks: one commit for both, and no window in which the clocks are written but the delivery is not.
   */
  markProcessed?: boolean;
}

/** Tickets evaluated between two turns of the event loop (a few ms of CPU). */
const YIELD_EVERY = 32;

/** Postgres errors worth one more try: deadlock, serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/**
 * Appends provider events to ticket timelines and recomputes the touched tickets' clocks from their
 * whole timelines. Many deliveries share one transaction: all tickets upserted and locked by one
 * statement, all events inserted (and all timelines read back) by another, each ticket evaluated once,
 * all evaluations written by a third. Idempotent (events dedupe on their id) and safe under
 * concurrency: ticket row locks, always taken in one order, serialise work on a ticket across processes.
 */
@Injectable()
export class TicketIngestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: TicketStore,
    private readonly writer: EvaluationWriter,
    private readonly evaluationConfig: EvaluationConfigService,
    @Optional() private readonly events?: EventEmitter2,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** One delivery's events. */
  async ingest(batch: IngestBatch): Promise<IngestResult> {
    const [result] = await this.ingestMany([batch]);
    return result!;
  }

  /**
   * Many deliveries in one transaction, in the order given (their arrival order). All or nothing: on an
   * error the caller retries smaller groups to isolate a delivery that cannot be ingested.
   */
  async ingestMany(batches: IngestBatch[], options: IngestOptions = {}): Promise<IngestResult[]> {
    const replaceIds = options.replace ? batches.flatMap((b) => (b.inboxId ? [b.inboxId] : [])) : [];
    const doneIds = options.markProcessed ? batches.flatMap((b) => (b.inboxId ? [b.inboxId] : [])) : [];
    if (replaceIds.length === 0 && batches.every((b) => b.events.length === 0)) {
      if (doneIds.length > 0) await markDeliveriesProcessed(this.dataSource.manager, doneIds);
      return batches.map(() => ({ ticketIds: [], inserted: 0, duplicates: 0 }));
    }
    // Loaded before the transaction so that no lock is held while they load; a config commit after this
    // point triggers a re-evaluation of its own (and the catch-up below).
    const configs = new Map<string, EvaluationConfig>();
    for (const b of batches) {
      if (!configs.has(b.integrationId))
        configs.set(b.integrationId, await this.evaluationConfig.load(b.integrationId));
    }
    const previous =
      replaceIds.length > 0 ? await this.store.ticketsOfDeliveries(this.dataSource.manager, replaceIds) : [];
    const outcome = await this.withRetry(() =>
      this.dataSource.transaction(async (em) => {
        await this.store.keyedAccessOnly(em);
        const outcome = await this.ingestInTransaction(em, batches, configs, replaceIds, previous);
        if (doneIds.length > 0) await markDeliveriesProcessed(em, doneIds);
        return outcome;
      }),
    ).catch((error: unknown) => {
      throw translateError(error, batches);
    });
    this.announce(outcome.written);
    // A config change that committed while this batch was evaluated may have run its re-evaluation scan
    // before these tickets were visible to it: catch up here rather than wait for the next event.
    const latest = await this.evaluationConfig.load();
    const behind = [...outcome.revisions].filter(([, revision]) => revision !== latest.revision);
    await this.reevaluateMany(behind.map(([ticketId]) => ticketId));
    return outcome.results;
  }

  private async ingestInTransaction(
    em: EntityManager,
    batches: IngestBatch[],
    configs: Map<string, EvaluationConfig>,
    replaceIds: string[],
    previous: TicketKey[],
  ): Promise<{
    results: IngestResult[];
    written: Map<string, WrittenTicket>;
    revisions: Map<string, number>;
  }> {
    const keys = new Map<string, TicketKey>(
      previous.map((k) => [ticketKeyString(k.integrationId, k.externalId), k]),
    );
    for (const b of batches) {
      for (const e of b.events) {
        keys.set(ticketKeyString(b.integrationId, e.externalTicketId), {
          integrationId: b.integrationId,
          externalId: e.externalTicketId,
          defaultPriority: b.defaultPriority,
        });
      }
    }
    const ticketIds = await this.store.upsertAndLockMany(em, [...keys.values()]);
    const oldIds =
      replaceIds.length > 0
        ? await this.store.deleteDeliveryEvents(em, replaceIds)
        : new Map<string, string>();

    const rows: BatchEventRow[] = [];
    for (const b of batches) {
      const own = b.events.map((e) => ({
        ...toEventInsertRow(e, b.receivedAt, b.inboxId),
        ticket_id: ticketIds.get(ticketKeyString(b.integrationId, e.externalTicketId))!,
        integration_id: b.integrationId,
        old_id: oldIds.get(eventKeyString(b.integrationId, e.id)) ?? null,
        n: 0,
      }));
      // Within one delivery, as before batching: when it happened, then the provider's sequence.
      own.sort(
        (x, y) =>
          Date.parse(x.occurred_at) - Date.parse(y.occurred_at) || compareSequence(x.sequence, y.sequence),
      );
      for (const row of own) rows.push({ ...row, n: rows.length });
    }
    const touched = [...new Set(ticketIds.values())];
    const timelines = groupTimelines(await this.store.appendAndLoadMany(em, touched, rows));

    const fresh = new Set<string>();
    for (const row of timelines.values())
      for (const e of row) if (e.is_new) fresh.add(eventKeyString(e.integration_id, e.event_id));
    const results = batches.map((b) => attribute(b, ticketIds, fresh));

    const evaluations: TicketEvaluationWrite[] = [];
    const revisions = new Map<string, number>();
    const defaults = new Map(
      [...keys.values()].map((k) => [ticketIds.get(ticketKeyString(k.integrationId, k.externalId))!, k]),
    );
    for (const [i, ticketId] of touched.entries()) {
      // Under ROLE=all the HTTP accept path shares this event loop: let it in now and then.
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
      const timeline = timelines.get(ticketId) ?? [];
      // Appending: only tickets that got new events. Replacing: every ticket touched, events new or not.
      if (timeline.length === 0 || (replaceIds.length === 0 && !timeline.some((e) => e.is_new))) continue;
      const key = defaults.get(ticketId)!;
      const config = configs.get(key.integrationId) ?? (await this.evaluationConfig.load(key.integrationId));
      evaluations.push(this.evaluateTicket(ticketId, timeline, key.defaultPriority, config));
      revisions.set(ticketId, config.revision);
    }
    const written = await this.writer.write(em, evaluations);
    return { results, written, revisions };
  }

  /** Recomputes one ticket's clocks from its stored timeline under the current configuration. */
  async reevaluate(ticketId: string): Promise<void> {
    await this.reevaluateMany([ticketId]);
  }

  /**
   * Re-evaluates many tickets in one transaction (one lock statement, one timeline read, one write), as
   * configuration changes need: the same result as evaluating each alone, at a fraction of the round trips.
   */
  async reevaluateMany(ticketIds: string[]): Promise<void> {
    if (ticketIds.length === 0) return;
    await this.reevaluateLocked((em) => this.store.lockMany(em, [...new Set(ticketIds)]));
  }

  /**
   * The timers: claims up to `limit` tickets whose next step is due now (skipping those another transaction holds)
   * and evaluates them in one transaction, which records the steps they find due. Returns how many it claimed: fewer
   * than `limit` means nothing else was due and free when it looked.
   */
  async reevaluateDue(limit: number, excluding?: readonly string[]): Promise<number> {
    let claimed = 0;
    await this.reevaluateLocked(async (em) => {
      // Date.now() at the claim: a ticket is never evaluated before its instant.
      const locked = await this.store.claimDue(em, Date.now(), limit, excluding);
      claimed = locked.size;
      return locked;
    });
    return claimed;
  }

  /** The tickets a claim would take now, without locking them (to evaluate them one at a time). */
  async dueTicketIds(limit: number, excluding?: readonly string[]): Promise<string[]> {
    return [...(await this.store.claimDue(this.dataSource.manager, Date.now(), limit, excluding)).keys()];
  }

  private async reevaluateLocked(
    lock: (em: EntityManager) => Promise<Map<string, LockedTicket>>,
  ): Promise<void> {
    const written = await this.withRetry(() =>
      this.dataSource.transaction(async (em) => {
        await this.store.keyedAccessOnly(em);
        const locked = await lock(em);
        if (locked.size === 0) return new Map<string, WrittenTicket>();
        const timelines = groupTimelines(await this.store.appendAndLoadMany(em, [...locked.keys()], []));
        const evaluations: TicketEvaluationWrite[] = [];
        // One configuration read per integration in the batch, not one per ticket (a timer batch has hundreds).
        const configs = new Map<string, Promise<EvaluationConfig>>();
        const eventless: string[] = [];
        for (const [ticketId, ticket] of locked) {
          const timeline = timelines.get(ticketId) ?? [];
          if (timeline.length === 0) {
            eventless.push(ticketId);
            continue;
          }
          let config = configs.get(ticket.integrationId);
          if (!config)
            configs.set(ticket.integrationId, (config = this.evaluationConfig.load(ticket.integrationId)));
          evaluations.push(this.evaluateTicket(ticketId, timeline, ticket.defaultPriority, await config));
        }
        // No events, no clocks: nothing will fall due (else the timers would claim it again and again).
        if (eventless.length > 0) await this.store.clearNextStep(em, eventless);
        const digests = new Map([...locked].map(([ticketId, ticket]) => [ticketId, ticket.writeDigest]));
        return this.writer.write(em, evaluations, digests);
      }),
    );
    this.announce(written);
  }

  /** The pure part: the engine over the sorted timeline, as rows to write. */
  private evaluateTicket(
    ticketId: string,
    stored: StoredEventRow[],
    defaultPriority: Priority,
    config: EvaluationConfig,
  ): TicketEvaluationWrite {
    const timeline = [...stored].sort(compareStoredEvents).map((row) => toTimelineEvent(row));
    const now = Date.now();
    const stopTimer = this.metrics?.evaluationSeconds.startTimer();
    const evaluation = evaluate(timeline, {
      policies: config.policies,
      calendars: config.calendars,
      // Stopped clocks are judged under the calendar versions in force when their stop became known (rule 9).
      calendarsAt: config.calendarsAt,
      customerTiers: config.customerTiers,
      defaultTier: config.defaultTier,
      defaultPriority,
      now,
    });
    stopTimer?.();
    const zoneOf = (calendarId: string | null): string | null =>
      calendarId === null
        ? null
        : (config.calendarZones.get(calendarId) ?? config.calendars.get(calendarId)?.timeZone ?? null);
    return {
      ticketId,
      evaluatedAt: now,
      configRevision: config.revision,
      clocks: evaluation.clocks.map((clock) => toClockWriteRow(clock, zoneOf)),
      steps: evaluation.clocks.flatMap((clock) =>
        clockSteps(clock, ladderFor(clock, evaluation, config), config.calendars.get(clock.calendarId ?? '')),
      ),
      summary: summarise(evaluation, timeline),
    };
  }

  private announce(written: Map<string, WrittenTicket>): void {
    if (written.size === 0) return;
    const changes: TicketsClocksChanged = [...written].map(([ticketId, w]) => ({ ticketId, ...w }));
    this.events?.emit(TICKET_CLOCKS_CHANGED, changes);
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
      }
    }
  }
}

/** The inbox rows' final state after a successful ingest (see IngestOptions.markProcessed). */
async function markDeliveriesProcessed(em: EntityManager, inboxIds: string[]): Promise<void> {
  await em.query(
    `UPDATE inbox_deliveries
        SET status = 'processed', processed_at = now(), updated_at = now(), last_error = NULL
      WHERE id = ANY($1::bigint[])`,
    [inboxIds],
  );
}

function groupTimelines(rows: BatchTimelineRow[]): Map<string, BatchTimelineRow[]> {
  const byTicket = new Map<string, BatchTimelineRow[]>();
  for (const row of rows) {
    const list = byTicket.get(row.ticket_id);
    if (list) list.push(row);
    else byTicket.set(row.ticket_id, [row]);
  }
  return byTicket;
}

/**
 * One delivery's share: its tickets in the order its events name them, and which of its events this
 * statement inserted. An event id twice in the batch counts for its first delivery (insert order).
 */
function attribute(batch: IngestBatch, ticketIds: Map<string, string>, fresh: Set<string>): IngestResult {
  const result: IngestResult = { ticketIds: [], inserted: 0, duplicates: 0 };
  for (const e of batch.events) {
    const ticketId = ticketIds.get(ticketKeyString(batch.integrationId, e.externalTicketId))!;
    if (!result.ticketIds.includes(ticketId)) result.ticketIds.push(ticketId);
    if (fresh.delete(eventKeyString(batch.integrationId, e.id))) result.inserted++;
    else result.duplicates++;
  }
  return result;
}

function compareSequence(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // NULLS LAST
  if (b === null) return -1;
  return a - b;
}

function translateError(error: unknown, batches: IngestBatch[]): unknown {
  const pg = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = pg.code ?? pg.driverError?.code;
  const constraint = pg.constraint ?? pg.driverError?.constraint;
  const integrations = new Set(batches.map((b) => b.integrationId));
  if (code === '23503' && constraint === 'fk_tickets_integration' && integrations.size === 1)
    return new NotFoundError('Integration', [...integrations][0]!);
  return error;
}

/** A clock's escalation ladder: its policy target's ladderId, else the ladder of the ticket's tier. */
function ladderFor(
  clock: Clock,
  evaluation: TicketEvaluation,
  config: EvaluationConfig,
): LadderDefinition | undefined {
  const policy = config.policies.find(
    (p) => p.policyId === clock.policyId && p.version === clock.policyVersion,
  );
  const ladderId = evaluation.priority
    ? policy?.targets[evaluation.priority]?.[clock.metric]?.ladderId
    : undefined;
  if (ladderId) return config.ladders.get(ladderId);
  return evaluation.tier ? config.ladderOfTier.get(evaluation.tier) : undefined;
}
