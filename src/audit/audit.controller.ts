import { applyDecorators, Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Roles } from '../auth/roles.js';
import { ApiZodResponse, openApiSchema } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { AuditLog } from './audit-log.js';
import {
  type AuditPage,
  auditPageSchema,
  type ListAuditQuery,
  listAuditQuerySchema,
} from './audit.schemas.js';

/** Every query parameter of a zod object schema, documented from the schema that validates it. */
function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiQuery({ name, required: false, schema: openApiSchema(field as z.ZodType, 'input') }),
    ),
  );
}

/** The audit log of configuration changes, for admins. */
@ApiTags('audit')
@Roles('admin')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({
    summary:
      'Configuration changes, newest first: who (API key id and name), what, when, before and after (secrets redacted)',
  })
  @ApiZodQuery(listAuditQuerySchema)
  @ApiZodResponse(200, auditPageSchema, { errors: [400] })
  list(@Query(new ZodValidationPipe(listAuditQuerySchema)) query: ListAuditQuery): Promise<AuditPage> {
    return this.audit.list(query);
  }
}
