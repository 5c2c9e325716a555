import { Module } from '@nestjs/common';
import { TicketsController } from './tickets.controller.js';
import { TicketsModule } from './tickets.module.js';
import { TicketsQueryService } from './tickets-query.service.js';

/** GET /tickets (the agent queue) and GET /tickets/:integrationId/:externalId; API role. */
@Module({
  imports: [TicketsModule],
  controllers: [TicketsController],
  providers: [TicketsQueryService],
})
export class TicketsApiModule {}
