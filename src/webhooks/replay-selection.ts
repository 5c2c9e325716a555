import type { DataSource } from 'typeorm';
import { CLAIM_CHUNK, type DeliveryProcessor } from './delivery-processor.service.js';
import { DELIVERY_STATUSES } from './inbox-delivery.entity.js';
import { pgPool } from './pg-pool.js';

export interface ReplayRow {
  id: string;
  integrationId: string;
  receivedAt: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ReplayFilter {
  integrationId?: string;
  status?: string;
  /** Keeps only deliveries for which this says yes (e.g. "carries ticket X"); reads the bodies page by page. */
  carriesTicket?: (row: ReplayRow) => Promise<boolean>;
}

const PAGE = 1_000;

/** Inbox ids to replay, oldest first. Deliveries whose body retention removed are left out (see countPruned). */
export async function selectReplay(dataSource: DataSource, filter: ReplayFilter): Promise<string[]> {
  if (filter.status && !(DELIVERY_STATUSES as readonly string[]).includes(filter.status)) {
    throw new Error(`--status must be one of ${DELIVERY_STATUSES.join(', ')}`);
  }
  const pool = pgPool(dataSource);
  const ids: string[] = [];
  let after = '0';
  for (;;) {
    const { rows } = await pool.query<{
      id: string;
      integration_id: string;
      received_at: Date;
      headers: Record<string, string>;
      body: Buffer | null;
    }>(
      `SELECT id, integration_id, received_at, headers, ${filter.carriesTicket ? 'body' : 'NULL::bytea AS body'}
         FROM inbox_deliveries
        WHERE id > $1::bigint
          AND pruned_at IS NULL
          AND ($2::varchar IS NULL OR integration_id = $2)
          AND ($3::varchar IS NULL OR status = $3)
        ORDER BY id LIMIT ${PAGE}`,
      [after, filter.integrationId ?? null, filter.status ?? null],
    );
    for (const r of rows) {
      const row: ReplayRow = {
        id: r.id,
        integrationId: r.integration_id,
        receivedAt: r.received_at.getTime(),
        headers: r.headers,
        body: r.body ?? Buffer.alloc(0),
      };
      if (!filter.carriesTicket || (await filter.carriesTicket(row))) ids.push(r.id);
    }
    if (rows.length < PAGE) return ids;
    after = rows[rows.length - 1]!.id;
  }
}

/** How many deliveries the filter would have selected but whose bodies retention removed (they cannot be replayed). */
export async function countPruned(
  dataSource: DataSource,
  filter: Pick<ReplayFilter, 'integrationId' | 'status'>,
): Promise<number> {
  const { rows } = await pgPool(dataSource).query<{ n: number }>(
    `SELECT count(*)::int AS n FROM inbox_deliveries
      WHERE pruned_at IS NOT NULL
        AND ($1::varchar IS NULL OR integration_id = $1)
        AND ($2::varchar IS NULL OR status = $2)`,
    [filter.integrationId ?? null, filter.status ?? null],
  );
  return rows[0]?.n ?? 0;
}

export interface ReplayTotals {
  processed: number;
  failed: number;
  dead: number;
  /** Events the replayed deliveries produced under the current mapping (re-inserted or new). */
  events: number;
}

/**
 * Replays deliveries in inbox order, a claim chunk at a time: each is re-normalised under its
 * integration's current mapping, the events it produced before are replaced (ids kept) and every touched
 * ticket is re-evaluated in the same transaction. Any status is re-run, dead deliveries included.
 */
export async function replayDeliveries(
  processor: DeliveryProcessor,
  ids: string[],
  onProgress: (done: number) => void = () => undefined,
): Promise<ReplayTotals> {
  const totals: ReplayTotals = { processed: 0, failed: 0, dead: 0, events: 0 };
  for (let i = 0; i < ids.length; i += CLAIM_CHUNK) {
    const outcomes = await processor.process(ids.slice(i, i + CLAIM_CHUNK), { force: true, rebuild: true });
    for (const o of outcomes) {
      totals[o.result]++;
      if (o.result === 'processed') totals.events += o.inserted;
    }
    onProgress(Math.min(i + CLAIM_CHUNK, ids.length));
  }
  return totals;
}
