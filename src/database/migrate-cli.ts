/**
 * `npm run migration:run`: creates the database if needed, applies pending migrations (under the same advisory
 * lock the app uses at startup) and prints what it applied. Runs from the build: dist/src/database/migrate-cli.js.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { ensureDatabaseExists, redactUrl } from './ensure-database.js';
import { runMigrations } from './migrate.js';

async function main(): Promise<void> {
  const config = loadConfig();
  await ensureDatabaseExists(config.DATABASE_URL);
  const applied = await runMigrations(config.DATABASE_URL);
  const target = redactUrl(config.DATABASE_URL);
  if (applied.length === 0) {
    process.stdout.write(`No pending migrations for ${target}.\n`);
  } else {
    process.stdout.write(
      `Applied ${applied.length} migration(s) to ${target}:\n${applied.map((n) => `  ${n}\n`).join('')}`,
    );
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`sla-tracker migrate: ${message}\n`);
  process.exit(1);
});
