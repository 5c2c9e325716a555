import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { DataSource, EntityManager } from 'typeorm';

export interface LockedPassOptions {
  db: DataSource;
  scheduler: SchedulerRegistry;
  /** The interval's name in the SchedulerRegistry. */
  name: string;
  /** What the failure line calls it: "<what> pass failed: ...". */
  what: string;
  /** Fixed PostgreSQL advisory-lock key: one pass at a time across all processes. */
  lockKey: number;
  everyMs: number;
}

/**
 * A periodic pass that one process at a time runs: once at start (after a downtime, what fell due meanwhile is done
 * at once), then every `everyMs`, never overlapping itself in this process, inside a transaction holding a
 * transaction-scoped advisory lock (released by commit or rollback, so a process that dies mid-pass leaves no lock
 * behind). A failed pass is logged and the next one tries again. A provider extends it and implements `work`.
 */
export abstract class LockedPass implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger = new Logger(this.constructor.name);
  private running = false;

  protected constructor(private readonly o: LockedPassOptions) {}

  /** The pass itself, inside the transaction that holds the lock; returns how much it did. */
  protected abstract work(tx: EntityManager): Promise<number>;

  onApplicationBootstrap(): void {
    setImmediate(() => void this.pass());
    this.o.scheduler.addInterval(
      this.o.name,
      setInterval(() => void this.pass(), this.o.everyMs),
    );
  }

  onModuleDestroy(): void {
    if (this.o.scheduler.doesExist('interval', this.o.name)) this.o.scheduler.deleteInterval(this.o.name);
  }

  /** One pass; 0 when another process holds the lock, this process is already in a pass, or it failed. */
  async pass(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.o.db.transaction(async (tx) => {
        const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
          this.o.lockKey,
        ])) as Array<{ locked: boolean }>;
        if (!locked) return 0;
        return this.work(tx);
      });
    } catch (error) {
      this.logger.warn(`${this.o.what} pass failed: ${(error as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
