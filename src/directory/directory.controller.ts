import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import {
  type DirectoryBody,
  directoryBodySchema,
  type DirectoryEntryDto,
  directoryEntrySchema,
  type DirectoryKey,
  directoryKeySchema,
  type ListDirectoryQuery,
  listDirectoryQuerySchema,
} from './directory.schemas.js';
import { DirectoryService } from './directory.service.js';

const ENTRY = ':integrationId/:kind/:externalId';

/** Who a step for the ticket's assignee or group reaches: helpdesk agent or group id → e-mail address or channel. */
@ApiTags('directory')
@Roles('admin')
@Controller('directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @ApiOperation({ summary: 'List directory entries, filtered by integration and kind' })
  @ApiZodResponse(200, z.array(directoryEntrySchema), { errors: [400] })
  list(
    @Query(new ZodValidationPipe(listDirectoryQuerySchema)) query: ListDirectoryQuery,
  ): Promise<DirectoryEntryDto[]> {
    return this.directory.list(query);
  }

  @Get(ENTRY)
  @ApiOperation({ summary: 'Get one entry: kind is agent or group, externalId the helpdesk’s id' })
  @ApiZodResponse(200, directoryEntrySchema, { errors: [400, 404] })
  get(@Param(new ZodValidationPipe(directoryKeySchema)) key: DirectoryKey): Promise<DirectoryEntryDto> {
    return this.directory.get(key);
  }

  @Put(ENTRY)
  @ApiOperation({ summary: 'Create or replace an entry (201 when created, 200 when replaced)' })
  @ApiZodBody(directoryBodySchema)
  @ApiZodResponse(200, directoryEntrySchema, { description: 'Replaced', errors: [400, 422] })
  @ApiZodResponse(201, directoryEntrySchema, { description: 'Created' })
  async put(
    @Param(new ZodValidationPipe(directoryKeySchema)) key: DirectoryKey,
    @Body(new ZodValidationPipe(directoryBodySchema)) body: DirectoryBody,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<DirectoryEntryDto> {
    const { entry, created } = await this.directory.put(key, body, actor);
    if (created) void reply.status(201);
    return entry;
  }

  @Delete(ENTRY)
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an entry (steps for that agent or group then go to the fallback channel)',
  })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [400, 404] })
  async remove(
    @Param(new ZodValidationPipe(directoryKeySchema)) key: DirectoryKey,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.directory.remove(key, actor);
  }
}
