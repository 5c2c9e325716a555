import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool behind TypeORM's data source. The inbox statements are hand-written SQL on hot paths:
 * one round trip each, results as pg returns them, none of the query-runner bookkeeping.
 */
export function pgPool(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as unknown as { master: pg.Pool }).master;
}
