import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

interface Ambient {
  tx: EntityManager;
  afterCommit: Array<() => void>;
}

const ambient = new AsyncLocalStorage<Ambient>();

/**
 * Runs `work` in one database transaction that every write path inside it joins (through `inTransaction`), so that
 * several service calls commit or roll back together: configuration as code applies a whole file this way. What
 * the writes schedule with `afterCommit` (events, cache invalidations) runs only once the transaction committed.
 */
export async function inOneTransaction<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  if (ambient.getStore()) return work();
  const afterCommit: Array<() => void> = [];
  const value = await dataSource.transaction((tx) => ambient.run({ tx, afterCommit }, work));
  for (const run of afterCommit) run();
  return value;
}

/** A write's transaction: the surrounding `inOneTransaction` if there is one, else a new one of `manager`. */
export function inTransaction<T>(
  manager: Pick<EntityManager, 'transaction'>,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  const outer = ambient.getStore();
  return outer ? work(outer.tx) : manager.transaction(work);
}

/** Runs `effect` after the surrounding transaction commits (at once outside `inOneTransaction`); never on rollback. */
export function afterCommit(effect: () => void): void {
  const outer = ambient.getStore();
  if (outer) outer.afterCommit.push(effect);
  else effect();
}
