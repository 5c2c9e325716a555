import 'reflect-metadata';
import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { SingleBar, Presets } from 'cli-progress';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { redisConnectionOptions } from '../common/redis-connection.js';
import { type AppConfig, ConfigError, loadConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { IntegrationSettingsModule } from '../integrations/integration-settings.module.js';
import { IntegrationSettingsService } from '../integrations/integration-settings.service.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { DeliveryProcessor } from '../webhooks/delivery-processor.service.js';
import { DEFAULT_INBOX_TIMING, INBOX_TIMING } from '../webhooks/inbox-timing.js';
import { adapterFor } from '../webhooks/providers/index.js';
import { countPruned, replayDeliveries, selectReplay } from '../webhooks/replay-selection.js';

const USAGE = `Re-runs stored webhook deliveries through the current mappings and policies.

  npm run replay -- --integration ID            every delivery of one integration
  npm run replay -- --integration ID --ticket X  the deliveries that carry ticket X (external id)
  npm run replay -- --all                        every delivery of every integration
  add --status dead (or failed, …) to limit to deliveries in that state

Each delivery (dead ones included) is re-normalised under its integration's current mapping, the events
it produced before are replaced by the new ones (keeping their ids), and each touched ticket is
re-evaluated under the current policies and calendars, in the same transaction.`;

/** Just what replay needs: database, queues and events (the tickets module uses them), integrations, tickets. */
@Module({})
class ReplayModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ReplayModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL, 4), autoLoadEntities: true }),
        BullModule.forRoot({
          connection: redisConnectionOptions(config.REDIS_URL),
          prefix: `{${config.QUEUE_PREFIX}}`,
        }),
        EventEmitterModule.forRoot(),
        IntegrationSettingsModule,
        TicketsModule,
      ],
      providers: [{ provide: INBOX_TIMING, useValue: DEFAULT_INBOX_TIMING }, DeliveryProcessor],
    };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      integration: { type: 'string' },
      ticket: { type: 'string' },
      all: { type: 'boolean', default: false },
      status: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (!values.all && !values.integration) || (values.ticket && !values.integration)) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(ReplayModule.register(config), {
    logger: ['error', 'warn'],
  });
  try {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const settings = app.get(IntegrationSettingsService);
    const processor = app.get(DeliveryProcessor);
    const ids = await selectReplay(dataSource, {
      integrationId: values.integration,
      status: values.status,
      // --ticket: the delivery is re-normalised to see which tickets it carries (works for every provider).
      carriesTicket: values.ticket
        ? async (row) => {
            const integration = await settings.get(row.integrationId);
            if (!integration) return false;
            const adapter = adapterFor(integration.provider);
            try {
              const payload = JSON.parse(row.body.toString('utf8')) as unknown;
              const delivery = { headers: row.headers, body: row.body, receivedAt: row.receivedAt };
              return adapter
                .normalise(payload, delivery, integration)
                .some((e) => e.externalTicketId === values.ticket);
            } catch {
              return false;
            }
          }
        : undefined,
    });
    const pruned = await countPruned(dataSource, {
      integrationId: values.integration,
      status: values.status,
    });
    if (pruned > 0) {
      process.stdout.write(
        `skipping ${pruned} deliveries whose bodies were removed after the retention period (DELIVERY_RETENTION_DAYS); their events stay as they are\n`,
      );
    }
    const bar = new SingleBar(
      { format: 'replay [{bar}] {value}/{total} deliveries | {eta_formatted} left' },
      Presets.shades_classic,
    );
    bar.start(ids.length, 0);
    const totals = await replayDeliveries(processor, ids, (done) => bar.update(done));
    bar.stop();
    process.stdout.write(
      `replayed ${ids.length} deliveries: ${totals.processed} processed (${totals.events} events rebuilt), ` +
        `${totals.failed} failed, ${totals.dead} dead\n`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`replay: ${error.message}\n`);
  else new Logger('replay').error((error as Error)?.stack ?? String(error));
  process.exit(1);
});
