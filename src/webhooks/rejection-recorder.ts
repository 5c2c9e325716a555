import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

interface Rejection {
  integrationId: string;
  status: number;
  reason: string;
  at: number;
}

const FLUSH_EVERY_MS = 1_000;
/** A flood of bad deliveries must not become a flood of writes: beyond this per second, only counted. */
const MAX_PER_FLUSH = 1_000;

/**
 * Audit of rejected deliveries of known integrations (integration, status, reason code, time: no body,
 * no headers). Buffered and written once a second off the request path.
 */
@Injectable()
export class RejectionRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(RejectionRecorder.name);
  private buffer: Rejection[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  record(integrationId: string, status: number, reason: string): void {
    if (this.buffer.length >= MAX_PER_FLUSH) {
      this.dropped++;
      return;
    }
    this.buffer.push({ integrationId, status, reason: reason.slice(0, 64), at: Date.now() });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.buffer.splice(0);
    if (this.dropped > 0) {
      this.logger.warn(`${this.dropped} webhook rejections not recorded (more than ${MAX_PER_FLUSH}/s)`);
      this.dropped = 0;
    }
    if (rows.length === 0) return;
    try {
      await this.dataSource.query(
        `INSERT INTO webhook_rejections (integration_id, status, reason, received_at)
         SELECT * FROM unnest($1::varchar[], $2::smallint[], $3::varchar[], $4::timestamptz[])`,
        [
          rows.map((r) => r.integrationId),
          rows.map((r) => r.status),
          rows.map((r) => r.reason),
          rows.map((r) => new Date(r.at)),
        ],
      );
    } catch (error) {
      this.logger.warn(`could not record ${rows.length} webhook rejections: ${(error as Error).message}`);
    }
  }
}
