import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LiveEventStreamModule } from '../live-events/live-events.module.js';
import { ConfigRevisionModule } from '../policies/config-core/config-revision.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { BreachesController } from './breaches.controller.js';
import { BreachesService } from './breaches.service.js';
import { LadderEntity, LadderVersionEntity } from './ladder.entity.js';
import { LaddersController } from './ladders.controller.js';
import { LaddersService } from './ladders.service.js';
import { SlaStepEntity } from './sla-step.entity.js';

/**
 * Escalation ladders (configuration) and warnings and breaches as records (sla_steps, written by the evaluation in
 * the tickets module), with the managers' API over them: GET /breaches and acknowledgements.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([SlaStepEntity, LadderEntity, LadderVersionEntity]),
    TiersModule,
    ConfigRevisionModule,
    LiveEventStreamModule,
  ],
  controllers: [BreachesController, LaddersController],
  providers: [BreachesService, LaddersService],
  exports: [LaddersService],
})
export class EscalationsModule {}
