import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';
import {
  type CreateTierBody,
  createTierSchema,
  type TierBody,
  tierBodySchema,
  type TierDto,
  tierSchema,
} from './tiers.schemas.js';
import { TiersService } from './tiers.service.js';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';

/** Customer tiers. Admin configuration. */
@ApiTags('tiers')
@Roles('admin')
@Controller('tiers')
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tier (409 if the id exists)' })
  @ApiZodBody(createTierSchema)
  @ApiZodResponse(201, tierSchema, { description: 'Created', errors: [400, 409] })
  create(
    @Body(new ZodValidationPipe(createTierSchema)) body: CreateTierBody,
    @CurrentActor() actor: Actor,
  ): Promise<TierDto> {
    return this.tiers.create(body, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List tiers' })
  @ApiZodResponse(200, z.array(tierSchema))
  list(): Promise<TierDto[]> {
    return this.tiers.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one tier' })
  @ApiZodResponse(200, tierSchema, { errors: [404] })
  get(@Param('id') id: string): Promise<TierDto> {
    return this.tiers.get(id);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Create or replace a tier (201 when created, 200 when replaced; omitted fields are reset)',
  })
  @ApiZodBody(tierBodySchema)
  @ApiZodResponse(200, tierSchema, { description: 'Replaced (or unchanged)', errors: [400] })
  @ApiZodResponse(201, tierSchema, { description: 'Created' })
  async put(
    @Param('id', new ZodValidationPipe(configIdSchema)) id: string,
    @Body(new ZodValidationPipe(tierBodySchema)) body: TierBody,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<TierDto> {
    const { tier, created } = await this.tiers.put(id, body, actor);
    if (created) void reply.status(201);
    return tier;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Delete a tier (409 while customer mappings, current policies or open tickets use it, or while it is the default)',
  })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [404, 409] })
  async remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.tiers.remove(id, actor);
  }
}
