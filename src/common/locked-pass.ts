import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { DataSource, EntityManager } from 'typeorm';

export interface LockedPassOptions {
  db: DataSource;
  scheduler: SchedulerRegistry;
  logger: Logger;
  /** The interval's name in the SchedulerRegistry. */
  name: string;
  /** What the failure line calls it: "<what> pass failed: ...". */
  what: string;
  /** Fixed PostgreSQL advisory-lock key: one pass at a time across all processes. */
  lockKey: number;
  everyMs: number;
  /** The pass itself, inside the transaction that holds the lock; returns how much it did. */
  work: (tx: EntityManager) => Promise<number>;
}

/**
 * A periodic pass that one process at a time runs: once at start, then every `everyMs`, never overlapping itself in
 * this process, inside a transaction holding a transaction-scoped advisory lock (released by commit or rollback, so
 * a process that dies mid-pass leaves no lock behind). A failed pass is logged and the next one tries again.
 */
export class LockedPass {
  private running = false;

  constructor(private readonly o: LockedPassOptions) {}

  start(): void {
    setImmediate(() => void this.run());
    this.o.scheduler.addInterval(
      this.o.name,
      setInterval(() => void this.run(), this.o.everyMs),
    );
  }

  stop(): void {
    if (this.o.scheduler.doesExist('interval', this.o.name)) this.o.scheduler.deleteInterval(this.o.name);
  }

  /** One pass; 0 when another process holds the lock, this process is already in a pass, or it failed. */
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.o.db.transaction(async (tx) => {
        const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
          this.o.lockKey,
        ])) as Array<{ locked: boolean }>;
        if (!locked) return 0;
        return this.o.work(tx);
      });
    } catch (error) {
      this.o.logger.warn(`${this.o.what} pass failed: ${(error as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
