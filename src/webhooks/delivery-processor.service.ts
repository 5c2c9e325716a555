import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors.js';
import { IntegrationSettingsService } from '../integrations/integration-settings.service.js';
import { TicketIngestService } from '../tickets/ticket-ingest.service.js';
import { MAX_DELIVERY_ATTEMPTS } from './ingest-queue.js';
import { INBOX_TIMING, type InboxTiming } from './inbox-timing.js';
import { pgPool } from './pg-pool.js';
import { adapterFor } from './providers/index.js';
import { NormaliseError, type RawDelivery } from './providers/provider-adapter.js';

export type DeliveryOutcome =
  | { id: string; result: 'processed'; inserted: number; duplicates: number; ticketIds: string[] }
  | { id: string; result: 'dead'; error: string }
  /** A transient failure; the caller schedules the next attempt. */
  | { id: string; result: 'failed'; error: string; attempts: number };

interface ClaimedRow {
  id: string;
  integration_id: string;
  received_at: Date;
  headers: Record<string, string>;
  body: Buffer;
  attempts: number;
}

/** An error that retrying cannot fix: the delivery goes straight to `dead`. */
class Permanent extends Error {}

/** Deliveries worked on at once within one job (each holds a connection while it ingests). */
const PARALLEL = 4;

/**
 * Turns inbox rows into ticket events: claim (status → processing, attempts + 1), parse, normalise with
 * the provider's adapter under the integration's current mapping, ingest, mark processed. Re-running a
 * delivery is safe: TicketIngestService dedupes events, so a delivery processed twice counts once.
 */
@Injectable()
export class DeliveryProcessor {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: IntegrationSettingsService,
    private readonly ingest: TicketIngestService,
    @Inject(INBOX_TIMING) private readonly timing: InboxTiming,
  ) {}

  /**
   * Processes those of `ids` that are due (pending, failed, or processing for longer than the stuck
   * timeout). `force` re-runs any status and `reevaluate` recomputes every touched ticket even when all its
   * events were already stored (replay under changed policies). Claims in small chunks, so `processing` means
   * "being worked on right now", which is what lets the reconciler tell a dead worker from a slow one.
   */
  async process(ids: string[], options: { force?: boolean; reevaluate?: boolean } = {}): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    for (let i = 0; i < ids.length; i += PARALLEL) {
      const rows = await this.claim(ids.slice(i, i + PARALLEL), options.force ?? false);
      const chunk = await Promise.all(rows.map((row) => this.processOne(row, options.reevaluate ?? false)));
      await this.record(chunk);
      outcomes.push(...chunk);
    }
    return outcomes;
  }

  private async claim(ids: string[], force: boolean): Promise<ClaimedRow[]> {
    const { rows } = await pgPool(this.dataSource).query<ClaimedRow>(
      `UPDATE inbox_deliveries
          SET status = 'processing', attempts = attempts + 1, updated_at = now()
        WHERE id = ANY($1::bigint[])
          AND ($2::boolean
               OR status IN ('pending', 'failed')
               OR (status = 'processing' AND updated_at < now() - make_interval(secs => $3::float8)))
        RETURNING id, integration_id, received_at, headers, body, attempts`,
      [ids, force, this.timing.stuckAfterMs / 1000],
    );
    return rows;
  }

  private async processOne(row: ClaimedRow, reevaluate: boolean): Promise<DeliveryOutcome> {
    try {
      const integration = await this.settings.get(row.integration_id);
      if (!integration) throw new Permanent(`integration "${row.integration_id}" no longer exists`);
      const adapter = adapterFor(integration.provider);
      if (!adapter) throw new Error(`provider "${integration.provider}" has no adapter in this version`);
      const delivery: RawDelivery = { headers: row.headers, body: row.body, receivedAt: row.received_at.getTime() };
      let payload: unknown;
      try {
        payload = JSON.parse(row.body.toString('utf8'));
      } catch {
        throw new Permanent('malformed_json: the stored body is not valid JSON');
      }
      const events = adapter.normalise(payload, delivery, integration);
      const result = await this.ingest.ingest({
        integrationId: integration.id,
        defaultPriority: integration.mapping.defaultPriority,
        events,
        receivedAt: delivery.receivedAt,
        inboxId: row.id,
      });
      if (reevaluate) for (const ticketId of result.ticketIds) await this.ingest.reevaluate(ticketId);
      return { id: row.id, result: 'processed', ...result };
    } catch (error) {
      if (error instanceof NormaliseError) return { id: row.id, result: 'dead', error: `${error.code}: ${error.message}` };
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
  }

  /** One statement per chunk: processed rows, and failed/dead rows with their errors. */
  private async record(outcomes: DeliveryOutcome[]): Promise<void> {
    const done = outcomes.filter((o) => o.result === 'processed').map((o) => o.id);
    const bad = outcomes.filter((o) => o.result !== 'processed');
    if (done.length > 0) {
      await pgPool(this.dataSource).query(
        `UPDATE inbox_deliveries
            SET status = 'processed', processed_at = now(), updated_at = now(), last_error = NULL
          WHERE id = ANY($1::bigint[])`,
        [done],
      );
    }
    if (bad.length > 0) {
      await pgPool(this.dataSource).query(
        `UPDATE inbox_deliveries AS d
            SET status = u.status, last_error = u.error, updated_at = now()
           FROM unnest($1::bigint[], $2::varchar[], $3::text[]) AS u(id, status, error)
          WHERE d.id = u.id`,
        [bad.map((o) => o.id), bad.map((o) => o.result), bad.map((o) => ('error' in o ? o.error : '').slice(0, 2000))],
      );
    }
  }
}
