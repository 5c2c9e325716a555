import 'reflect-metadata';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { processActor } from '../auth/actor.js';
import { redisConnectionOptions } from '../common/redis-connection.js';
import { ConfigAsCodeModule } from '../config-as-code/config-as-code.module.js';
import { ConfigAsCodeService, ConfigRejectedError } from '../config-as-code/config-as-code.service.js';
import { renderPlan } from '../config-as-code/config-diff.js';
import { ConfigParseError, ConfigSource, describeProblems } from '../config-as-code/config-document.js';
import { configJsonSchema } from '../config-as-code/config-file.schema.js';
import { type AppConfig, ConfigError, loadConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { ensureDatabaseExists } from '../database/ensure-database.js';
import { runMigrations } from '../database/migrate.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { EvaluationConfigModule } from '../policies/evaluation-config.module.js';
import { EvaluationConfigService } from '../policies/evaluation-config.service.js';
import { ConfigChangeListener } from '../tickets/config-change.listener.js';
import { TicketEntity } from '../tickets/entities/ticket.entity.js';
import { TicketsQueue } from '../tickets/reevaluation.queue.js';

const USAGE = `Configuration as code: tiers, calendars, ladders, channels, integrations (with write-back), policies,
customers and the directory in one file.

  npm run config -- export [FILE]           the configuration as YAML (to FILE, or the console)
  npm run config -- plan FILE [--prune]     what apply would change, resource by resource; writes nothing
  npm run config -- apply FILE [--prune]    applies FILE in one transaction (all or nothing), audited as "cli"
  npm run config -- schema [FILE]           the JSON Schema of the file, for editors

Credentials are never in the file: it names environment variables ({ env: ZENDESK_SECRET }), read at plan and
apply. --prune deletes what the file does not list, in the sections the file has (an absent section is left alone).
Exit status: 0 done, 1 the file has problems (all are listed) or a change was refused, 2 usage.`;

/** Just what configuration needs: the database, the queues and events the modules use, and their services. */
@Module({})
class ConfigCliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ConfigCliModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL, 4), autoLoadEntities: true }),
        // Escalation steps refer to tickets: their metadata needs the entity, though configuration never reads it.
        TypeOrmModule.forFeature([TicketEntity]),
        BullModule.forRoot({
          connection: redisConnectionOptions(config.REDIS_URL),
          prefix: `{${config.QUEUE_PREFIX}}`,
        }),
        BullModule.registerQueue({ name: TicketsQueue.Reevaluate }),
        EventEmitterModule.forRoot(),
        MetricsModule,
        EvaluationConfigModule,
        ConfigAsCodeModule,
      ],
    };
  }
}

function fail(message: string): never {
  process.stderr.write(`config: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function readSource(file: string): ConfigSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(`config: cannot read ${file}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  try {
    return ConfigSource.parse(text);
  } catch (error) {
    if (!(error instanceof ConfigParseError)) throw error;
    process.stderr.write(`${describeProblems(error.problems, file)}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { prune: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const [command, file] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  if (!['export', 'plan', 'apply', 'schema'].includes(command)) fail(`unknown command "${command}"`);
  if ((command === 'plan' || command === 'apply') && !file) fail(`${command} needs the file`);
  if (positionals.length > 2) fail(`unexpected argument "${positionals[2]}"`);

  if (command === 'schema') {
    const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
    if (file) writeFileSync(file, text);
    else process.stdout.write(text);
    return;
  }
  const source = command === 'export' ? null : readSource(file!);

  const config = { ...loadConfig(), BOOTSTRAP_ADMIN_KEY: undefined };
  await ensureDatabaseExists(config.DATABASE_URL);
  await runMigrations(config.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(ConfigCliModule.register(config), {
    logger: ['error', 'warn'],
  });
  try {
    const service = app.get(ConfigAsCodeService);
    if (command === 'export') {
      const yaml = await service.export();
      if (file) {
        writeFileSync(file, yaml);
        process.stderr.write(`Exported the configuration to ${file}.\n`);
      } else process.stdout.write(yaml);
      return;
    }
    const options = { prune: values.prune };
    try {
      const result =
        command === 'apply'
          ? await service.apply(source!, processActor('cli'), options)
          : await service.plan(source!, processActor('cli'), options);
      process.stdout.write(`${renderPlan(result)}\n`);
      if (result.applied && result.changes.length > 0) {
        // Open clocks are re-evaluated under the new configuration by the workers (SEMANTICS 9), as after an API edit.
        const listener = new ConfigChangeListener(
          app.get(getQueueToken(TicketsQueue.Reevaluate)),
          app.get(EvaluationConfigService),
        );
        await listener.onConfigChanged();
      }
    } catch (error) {
      if (!(error instanceof ConfigRejectedError)) throw error;
      process.stderr.write(`${describeProblems(error.problems, file)}\n`);
      if (command === 'apply') process.stderr.write('Nothing was applied.\n');
      process.exitCode = 1;
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`config: ${error.message}\n`);
  else new Logger('config').error((error as Error)?.stack ?? String(error));
  process.exit(1);
});
