import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service.js';

/** `sla_notifications{channel_type,status}`: read from PostgreSQL at scrape time, so every process reports the same. */
@Injectable()
export class NotificationMetrics implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const db = this.db;
    new Gauge({
      name: 'sla_notifications',
      help: 'Notification deliveries by channel type and status (pending, sent, failed, suppressed, skipped)',
      labelNames: ['channel_type', 'status'] as const,
      registers: [this.metrics.registry],
      async collect() {
        this.reset();
        const rows: Array<{ type: string; status: string; n: number }> = await db.query(
          `SELECT coalesce(c.type, 'email') AS type, n.status, count(*)::int AS n FROM notifications n
           LEFT JOIN notification_channels c ON c.id = n.channel_id GROUP BY 1, 2`,
        );
        for (const r of rows) this.set({ channel_type: r.type, status: r.status }, r.n);
      },
    });
  }
}
