import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { parseIfMatch, versionTag } from '../common/etag.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { configIdSchema } from './config-core/config-id.schema.js';
import {
  type CreatePolicyBody,
  createPolicySchema,
  type PolicyBody,
  policyBodySchema,
  type PolicyDto,
  policySchema,
  type PolicyVersionDto,
  policyVersionSchema,
} from './policies.schemas.js';
import { PoliciesService } from './policies.service.js';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';

const versionNumber = z.coerce.number().int().min(1).max(2_147_483_647);

/** SLA policies (versioned). Admin configuration. */
@ApiTags('policies')
@Roles('admin')
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a policy: version 1 (id optional: a UUID is generated; 409 if the id exists)',
  })
  @ApiZodBody(createPolicySchema)
  @ApiZodResponse(201, policySchema, { description: 'Created', errors: [400, 409, 422] })
  create(
    @Body(new ZodValidationPipe(createPolicySchema)) body: CreatePolicyBody,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyDto> {
    return this.policies.create(body, actor);
  }

  @Get()
  @ApiOperation({
    summary: 'The current version of every policy, active or not, in precedence order (position)',
  })
  @ApiZodResponse(200, z.array(policyVersionSchema))
  list(): Promise<PolicyVersionDto[]> {
    return this.policies.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'The current version of a policy, with the history of its versions' })
  @ApiZodResponse(200, policySchema, { errors: [404] })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<PolicyDto> {
    const policy = await this.policies.get(id);
    void reply.header('etag', versionTag(policy.version));
    return policy;
  }

  @Get(':id/versions/:version')
  @ApiOperation({ summary: 'One version of a policy, in full' })
  @ApiZodResponse(200, policyVersionSchema, { errors: [400, 404] })
  getVersion(
    @Param('id') id: string,
    @Param('version', new ZodValidationPipe(versionNumber)) version: number,
  ): Promise<PolicyVersionDto> {
    return this.policies.getVersion(id, version);
  }

  @Put(':id')
  @ApiOperation({
    summary:
      'Create or change a policy: writes the next version and closes the current one (201 when created). ' +
      'Deactivate with active: false. An identical body writes no version.',
  })
  @ApiZodBody(policyBodySchema)
  @ApiZodResponse(200, policySchema, {
    description: 'New version written (or unchanged)',
    errors: [400, 409, 422],
  })
  @ApiZodResponse(201, policySchema, { description: 'Created (version 1)' })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The version you last read (its ETag): 409 if the policy has another one now',
  })
  async put(
    @Param('id', new ZodValidationPipe(configIdSchema)) id: string,
    @Body(new ZodValidationPipe(policyBodySchema)) body: PolicyBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyDto> {
    const { policy, created } = await this.policies.put(id, body, actor, parseIfMatch(ifMatch));
    if (created) void reply.status(201);
    void reply.header('etag', versionTag(policy.version));
    return policy;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a policy with its versions (409 once a clock ran under it: deactivate it instead)',
  })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [404, 409] })
  async remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.policies.remove(id, actor);
  }
}
