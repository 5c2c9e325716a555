import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

/**
 * Connection options shared by the app, the migration CLI and the tests. Entities are listed by
 * each module through TypeOrmModule.forFeature (autoLoadEntities); the CLI's data source globs them.
 */
export function dataSourceOptions(databaseUrl: string, poolSize = 16): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    // JIT compiles a plan when its estimated cost is high, which an estimate made without statistics
    // easily is; compiling costs 20–100 ms, far more than any statement of this service runs.
    extra: { max: poolSize, options: '-c jit=off' },
  };
}
