import 'reflect-metadata';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { parseArgs } from 'node:util';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { processActor } from '../auth/actor.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { ROLES, type Role } from '../auth/roles.js';
import { type AppConfig, ConfigError, loadConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { ensureDatabaseExists } from '../database/ensure-database.js';
import { runMigrations } from '../database/migrate.js';

const USAGE = `Manages API keys (the first admin key, or any key without the HTTP API).

  npm run apikey -- create --role admin --name ops [--expires 2027-01-01T00:00:00Z]
                                      prints the new key once; store it now, it cannot be shown again
  npm run apikey -- list              id, prefix, name, role, expiry, last use, revocation (never keys)
  npm run apikey -- revoke ID         the key stops working within seconds

Roles: agent < manager < admin (each may do what the roles before it may).`;

/** Just what key management needs: the database, the keys service and the audit log. */
@Module({})
class ApiKeyCliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ApiKeyCliModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL, 2), autoLoadEntities: true }),
        TypeOrmModule.forFeature([ApiKeyEntity]),
        AuditLogModule,
      ],
      providers: [ApiKeysService],
    };
  }
}

function fail(message: string): never {
  process.stderr.write(`apikey: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, id] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  if (!['create', 'list', 'revoke'].includes(command)) fail(`unknown command "${command}"`);
  if (command === 'create' && (!values.name || !ROLES.includes(values.role as Role))) {
    fail(`create needs --name and --role (${ROLES.join(', ')})`);
  }
  const expiresAt = values.expires ? new Date(values.expires) : null;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) fail('--expires is not an ISO 8601 date-time');
  if (command === 'revoke' && !id) fail('revoke needs the key id (see list)');

  const config = { ...loadConfig(), BOOTSTRAP_ADMIN_KEY: undefined };
  await ensureDatabaseExists(config.DATABASE_URL);
  await runMigrations(config.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(ApiKeyCliModule.register(config), {
    logger: ['error', 'warn'],
  });
  try {
    const keys = app.get(ApiKeysService);
    if (command === 'create') {
      const { key, apiKey } = await keys.create(
        { name: values.name!, role: values.role as Role, expiresAt },
        processActor('cli'),
      );
      process.stdout.write(
        `Created ${apiKey.role} key "${apiKey.name}" (id ${apiKey.id}). This is the only time it is shown:\n\n${key}\n`,
      );
    } else if (command === 'list') {
      for (const k of await keys.list()) {
        const state = k.revokedAt
          ? `revoked ${k.revokedAt}`
          : k.expiresAt
            ? `expires ${k.expiresAt}`
            : 'active';
        process.stdout.write(
          `${k.id}  ${k.prefix}…  ${k.role.padEnd(7)}  ${k.name}  ${state}  last used ${k.lastUsedAt ?? 'never'}\n`,
        );
      }
    } else {
      const revoked = await keys.revoke(id!, processActor('cli'));
      process.stdout.write(`Revoked key "${revoked.name}" (${revoked.prefix}…).\n`);
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`apikey: ${error.message}\n`);
  else if ((error as { code?: string })?.code === 'not_found')
    process.stderr.write(`apikey: ${(error as Error).message}\n`);
  else new Logger('apikey').error((error as Error)?.stack ?? String(error));
  process.exit(1);
});
