import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CalendarsModule } from '../calendars/calendars.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { EscalationsModule } from '../escalations/escalations.module.js';
import { IntegrationSettingsModule } from '../integrations/integration-settings.module.js';
import { IntegrationsModule } from '../integrations/integrations.module.js';
import { NotificationsCoreModule } from '../notifications/notifications-core.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { ConfigAsCodeController } from './config-as-code.controller.js';
import { ConfigAsCodeService } from './config-as-code.service.js';
import { registerYamlBodies } from './yaml-body.js';

/** Configuration as code: export, plan and apply of the whole SLA setup (the CLI and /config). */
@Module({
  imports: [
    TiersModule,
    CalendarsModule,
    PoliciesModule,
    CustomersModule,
    EscalationsModule,
    NotificationsCoreModule,
    IntegrationsModule,
    IntegrationSettingsModule,
    DirectoryModule,
  ],
  controllers: [ConfigAsCodeController],
  providers: [ConfigAsCodeService],
  exports: [ConfigAsCodeService],
})
export class ConfigAsCodeModule implements OnModuleInit {
  constructor(private readonly http: HttpAdapterHost) {}

  onModuleInit(): void {
    // Absent in the CLI (an application context without HTTP).
    const fastify = this.http.httpAdapter?.getInstance() as FastifyInstance | undefined;
    if (fastify) registerYamlBodies(fastify, ['/config/plan', '/config/apply']);
  }
}
