import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isConnectionError } from '../common/outage.js';
import { IngestEnqueuer } from './ingest-enqueuer.js';
import { pgPool } from './pg-pool.js';

export interface InboxRow {
  integrationId: string;
  deliveryKey: string;
  receivedAt: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface InboxReceipt {
  /** The inbox row id (for a duplicate: the earlier delivery's row). */
  id: string;
  duplicate: boolean;
}

interface Waiting {
  row: InboxRow;
  resolve: (receipt: InboxReceipt) => void;
  reject: (error: unknown) => void;
}

/** Group commits in flight at once (each holds one pooled connection for a few ms). */
const MAX_IN_FLIGHT = 4;
/** Rows per statement (5 parameters each; Postgres allows 65 535). */
const MAX_ROWS = 500;

/**
 * One multi-row VALUES list with five parameters per row: pg sends the bodies as binary parameters
 * (Buffers), which Postgres takes as they are, instead of hex text inside an array literal.
 */
function insertSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, i) => {
    const p = i * 5;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::jsonb, $${p + 5})`;
  });
  return `INSERT INTO inbox_deliveries (integration_id, delivery_key, received_at, headers, body)
    VALUES ${values.join(', ')}
    ON CONFLICT (integration_id, delivery_key) DO NOTHING
    RETURNING id, integration_id, delivery_key`;
}

const EXISTING_SQL = `
  SELECT d.id, d.integration_id, d.delivery_key
  FROM inbox_deliveries d
  JOIN unnest($1::varchar[], $2::varchar[]) AS k(integration_id, delivery_key)
    ON d.integration_id = k.integration_id AND d.delivery_key = k.delivery_key`;

/**
 * Group commit for the webhook path. Concurrent deliveries wait for the next flush (scheduled with
 * setImmediate, so everything parsed in the same event-loop turn shares it; while MAX_IN_FLIGHT flushes
 * run, more pile up) and are written with ONE multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` in
 * autocommit. Each request is answered after that commit, so a 202 always means "durable in Postgres".
 * The committed ids then go to the ingest queue as one job per flush.
 */
@Injectable()
export class InboxWriter implements OnApplicationShutdown {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly enqueuer: IngestEnqueuer,
  ) {}

  write(row: InboxRow): Promise<InboxReceipt> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      this.schedule();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // Let accepted-but-uncommitted deliveries finish before the pool closes.
    if (this.waiting.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    while (this.waiting.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
      const batch = this.waiting.splice(0, MAX_ROWS);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.schedule();
        if (this.inFlight === 0 && this.waiting.length === 0) this.idle.splice(0).forEach((done) => done());
      });
    }
  }

  private async commit(batch: Waiting[]): Promise<void> {
    let receipts: InboxReceipt[];
    let insertedIds: string[];
    try {
      ({ receipts, insertedIds } = await this.insert(batch.map((w) => w.row)));
    } catch (error) {
      // A row that PostgreSQL refuses must fail alone, never its neighbours: retry them one by one (not during an
      // outage, where every row would fail the same way).
      if (batch.length > 1 && !isConnectionError(error)) {
        for (const w of batch) await this.commit([w]);
        return;
      }
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve(receipts[i]!));
    // After answering, and without holding the commit slot: the queue is an optimisation on top of the durable
    // rows, and a Redis outage must never hold up intake (the enqueuer keeps what it could not add and retries).
    this.enqueuer.enqueueBatchLater(insertedIds);
  }

  private async insert(rows: InboxRow[]): Promise<{ receipts: InboxReceipt[]; insertedIds: string[] }> {
    const pool = pgPool(this.dataSource);
    const integrationIds = rows.map((r) => r.integrationId);
    const keys = rows.map((r) => r.deliveryKey);
    const params: unknown[] = [];
    for (const r of rows)
      params.push(r.integrationId, r.deliveryKey, new Date(r.receivedAt), JSON.stringify(r.headers), r.body);
    const inserted = await pool.query<{ id: string; integration_id: string; delivery_key: string }>(
      insertSql(rows.length),
      params,
    );
    const fresh = new Map(inserted.rows.map((r) => [`${r.integration_id}\n${r.delivery_key}`, r.id]));
    const existing = new Map<string, string>();
    if (inserted.rows.length < rows.length) {
      // Duplicates: already in the inbox (or twice in this batch).
      const found = await pool.query<{ id: string; integration_id: string; delivery_key: string }>(
        EXISTING_SQL,
        [integrationIds, keys],
      );
      for (const r of found.rows) existing.set(`${r.integration_id}\n${r.delivery_key}`, r.id);
    }
    const claimed = new Set<string>();
    const receipts = rows.map((row): InboxReceipt => {
      const key = `${row.integrationId}\n${row.deliveryKey}`;
      const freshId = fresh.get(key);
      if (freshId !== undefined && !claimed.has(key)) {
        claimed.add(key);
        return { id: freshId, duplicate: false };
      }
      const id = freshId ?? existing.get(key);
      if (id === undefined) throw new Error('inbox row vanished between insert and lookup');
      return { id, duplicate: true };
    });
    return { receipts, insertedIds: inserted.rows.map((r) => r.id) };
  }
}
