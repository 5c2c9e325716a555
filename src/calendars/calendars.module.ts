import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigRevisionModule } from '../policies/config-core/config-revision.module.js';
import { CalendarEntity } from './calendar.entity.js';
import { CalendarsController } from './calendars.controller.js';
import { CalendarsService } from './calendars.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CalendarEntity]), ConfigRevisionModule],
  controllers: [CalendarsController],
  providers: [CalendarsService],
  exports: [CalendarsService],
})
export class CalendarsModule {}
