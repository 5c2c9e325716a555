import { applyDecorators, Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';
import { ValidationError } from '../common/errors.js';
import { ApiZodResponse, openApiSchema } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { ConfigAsCodeService, ConfigRejectedError } from './config-as-code.service.js';
import { planResultSchema, type PlanResult } from './config-diff.js';
import { ConfigParseError, ConfigSource } from './config-document.js';
import { configFileSchema } from './config-file.schema.js';
import { YAML_CONTENT_TYPES, YamlText } from './yaml-body.js';

const runQuerySchema = z.strictObject({
  prune: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: delete what the file does not list (only in the sections it has)'),
});
type RunQuery = z.infer<typeof runQuerySchema>;

const fileBody = (summary: string) =>
  applyDecorators(
    ApiConsumes('application/yaml', 'text/yaml', 'application/json'),
    ApiBody({
      description: `${summary}: the configuration file as YAML (application/yaml or text/yaml), or the same document as JSON`,
      schema: openApiSchema(configFileSchema, 'input'),
    }),
  );

/** Configuration as code over HTTP: the same file format and semantics as `npm run config`. Admin only. */
@ApiTags('config')
@Roles('admin')
@Controller('config')
export class ConfigAsCodeController {
  constructor(private readonly config: ConfigAsCodeService) {}

  @Post('plan')
  @HttpCode(200)
  @ApiOperation({ summary: 'What applying a configuration file would change (writes nothing)' })
  @fileBody('The file to plan')
  @ApiZodResponse(200, planResultSchema, { errors: [400, 409] })
  plan(
    @Body() body: unknown,
    @Query(new ZodValidationPipe(runQuerySchema)) query: RunQuery,
    @CurrentActor() actor: Actor,
  ): Promise<PlanResult> {
    return this.config.plan(toSource(body), actor, { prune: query.prune });
  }

  @Post('apply')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Apply a configuration file in one transaction (all or nothing; idempotent; audited)',
  })
  @fileBody('The file to apply')
  @ApiZodResponse(200, planResultSchema, { errors: [400, 409] })
  apply(
    @Body() body: unknown,
    @Query(new ZodValidationPipe(runQuerySchema)) query: RunQuery,
    @CurrentActor() actor: Actor,
  ): Promise<PlanResult> {
    return this.config.apply(toSource(body), actor, { prune: query.prune });
  }

  @Get('export')
  @ApiOperation({
    summary: 'The whole configuration as a YAML file (credentials as environment variable names)',
  })
  @ApiProduces('application/yaml')
  @ApiZodResponse(200, z.string().describe('YAML'))
  async export(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', `${YAML_CONTENT_TYPES[0]}; charset=utf-8`);
    return this.config.export();
  }
}

function toSource(body: unknown): ConfigSource {
  try {
    if (body instanceof YamlText) return ConfigSource.parse(body.text);
  } catch (error) {
    if (error instanceof ConfigParseError) throw new ConfigRejectedError(error.problems);
    throw error;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError(
      'Send the configuration file: YAML (Content-Type: application/yaml) or the same document as a JSON object.',
    );
  return ConfigSource.fromValue(body);
}
