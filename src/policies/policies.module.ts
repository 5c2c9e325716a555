import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarsModule } from '../calendars/calendars.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { ConfigRevisionModule } from './config-core/config-revision.module.js';
import { EvaluationConfigModule } from './evaluation-config.module.js';
import { PoliciesController } from './policies.controller.js';
import { PoliciesService } from './policies.service.js';
import { PolicyVersionEntity } from './policy-version.entity.js';
import { PolicyEntity } from './policy.entity.js';

/** Versioned SLA policies; exports EvaluationConfigService (policies + calendars + customer tiers for the engine). */
@Module({
  imports: [
    TypeOrmModule.forFeature([PolicyEntity, PolicyVersionEntity]),
    TiersModule,
    CalendarsModule,
    ConfigRevisionModule,
    EvaluationConfigModule,
  ],
  controllers: [PoliciesController],
  providers: [PoliciesService],
  exports: [EvaluationConfigModule, PoliciesService],
})
export class PoliciesModule {}
