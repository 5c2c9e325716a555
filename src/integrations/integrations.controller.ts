import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import {
  type CreateIntegrationInput,
  createIntegrationSchema,
  credentialWarnings,
  deleteIntegrationQuerySchema,
  type IntegrationView,
  integrationViewSchema,
  type RotateSecretInput,
  rotateSecretSchema,
  type UpdateIntegrationInput,
  updateIntegrationSchema,
} from './integration.schemas.js';
import { IntegrationsService } from './integrations.service.js';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';

/** Admin API for helpdesk integrations. Responses say whether secrets are set, never what they are. */
@ApiTags('integrations')
@Roles('admin')
@Controller('integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Post()
  @ApiOperation({
    summary:
      'Connect a helpdesk: its webhook URL is /webhooks/<id> (id optional: a slug of the name is generated)',
  })
  @ApiZodBody(createIntegrationSchema)
  @ApiZodResponse(201, integrationViewSchema, { description: 'Created', errors: [400, 409] })
  create(
    @Body(new ZodValidationPipe(createIntegrationSchema)) body: CreateIntegrationInput,
    @CurrentActor() actor: Actor,
  ): Promise<IntegrationView> {
    return withWarnings(this.integrations.create(body, actor), body);
  }

  @Get()
  @ApiOperation({ summary: 'List integrations (secrets are never shown, only whether they are set)' })
  @ApiZodResponse(200, z.array(integrationViewSchema))
  list(): Promise<IntegrationView[]> {
    return this.integrations.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one integration' })
  @ApiZodResponse(200, integrationViewSchema, { errors: [404] })
  get(@Param('id') id: string): Promise<IntegrationView> {
    return this.integrations.get(id);
  }

  @Put(':id')
  @ApiOperation({
    summary:
      'Change an integration: fields given replace, absent ones stay; a credential set to null is removed',
  })
  @ApiZodBody(updateIntegrationSchema)
  @ApiZodResponse(200, integrationViewSchema, { errors: [400, 404] })
  update(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(updateIntegrationSchema)) body: UpdateIntegrationInput,
    @CurrentActor() actor: Actor,
  ): Promise<IntegrationView> {
    return withWarnings(this.integrations.update(id, body, actor), body);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Rotate credentials without downtime: the new ones work at once, the replaced set keeps working for the grace period (default 24 h)',
  })
  @ApiZodBody(rotateSecretSchema)
  @ApiZodResponse(200, integrationViewSchema, { description: 'Rotated', errors: [400, 404] })
  rotate(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(rotateSecretSchema)) body: RotateSecretInput,
    @CurrentActor() actor: Actor,
  ): Promise<IntegrationView> {
    return withWarnings(this.integrations.rotate(id, body, actor), body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an integration (409 while it has tickets or stored deliveries, unless ?purge=true)',
  })
  @ApiQuery({ name: 'purge', required: false, enum: ['true', 'false'] })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [400, 404, 409] })
  async remove(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(deleteIntegrationQuerySchema))
    query: z.infer<typeof deleteIntegrationQuerySchema>,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.integrations.remove(id, query.purge, actor);
  }
}

/** The answer to a change, with `warnings` when a credential was accepted but is weaker than advised. */
async function withWarnings(
  view: Promise<IntegrationView>,
  input: { secret?: string | null },
): Promise<IntegrationView> {
  const warnings = credentialWarnings(input);
  const result = await view;
  return warnings.length > 0 ? { ...result, warnings } : result;
}
