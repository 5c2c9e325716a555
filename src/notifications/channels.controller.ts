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
  type ChannelBody,
  channelBodySchema,
  type ChannelDto,
  channelSchema,
  type CreateChannelBody,
  createChannelSchema,
} from './channels.schemas.js';
import { ChannelsService } from './channels.service.js';

/** Where warnings and breaches are sent. Admin configuration: the admin role guard goes here when auth lands. */
@ApiTags('channels')
@Roles('admin')
@Controller('channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  @ApiOperation({
    summary:
      'Create a notification channel: a signed webhook, a Slack incoming webhook or helpdesk write-back',
  })
  @ApiZodBody(createChannelSchema)
  @ApiZodResponse(201, channelSchema, { description: 'Created', errors: [400, 409] })
  create(
    @Body(new ZodValidationPipe(createChannelSchema)) body: CreateChannelBody,
    @CurrentActor() actor: Actor,
  ): Promise<ChannelDto> {
    return this.channels.create(body, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List channels (URLs shown by host only; secrets never)' })
  @ApiZodResponse(200, z.array(channelSchema))
  list(): Promise<ChannelDto[]> {
    return this.channels.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one channel' })
  @ApiZodResponse(200, channelSchema, { errors: [404] })
  get(@Param('id') id: string): Promise<ChannelDto> {
    return this.channels.get(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Create or replace a channel (201 when created, 200 when replaced)' })
  @ApiZodBody(channelBodySchema)
  @ApiZodResponse(200, channelSchema, { description: 'Replaced', errors: [400] })
  @ApiZodResponse(201, channelSchema, { description: 'Created' })
  async put(
    @Param('id', new ZodValidationPipe(configIdSchema)) id: string,
    @Body(new ZodValidationPipe(channelBodySchema)) body: ChannelBody,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<ChannelDto> {
    const { channel, created } = await this.channels.put(id, body, actor);
    if (created) void reply.status(201);
    return channel;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel and its delivery records' })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [404] })
  async remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.channels.remove(id, actor);
  }
}
