import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service.js';

/**
 * The inbox backlog and how long its oldest pending delivery has waited, read from PostgreSQL at scrape time (both
 * reach rows through the (status, updated_at) index), so every process reports the same and alerts can watch them.
 */
@Injectable()
export class InboxMetrics implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const db = this.db;
    new Gauge({
      name: 'sla_inbox_backlog',
      help: 'Inbox deliveries not processed yet, by status (pending, processing, failed)',
      labelNames: ['status'] as const,
      registers: [this.metrics.registry],
      async collect() {
        const rows: Array<{ status: string; n: number }> = await db.query(
          `SELECT s.status, (SELECT count(*) FROM inbox_deliveries d WHERE d.status = s.status)::int AS n
             FROM unnest(ARRAY['pending', 'processing', 'failed']) AS s(status)`,
        );
        for (const r of rows) this.set({ status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'sla_inbox_oldest_pending_seconds',
      help: 'How long the oldest pending inbox delivery has waited for processing (0 when none waits)',
      registers: [this.metrics.registry],
      async collect() {
        const [row]: Array<{ age: number | null }> = await db.query(
          `SELECT extract(epoch FROM now() - min(updated_at))::float8 AS age
             FROM inbox_deliveries WHERE status = 'pending'`,
        );
        this.set(Math.max(0, row?.age ?? 0));
      },
    });
  }
}
