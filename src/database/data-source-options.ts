import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

/**
 * Connection options shared by the app, the migration CLI and the tests. Entities are listed by
 * each module through TypeOrmModule.forFeature (autoLoadEntities); the CLI's data source globs them.
 */
const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 60_000;
const PARALLEL_SETUP_COST = 20_000;

export function dataSourceOptions(databaseUrl: string, poolSize = 16): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    // JIT compiles a plan when its estimated cost is high, which an estimate made without statistics
    // easily is; compiling costs 20–100 ms, far more than any statement of this service runs.
    // Parallel workers cost tens of milliseconds to start: worth it for a report over a quarter's clocks, not for
    // a 50-row queue page whose row count the planner cannot guess (PARALLEL_SETUP_COST, default 1,000).
    // A request waits at most CONNECT_TIMEOUT_MS for a connection (then 503), never forever during a partition;
    // a statement runs at most STATEMENT_TIMEOUT_MS.
    extra: {
      max: poolSize,
      options: `-c jit=off -c parallel_setup_cost=${PARALLEL_SETUP_COST} -c statement_timeout=${STATEMENT_TIMEOUT_MS}`,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    },
  };
}
