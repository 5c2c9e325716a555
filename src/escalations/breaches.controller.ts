import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import {
  type AckBreachBody,
  ackBreachSchema,
  type BreachPage,
  breachPageSchema,
  breachSchema,
  type BreachView,
  type ListBreachesQuery,
  listBreachesQuerySchema,
} from './breaches.schemas.js';
import { BreachesService } from './breaches.service.js';

/** Breaches for managers: the list, one breach, and its acknowledgement. */
@ApiTags('breaches')
@Roles('manager')
@Controller('breaches')
export class BreachesController {
  constructor(private readonly breaches: BreachesService) {}

  @Get()
  @ApiOperation({
    summary:
      'Breaches, newest first: filter by state, metric, tier, priority, integration, acknowledged, deadline period',
  })
  @ApiZodResponse(200, breachPageSchema, { errors: [400] })
  list(@Query(new ZodValidationPipe(listBreachesQuerySchema)) query: ListBreachesQuery): Promise<BreachPage> {
    return this.breaches.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One breach' })
  @ApiZodResponse(200, breachSchema, { errors: [404] })
  get(@Param('id') id: string): Promise<BreachView> {
    return this.breaches.get(id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Acknowledge a breach as the calling API key (the first acknowledgement stands; 409 for a withdrawn breach)',
  })
  @ApiZodBody(ackBreachSchema)
  @ApiZodResponse(200, breachSchema, { errors: [400, 404, 409] })
  acknowledge(
    @Param('id') id: string,
    // Validated (an optional note; `by` is refused), but who acknowledges is the key, not the body.
    @Body(new ZodValidationPipe(ackBreachSchema)) _body: AckBreachBody,
    @CurrentActor() actor: Actor,
  ): Promise<BreachView> {
    return this.breaches.acknowledge(id, actor);
  }
}
