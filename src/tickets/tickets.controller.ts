import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { CLOCK_STATES, PRIORITIES } from '../engine/types.js';
import type { ClockDetailView } from './clock-view.js';
import {
  type ListTicketsQuery,
  listTicketsQuerySchema,
  TICKET_SORTS,
  type TicketParams,
  ticketDetailSchema,
  ticketPageSchema,
  ticketParamsSchema,
} from './tickets.dto.js';
import { type TicketPage, TicketsQueryService, type TicketView } from './tickets-query.service.js';
import { Roles } from '../auth/roles.js';

@ApiTags('tickets')
@Roles('agent')
@Controller('tickets')
export class TicketsController {
  constructor(private readonly query: TicketsQueryService) {}

  @Get()
  @ApiOperation({
    summary: 'The agent queue: open tickets (not solved, closed or removed), soonest deadline first',
  })
  @ApiQuery({
    name: 'state',
    required: false,
    enum: CLOCK_STATES,
    isArray: true,
    description: 'Tickets with any clock in one of these states (comma-separated)',
  })
  @ApiQuery({ name: 'tier', required: false, type: String, description: 'Comma-separated tiers' })
  @ApiQuery({ name: 'priority', required: false, enum: PRIORITIES, isArray: true })
  @ApiQuery({ name: 'assignee', required: false, type: String, description: "The helpdesk's assignee id" })
  @ApiQuery({ name: 'group', required: false, type: String, description: "The helpdesk's group id" })
  @ApiQuery({ name: 'integrationId', required: false, type: String })
  @ApiQuery({
    name: 'breachWithin',
    required: false,
    type: String,
    description:
      'ISO 8601 duration (PT2H, P1D) or whole minutes: next deadline at most this far from now (overdue included)',
  })
  @ApiQuery({
    name: 'atRisk',
    required: false,
    type: Number,
    description:
      'At risk: a counting clock (running, or overdue and not yet stopped) at or above this % used, as of now (0–1000)',
  })
  @ApiQuery({ name: 'sort', required: false, enum: TICKET_SORTS })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1–200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' })
  @ApiZodResponse(200, ticketPageSchema, { errors: [400] })
  list(@Query(new ZodValidationPipe(listTicketsQuerySchema)) query: ListTicketsQuery): Promise<TicketPage> {
    return this.query.list(query);
  }

  @Get(':integrationId/:externalId')
  @ApiOperation({ summary: 'One ticket with every clock: live remaining time, local deadline, explanation' })
  @ApiParam({ name: 'integrationId' })
  @ApiParam({ name: 'externalId', description: 'The ticket id in the helpdesk' })
  @ApiZodResponse(200, ticketDetailSchema, { errors: [400, 404] })
  getOne(
    @Param(new ZodValidationPipe(ticketParamsSchema)) params: TicketParams,
  ): Promise<TicketView<ClockDetailView>> {
    return this.query.getOne(params.integrationId, params.externalId);
  }
}
