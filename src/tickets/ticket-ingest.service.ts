import { Injectable, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../common/errors.js';
import { evaluate } from '../engine/index.js';
import type { Priority } from '../engine/types.js';
import { EvaluationConfigService, type EvaluationConfig } from '../policies/evaluation-config.service.js';
import type { NormalisedEvent } from '../webhooks/providers/provider-adapter.js';
import { TicketStore } from './ticket-store.js';
import { TICKET_CLOCKS_CHANGED, type TicketClocksChanged } from './tickets.events.js';
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
  /** The inbox row that carried them (for tracing). */
  inboxId?: string;
}

export interface IngestResult {
  ticketIds: string[];
  inserted: number;
  duplicates: number;
}

/** Postgres errors worth one more try: deadlock, serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/**
 * Appends provider events to ticket timelines and recomputes the ticket's clocks from the whole
 * timeline, one transaction per ticket. Idempotent (events dedupe on their id) and safe under
 * concurrency: the ticket row lock serialises deliveries for one ticket across processes.
 */
@Injectable()
export class TicketIngestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: TicketStore,
    private readonly evaluationConfig: EvaluationConfigService,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    const result: IngestResult = { ticketIds: [], inserted: 0, duplicates: 0 };
    if (batch.events.length === 0) return result;
    // Loaded before the transaction so that no lock is held while it loads; a config commit
    // after this point triggers a re-evaluation of its own.
    const config = await this.evaluationConfig.load(batch.integrationId);
    for (const [externalId, events] of groupByTicket(batch.events)) {
      const { ticketId, inserted, clockVersion } = await this.withRetry(() =>
        this.dataSource.transaction(async (em) => {
          const id = await this.store.upsertAndLock(
            em,
            batch.integrationId,
            externalId,
            batch.defaultPriority,
          );
          const rows = events.map((e) => toEventInsertRow(e, batch.receivedAt, batch.inboxId));
          const appended = await this.store.appendAndLoad(em, id, batch.integrationId, rows);
          const version =
            appended.inserted > 0
              ? await this.evaluateAndWrite(em, id, appended.timeline, batch.defaultPriority, config)
              : null;
          return { ticketId: id, inserted: appended.inserted, clockVersion: version };
        }),
      ).catch((error: unknown) => {
        throw translateError(error, batch.integrationId);
      });
      result.ticketIds.push(ticketId);
      result.inserted += inserted;
      result.duplicates += events.length - inserted;
      if (clockVersion !== null) this.announce({ ticketId, clockVersion });
    }
    // A config change that committed while this delivery was evaluated may have run its re-evaluation
    // scan before these tickets were visible to it: catch up here rather than wait for the next event.
    const latest = await this.evaluationConfig.load(batch.integrationId);
    if (latest.revision !== config.revision) {
      for (const ticketId of result.ticketIds) await this.reevaluate(ticketId);
    }
    return result;
  }

  /** Recomputes one ticket's clocks from its stored timeline under the current configuration. */
  async reevaluate(ticketId: string): Promise<void> {
    await this.reevaluateWith(ticketId, new Map());
  }

  /**
   * As reevaluate(), sharing loaded configurations between the tickets of a batch
   * (keyed by integration id).
   */
  async reevaluateWith(ticketId: string, configs: Map<string, Promise<EvaluationConfig>>): Promise<void> {
    const clockVersion = await this.withRetry(() =>
      this.dataSource.transaction(async (em) => {
        const ticket = await this.store.lock(em, ticketId);
        if (!ticket) throw new NotFoundError('Ticket', ticketId);
        let config = configs.get(ticket.integrationId);
        if (!config) {
          config = this.evaluationConfig.load(ticket.integrationId);
          configs.set(ticket.integrationId, config);
        }
        const timeline = await this.store.loadTimeline(em, ticketId);
        if (timeline.length === 0) return null;
        return this.evaluateAndWrite(em, ticketId, timeline, ticket.defaultPriority, await config);
      }),
    );
    if (clockVersion !== null) this.announce({ ticketId, clockVersion });
  }

  private async evaluateAndWrite(
    em: EntityManager,
    ticketId: string,
    stored: StoredEventRow[],
    defaultPriority: Priority,
    config: EvaluationConfig,
  ): Promise<number> {
    const timeline = [...stored]
      .sort(compareStoredEvents)
      .map((row) => toTimelineEvent(row, defaultPriority));
    const now = Date.now();
    const evaluation = evaluate(timeline, {
      policies: config.policies,
      calendars: config.calendars,
      customerTiers: config.customerTiers,
      defaultTier: config.defaultTier,
      defaultPriority,
      now,
    });
    const zoneOf = (calendarId: string | null): string | null =>
      calendarId === null
        ? null
        : (config.calendarZones.get(calendarId) ?? config.calendars.get(calendarId)?.timeZone ?? null);
    const clocks = evaluation.clocks.map((clock) => toClockWriteRow(clock, zoneOf));
    return this.store.writeEvaluation(
      em,
      ticketId,
      now,
      config.revision,
      clocks,
      summarise(evaluation, timeline),
    );
  }

  private announce(change: TicketClocksChanged): void {
    this.events?.emit(TICKET_CLOCKS_CHANGED, change);
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

/** Events grouped by ticket, each group in delivery order. */
function groupByTicket(events: NormalisedEvent[]): Map<string, NormalisedEvent[]> {
  const groups = new Map<string, NormalisedEvent[]>();
  for (const event of events) {
    const group = groups.get(event.externalTicketId);
    if (group) group.push(event);
    else groups.set(event.externalTicketId, [event]);
  }
  return groups;
}

function translateError(error: unknown, integrationId: string): unknown {
  const pg = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = pg.code ?? pg.driverError?.code;
  const constraint = pg.constraint ?? pg.driverError?.constraint;
  if (code === '23503' && constraint === 'fk_tickets_integration')
    return new NotFoundError('Integration', integrationId);
  return error;
}
