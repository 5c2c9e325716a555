import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarVersionEntity } from '../calendars/calendar-version.entity.js';
import { CalendarEntity } from '../calendars/calendar.entity.js';
import { CustomerEntity } from '../customers/customer.entity.js';
import { TierEntity } from '../tiers/tier.entity.js';
import { ConfigRevisionEntity } from './config-core/config-revision.entity.js';
import { EvaluationConfigService } from './evaluation-config.service.js';
import { PolicyVersionEntity } from './policy-version.entity.js';
import { PolicyEntity } from './policy.entity.js';

/**
 * The read side of configuration for the engine, without the admin controllers, so that worker-only modules can
 * import it and load everything it reads (PoliciesModule re-exports it for the API side).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ConfigRevisionEntity,
      PolicyEntity,
      PolicyVersionEntity,
      CalendarEntity,
      CalendarVersionEntity,
      CustomerEntity,
      TierEntity,
    ]),
  ],
  providers: [EvaluationConfigService],
  exports: [EvaluationConfigService],
})
export class EvaluationConfigModule {}
