import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigRevisionModule } from '../policies/config-core/config-revision.module.js';
import { CalendarVersionEntity } from './calendar-version.entity.js';
import { CalendarEntity } from './calendar.entity.js';
import { CalendarVersionsService } from './calendar-versions.service.js';
import { CalendarsController } from './calendars.controller.js';
import { CalendarsService } from './calendars.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CalendarEntity, CalendarVersionEntity]), ConfigRevisionModule],
  controllers: [CalendarsController],
  providers: [CalendarsService, CalendarVersionsService],
  exports: [CalendarsService],
})
export class CalendarsModule {}
