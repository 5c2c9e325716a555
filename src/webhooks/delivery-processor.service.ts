import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { cleanProviderText } from './providers/shared/clean-text.js';
import { parseJsonBody } from './providers/shared/json.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { setImmediate } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors.js';
import { IntegrationSettingsService } from '../integrations/integration-settings.service.js';
import type { IngestBatch } from '../tickets/ticket-ingest.service.js';
import { TicketIngestService } from '../tickets/ticket-ingest.service.js';
import { MAX_DELIVERY_ATTEMPTS } from './ingest-queue.js';
import { INBOX_TIMING, type InboxTiming } from './inbox-timing.js';
import { pgPool } from './pg-pool.js';
import { adapterFor } from './providers/index.js';
import { NormaliseError, type IntegrationSettings, type RawDelivery } from './providers/provider-adapter.js';

export type DeliveryOutcome =
  | { id: string; result: 'processed'; inserted: number; duplicates: number; ticketIds: string[] }
  | { id: string; result: 'dead'; error: string }
  /** A transient failure; the caller schedules the next attempt. */
  | { id: string; result: 'failed'; error: string; attempts: number };

export interface ProcessOptions {
  /** Re-run deliveries whatever their status (replay, dead ones included). */
  force?: boolean;
  /** Replay: replace the events each delivery produced with those its current mapping gives (see IngestOptions). */
  rebuild?: boolean;
  /** Fill each claim up with other pending deliveries (queue jobs: their jobs then find nothing left to do). */
  topUp?: boolean;
}

interface ClaimedRow {
  id: string;
  integration_id: string;
  received_at: Date;
  headers: Record<string, string>;
  body: Buffer;
  attempts: number;
}

interface Prepared {
  row: ClaimedRow;
  batch: IngestBatch;
}

/** An error that retrying cannot fix: the delivery goes straight to `dead`. */
class Permanent extends Error {}

/**
 * Deliveries claimed (and ingested in one transaction) at a time. Large enough that the per-statement
 * and per-transaction costs vanish, small enough that a chunk takes well under a second, so
 * `processing` still means "being worked on right now" (the reconciler's stuck timeout relies on it).
 */
export const CLAIM_CHUNK = 250;
/** Overrides CLAIM_CHUNK (tests that need a chunk to be in flight at a given moment use small ones). */
export const CLAIM_CHUNK_SIZE = Symbol('CLAIM_CHUNK_SIZE');

const CLAIM_COLUMNS = 'id, integration_id, received_at, headers, body, attempts';

/**
 * Turns inbox rows into ticket events, a chunk at a time: claim (status → processing, attempts + 1),
 * parse and normalise each with its provider's adapter under the integration's current mapping
 * (unusable payloads are dead-lettered right away), ingest the rest in one transaction that also marks
 * them processed (one commit: no window where the clocks are written but the delivery is not), record
 * failures in one statement. A chunk that fails is split in halves until the delivery at fault is
 * alone, so one poisoned delivery cannot hold back the others. Re-running a delivery is safe:
 * TicketIngestService dedupes events, so a delivery processed twice counts once.
 */
