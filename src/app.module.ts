import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { HealthModule } from './health/health.module.js';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { CalendarsModule } from './calendars/calendars.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { PoliciesModule } from './policies/policies.module.js';
import { TiersModule } from './tiers/tiers.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { redisConnectionOptions } from './common/redis-connection.js';
import { TicketsApiModule } from './tickets/tickets-api.module.js';
import { TicketsWorkerModule } from './tickets/tickets-worker.module.js';
import { IntegrationsModule } from './integrations/integrations.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module.js';
import { TimersModule } from './timers/timers.module.js';
import { EscalationsModule } from './escalations/escalations.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ReportsWorkerModule } from './reports/reports-worker.module.js';
import { LiveEventsApiModule, LiveEventsWorkerModule } from './live-events/live-events.module.js';
import { AuthModule } from './auth/auth.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { DirectoryModule } from './directory/directory.module.js';
import { NotificationsWorkerModule } from './notifications/notifications-worker.module.js';
import { AuditModule } from './audit/audit.module.js';
import { QueueBoardModule } from './queue-board/queue-board.module.js';
import { ConfigAsCodeModule } from './config-as-code/config-as-code.module.js';

/**
 * The application, assembled for a process role: `api` serves HTTP, `worker` runs queue processors
 * and crons, `all` does both. Capability modules are listed once; worker-only modules (processors)
 * are added for the worker role. Every role serves /health (and /metrics), so an orchestrator can probe
 * workers too.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    const runsWorkers = config.ROLE !== 'api';
    const runsApi = config.ROLE !== 'worker';
    const apiModules: DynamicModule['imports'] = [
      TiersModule,
      CalendarsModule,
      PoliciesModule,
      CustomersModule,
      IntegrationsModule,
      WebhooksModule,
      TicketsApiModule,
      EscalationsModule,
      ReportsModule,
      LiveEventsApiModule,
      NotificationsModule,
      DirectoryModule,
      AuditModule,
      QueueBoardModule,
      ConfigAsCodeModule,
    ];
    const workerModules: DynamicModule['imports'] = [
      WebhooksWorkerModule,
      TicketsWorkerModule,
      TimersModule,
      LiveEventsWorkerModule,
      NotificationsWorkerModule,
      ReportsWorkerModule,
    ];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
          autoLoadEntities: true,
        }),
        BullModule.forRoot({
          connection: redisConnectionOptions(config.REDIS_URL),
          // The braces make every queue key hash to one Redis Cluster slot per prefix.
          prefix: `{${config.QUEUE_PREFIX}}`,
        }),
        EventEmitterModule.forRoot(),
        ...(runsWorkers ? [ScheduleModule.forRoot()] : []),
        AuthModule.register({ serveApi: runsApi }),
        HealthModule,
        MetricsModule,
        ...(runsApi ? apiModules : []),
        ...(runsWorkers ? workerModules : []),
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
