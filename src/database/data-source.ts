/**
 * The DataSource for the TypeORM CLI (`migration:generate`, `migration:show`, `schema:log`), used from the build:
 * `node node_modules/typeorm/cli.js <command> -d dist/src/database/data-source.js`. The app itself registers
 * entities per module (autoLoadEntities); the CLI has no Nest, so it globs every compiled entity instead.
 */
import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';

const config = loadConfig();

// dist/src/database/ → dist/src/**/*.entity.js (forward slashes: the glob library wants them on Windows too).
const compiledEntities =
  fileURLToPath(new URL('../', import.meta.url)).replaceAll('\\', '/') + '**/*.entity.js';

export const cliDataSource = new DataSource({
  ...dataSourceOptions(config.DATABASE_URL, 1),
  entities: [compiledEntities],
});