@Injectable()
export class DeliveryProcessor {
  private readonly logger = new Logger(DeliveryProcessor.name);
  /** Rows this process has claimed and not finished: any other `processing` row under its WORKER_ID is orphaned. */
  private readonly inFlight = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: IntegrationSettingsService,
    private readonly ingest: TicketIngestService,
    @Inject(INBOX_TIMING) private readonly timing: InboxTiming,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(CLAIM_CHUNK_SIZE) private readonly chunk: number = CLAIM_CHUNK,
  ) {}

  /**
   * Processes those of `ids` that are due (pending, failed, or processing for longer than the stuck
   * timeout), in inbox order; with `topUp`, also other pending deliveries up to a full chunk.
   */
  async process(ids: string[], options: ProcessOptions = {}): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    let offset = 0;
    do {
      const slice = ids.slice(offset, offset + this.chunk);
      offset += slice.length;
      const rows = options.topUp
        ? await this.claimWithPending(slice)
        : await this.claim(slice, options.force ?? false);
      if (rows.length === 0) continue;
      rows.sort((a, b) => compareIds(a.id, b.id));
      for (const row of rows) this.inFlight.add(row.id);
      try {
        outcomes.push(...(await this.processChunk(rows, options.rebuild ?? false)));
      } finally {
        for (const row of rows) this.inFlight.delete(row.id);
      }
    } while (offset < ids.length);
    return outcomes;
  }

  /** Ids claimed by this process and still being worked on. */
  inFlightIds(): string[] {
    return [...this.inFlight];
  }

  private async claim(ids: string[], force: boolean): Promise<ClaimedRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await pgPool(this.dataSource).query<ClaimedRow>(
      `UPDATE inbox_deliveries
          SET status = 'processing', attempts = attempts + 1, updated_at = now(), claimed_by = $4
        WHERE id = ANY($1::bigint[])
          AND pruned_at IS NULL
          AND ($2::boolean
               OR status IN ('pending', 'failed')
               OR (status = 'processing' AND updated_at < now() - make_interval(secs => $3::float8)))
        RETURNING ${CLAIM_COLUMNS}`,
      [ids, force, this.timing.stuckAfterMs / 1000, this.config.WORKER_ID],
    );
    return rows;
  }

  /**
   * As claim(), plus the oldest other pending deliveries nobody is claiming, up to a full chunk, in one
   * statement. SKIP LOCKED: a row another worker is claiming right now is theirs (the status re-check
   * after the lock would skip it anyway); the status index gives pending rows oldest first.
   */
  private async claimWithPending(ids: string[]): Promise<ClaimedRow[]> {
    const { rows } = await pgPool(this.dataSource).query<ClaimedRow>(
      `WITH own AS (
         SELECT id FROM inbox_deliveries WHERE id = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED
       ), more AS (
         SELECT id FROM inbox_deliveries WHERE status = 'pending' AND NOT (id = ANY($1::bigint[]))
          ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE inbox_deliveries
          SET status = 'processing', attempts = attempts + 1, updated_at = now(), claimed_by = $4
        WHERE id IN (SELECT id FROM own UNION ALL SELECT id FROM more)
          AND (status IN ('pending', 'failed')
               OR (status = 'processing' AND updated_at < now() - make_interval(secs => $3::float8)))
        RETURNING ${CLAIM_COLUMNS}`,
      [ids, Math.max(0, this.chunk - ids.length), this.timing.stuckAfterMs / 1000, this.config.WORKER_ID],
    );
    return rows;
  }

  private async processChunk(rows: ClaimedRow[], rebuild: boolean): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    const prepared: Prepared[] = [];
    const integrations = new Map<string, Promise<IntegrationSettings | null>>();
    for (const [i, row] of rows.entries()) {
      // Parsing and normalising is CPU work: under ROLE=all, let the accept path in now and then.
      if (i % 64 === 63) await setImmediate();
      try {
        prepared.push(await this.prepare(row, integrations));
      } catch (error) {
        outcomes.push(this.failure(row, error));
      }
    }
    // Dead letters first: they need no ticket work, and must not wait on (or fail with) the others.
    await this.recordFailures(outcomes);
    const ingested = await this.ingestIsolated(prepared, rebuild);
    await this.recordFailures(ingested);
    return [...outcomes, ...ingested];
  }

  /** Parses and normalises under the integration's current mapping (looked up once per chunk). */
  private async prepare(
    row: ClaimedRow,
    integrations: Map<string, Promise<IntegrationSettings | null>>,
  ): Promise<Prepared> {
    let lookup = integrations.get(row.integration_id);
    if (!lookup) integrations.set(row.integration_id, (lookup = this.settings.get(row.integration_id)));
    const integration = await lookup;
    if (!integration) throw new Permanent(`integration "${row.integration_id}" no longer exists`);
    const adapter = adapterFor(integration.provider);
    const delivery: RawDelivery = {
      headers: row.headers,
      body: row.body,
      receivedAt: row.received_at.getTime(),
    };
    let payload: unknown;
    try {
      payload = cleanProviderText(parseJsonBody(row.body));
    } catch {
      throw new Permanent('malformed_json: the stored body is not valid JSON');
    }
    const events = adapter.normalise(payload, delivery, integration);
    return {
      row,
      batch: {
        integrationId: integration.id,
        defaultPriority: integration.mapping.defaultPriority,
        events,
        receivedAt: delivery.receivedAt,
        inboxId: row.id,
      },
    };
  }

  /** One transaction for the lot; on failure, halves, down to the single delivery that fails. */
  private async ingestIsolated(prepared: Prepared[], rebuild: boolean): Promise<DeliveryOutcome[]> {
    if (prepared.length === 0) return [];
    try {
      const results = await this.ingest.ingestMany(
        prepared.map((p) => p.batch),
        { replace: rebuild, markProcessed: true },
      );
      return prepared.map((p, i) => ({ id: p.row.id, result: 'processed' as const, ...results[i]! }));
    } catch (error) {
      if (prepared.length === 1) return [this.failure(prepared[0]!.row, error)];
      const half = Math.ceil(prepared.length / 2);
      return [
        ...(await this.ingestIsolated(prepared.slice(0, half), rebuild)),
        ...(await this.ingestIsolated(prepared.slice(half), rebuild)),
      ];
    }
  }

  private failure(row: ClaimedRow, error: unknown): DeliveryOutcome {
    if (error instanceof NormaliseError)
      return { id: row.id, result: 'dead', error: `${error.code}: ${error.message}` };
    if (error instanceof Permanent || error instanceof NotFoundError) {
      return { id: row.id, result: 'dead', error: error.message };
    }
    const message = (error as Error)?.message ?? String(error);
    if (row.attempts >= MAX_DELIVERY_ATTEMPTS) {
      return { id: row.id, result: 'dead', error: `gave up after ${row.attempts} attempts: ${message}` };
    }
    this.logger.warn(`delivery ${row.id} attempt ${row.attempts} failed, will retry: ${message}`);
    return { id: row.id, result: 'failed', error: message, attempts: row.attempts };
  }

  /**
   * Failed and dead deliveries with their errors, in one statement. Processed ones need nothing here:
   * the ingest transaction marked them in its own commit.
   */
  private async recordFailures(outcomes: DeliveryOutcome[]): Promise<void> {
    const bad = outcomes.filter((o) => o.result !== 'processed');
    if (bad.length === 0) return;
    await pgPool(this.dataSource).query(
      `UPDATE inbox_deliveries AS d
          SET status = u.status, last_error = u.error, updated_at = now()
         FROM unnest($1::bigint[], $2::varchar[], $3::text[]) AS u(id, status, error)
        WHERE d.id = u.id`,
      [
        bad.map((o) => o.id),
        bad.map((o) => o.result),
        bad.map((o) => ('error' in o ? o.error : '').slice(0, 2000)),
      ],
    );
  }
}

/** bigint ids as strings, compared numerically. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
