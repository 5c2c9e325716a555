import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import {
  type CreateIntegrationInput,
  createIntegrationSchema,
  type IntegrationView,
  type UpdateIntegrationInput,
  updateIntegrationSchema,
} from './integration.schemas.js';
import { IntegrationsService } from './integrations.service.js';
import { Roles } from '../auth/roles.js';

/** Admin API for helpdesk integrations. Responses say whether secrets are set, never what they are. */
@Roles('admin')
@Controller('integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Post()
  create(
    @Body(new ZodValidationPipe(createIntegrationSchema)) body: CreateIntegrationInput,
  ): Promise<IntegrationView> {
    return this.integrations.create(body);
  }

  @Get()
  list(): Promise<IntegrationView[]> {
    return this.integrations.list();
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<IntegrationView> {
    return this.integrations.get(id);
  }

  @Put(':id')
  update(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(updateIntegrationSchema)) body: UpdateIntegrationInput,
  ): Promise<IntegrationView> {
    return this.integrations.update(id, body);
  }
}
