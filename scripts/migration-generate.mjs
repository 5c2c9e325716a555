// `npm run migration:generate -- <Name> [typeorm options, e.g. --dryrun]`
//
// Builds, brings the database in DATABASE_URL up to date (so that the diff holds only what is new), then lets the
// TypeORM CLI compare the compiled entities with it and write migrations/<timestamp>-<Name>.ts. Review the SQL
// (name constraints and indexes explicitly in the entities, so the names are stable) and add the class to
// migrations/index.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const [name, ...passThrough] = process.argv.slice(2);
if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
  console.error('Usage: npm run migration:generate -- <Name>   (PascalCase, e.g. AddTicketGroups)');
  process.exit(1);
}

const run = (file, args) => execFileSync(file, args, { stdio: 'inherit' });

console.log('== build');
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
console.log('== apply existing migrations');
run(process.execPath, ['dist/src/database/migrate-cli.js']);

console.log('== generate');
// TypeORM runs migrations in timestamp order, so a new one must sort after every existing one even when those
// were given timestamps ahead of the clock.
const latest = Math.max(0, ...readdirSync('migrations').map((f) => Number(/^(\d{13})-/.exec(f)?.[1] ?? 0)));
const timestamp = Math.max(Date.now(), latest + 1);
try {
  run(process.execPath, [
    'node_modules/typeorm/cli.js',
    'migration:generate',
    `migrations/${name}`,
    '--dataSource',
    'dist/src/database/data-source.js',
    '--timestamp',
    String(timestamp),
    '--pretty',
    ...passThrough,
  ]);
} catch {
  // The CLI has printed why (e.g. "No changes in database schema were found").
  process.exit(1);
}

const file = `migrations/${timestamp}-${name}.ts`;
if (existsSync(file)) {
  // Match the project's style: type-only imports (the migration needs no runtime value from typeorm).
  const source = readFileSync(file, 'utf8').replace(
    'import { MigrationInterface, QueryRunner } from "typeorm";',
    "import type { MigrationInterface, QueryRunner } from 'typeorm';",
  );
  writeFileSync(file, source);
  const className = /export class (\w+)/.exec(source)?.[1];
  console.log(`\nWrote ${file}. Add it to migrations/index.ts:`);
  console.log(`  import { ${className} } from './${timestamp}-${name}.js';`);
  console.log(`  …and append ${className} to the \`migrations\` list.`);
}
