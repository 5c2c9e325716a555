import type { DataSource } from 'typeorm';
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

/** Inbox ids to replay, oldest first. */
export async function selectReplay(dataSource: DataSource, filter: ReplayFilter): Promise<string[]> {
  if (filter.status && !(DELIVERY_STATUSES as readonly string[]).includes(filter.status)) {
    throw new Error(`--status must be one of ${DELIVERY_STATUSES.join(', ')}`);
  }
  const pool = pgPool(dataSource);
  const ids: string[] = [];
  let after = '0';
  for (;;) {
    const { rows } = await pool.query<{ id: string; integration_id: string; received_at: Date; headers: Record<string, string>; body: Buffer | null }>(
      `SELECT id, integration_id, received_at, headers, ${filter.carriesTicket ? 'body' : 'NULL::bytea AS body'}
         FROM inbox_deliveries
        WHERE id > $1::bigint
          AND ($2::varchar IS NULL OR integration_id = $2)
          AND ($3::varchar IS NULL OR status = $3)
        ORDER BY id LIMIT ${PAGE}`,
      [after, filter.integrationId ?? null, filter.status ?? null],
    );
    for (const r of rows) {
      const row: ReplayRow = { id: r.id, integrationId: r.integration_id, receivedAt: r.received_at.getTime(), headers: r.headers, body: r.body ?? Buffer.alloc(0) };
      if (!filter.carriesTicket || (await filter.carriesTicket(row))) ids.push(r.id);
    }
    if (rows.length < PAGE) return ids;
    after = rows[rows.length - 1]!.id;
  }
}
