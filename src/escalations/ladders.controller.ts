import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';
import {
  type CreateLadderBody,
  createLadderSchema,
  type LadderBody,
  ladderBodySchema,
  type LadderDto,
  ladderSchema,
} from './ladders.schemas.js';
import { LaddersService } from './ladders.service.js';

/** Escalation ladders: which warnings and escalations a tier's clocks have, and whom each is for. */
@ApiTags('ladders')
@Roles('admin')
@Controller('ladders')
export class LaddersController {
  constructor(private readonly ladders: LaddersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a ladder (id optional; 409 if the id exists)' })
  @ApiZodBody(createLadderSchema)
  @ApiZodResponse(201, ladderSchema, { description: 'Created', errors: [400, 409, 422] })
  create(
    @Body(new ZodValidationPipe(createLadderSchema)) body: CreateLadderBody,
    @CurrentActor() actor: Actor,
  ): Promise<LadderDto> {
    return this.ladders.create(body, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List ladders' })
  @ApiZodResponse(200, z.array(ladderSchema))
  list(): Promise<LadderDto[]> {
    return this.ladders.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one ladder' })
  @ApiZodResponse(200, ladderSchema, { errors: [404] })
  get(@Param('id') id: string): Promise<LadderDto> {
    return this.ladders.get(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Create or replace a ladder (201 when created); a change is a new version' })
  @ApiZodBody(ladderBodySchema)
  @ApiZodResponse(200, ladderSchema, { description: 'Replaced (or unchanged)', errors: [400, 422] })
  @ApiZodResponse(201, ladderSchema, { description: 'Created' })
  async put(
    @Param('id', new ZodValidationPipe(configIdSchema)) id: string,
    @Body(new ZodValidationPipe(ladderBodySchema)) body: LadderBody,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<LadderDto> {
    const { ladder, created } = await this.ladders.put(id, body, actor);
    if (created) void reply.status(201);
    return ladder;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete a ladder (409 while a policy's target names it)" })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [404, 409] })
  async remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.ladders.remove(id, actor);
  }
}
