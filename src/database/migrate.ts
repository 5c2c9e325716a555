import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

/** An arbitrary but fixed advisory-lock key, so that only one process migrates at a time. */
const MIGRATION_LOCK_KEY = 734_190_001;

/** Applies pending migrations under an advisory lock; safe to call from many processes at once. */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, 1));
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await dataSource.destroy();
  }
}
