import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { parseIfMatch, versionTag } from '../common/etag.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';
import {
  type CalendarBody,
  calendarBodySchema,
  calendarDetailSchema,
  type CalendarDetailDto,
  type CalendarDto,
  calendarSchema,
  type CreateCalendarBody,
  createCalendarSchema,
  holidayImportResultSchema,
  type HolidayImportResult,
  type ImportHolidaysBody,
  importHolidaysSchema,
} from './calendars.schemas.js';
import { CalendarsService } from './calendars.service.js';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';

/** Business calendars. Admin configuration. */
@ApiTags('calendars')
@Roles('admin')
@Controller('calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a calendar (id optional: a UUID is generated; 409 if the id exists)' })
  @ApiZodBody(createCalendarSchema)
  @ApiZodResponse(201, calendarDetailSchema, { description: 'Created', errors: [400, 409] })
  create(
    @Body(new ZodValidationPipe(createCalendarSchema)) body: CreateCalendarBody,
    @CurrentActor() actor: Actor,
  ): Promise<CalendarDetailDto> {
    return this.calendars.create(body, actor);
  }

  @Get()
  @ApiOperation({
    summary: 'List calendars: the built-in 24/7 calendar "24x7" first, then the stored ones by id',
  })
  @ApiZodResponse(200, z.array(calendarSchema))
  list(): Promise<CalendarDto[]> {
    return this.calendars.list();
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get one calendar, with its version history ("24x7" is the built-in 24/7 calendar)',
  })
  @ApiZodResponse(200, calendarDetailSchema, { errors: [404] })
  async get(
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CalendarDetailDto> {
    const calendar = await this.calendars.get(id);
    void reply.header('etag', versionTag(calendar.version));
    return calendar;
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Create or replace a calendar (201 when created, 200 when replaced); a change is a new version',
  })
  @ApiZodBody(calendarBodySchema)
  @ApiZodResponse(200, calendarDetailSchema, { description: 'Replaced (or unchanged)', errors: [400] })
  @ApiZodResponse(201, calendarDetailSchema, { description: 'Created' })
  async put(
    @Param('id', new ZodValidationPipe(configIdSchema)) id: string,
    @Body(new ZodValidationPipe(calendarBodySchema)) body: CalendarBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<CalendarDetailDto> {
    const { calendar, created } = await this.calendars.put(id, body, actor, parseIfMatch(ifMatch));
    if (created) void reply.status(201);
    void reply.header('etag', versionTag(calendar.version));
    return calendar;
  }

  @Post(':id/holidays/import')
  @HttpCode(200)
  @ApiOperation({ summary: "Merge a country's public holidays into the calendar (existing dates are kept)" })
  @ApiZodBody(importHolidaysSchema)
  @ApiZodResponse(200, holidayImportResultSchema, { errors: [400, 404] })
  importHolidays(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(importHolidaysSchema)) body: ImportHolidaysBody,
    @CurrentActor() actor: Actor,
  ): Promise<HolidayImportResult> {
    return this.calendars.importHolidays(id, body, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Delete a calendar with its versions (409 while a current policy counts in it or a clock ran in it; 24x7 is built in)',
  })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [404, 409] })
  async remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.calendars.remove(id, actor);
  }
}
