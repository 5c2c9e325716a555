import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiBody,
  ApiResponse,
  DocumentBuilder,
  type OpenAPIObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { z } from 'zod';

/**
 * OpenAPI for the whole API: the UI at /docs and the document at /docs-json. Bodies and responses are described by
 * the same zod schemas that validate them (converted with `z.toJSONSchema`), so the docs cannot drift from the code.
 * `extraPaths` describes routes that Nest's scanner does not see (plain Fastify routes such as the webhook).
 */
export function setupOpenApi(app: INestApplication, extraPaths: OpenAPIObject['paths'] = {}): void {
  const config = new DocumentBuilder()
    .setTitle('SLA Tracker')
    .setDescription(
      'Business-hours SLA clocks for helpdesks. Errors are JSON `{ "error": "<code>", "message": "<what and how to fix>" }`.',
    )
    .setVersion('0.1.0')
    .build();
  const document = () => {
    const doc = SwaggerModule.createDocument(app, config);
    Object.assign(doc.paths, extraPaths);
    return doc;
  };
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
  });
}

/** A zod schema as an OpenAPI 3.0 schema object: `input` for request bodies (defaults optional), `output` for responses. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as SchemaObject;
}

/** An instant in API responses: ISO 8601 in UTC (documented as date-time, without zod's long validation pattern). */
export const instantSchema = z.string().meta({ format: 'date-time', example: '2026-11-20T09:15:00.000Z' });

export const errorSchema: SchemaObject = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Stable machine-readable code, e.g. validation_failed' },
    message: { type: 'string', description: 'What is wrong and how to fix it' },
    details: { description: 'Structured detail, e.g. the list of validation problems' },
  },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (malformed JSON, wrong shape, or a meaning check failed); every problem is listed',
  404: 'No such resource',
  409: 'Conflicts with existing configuration',
  422: 'Refers to something that does not exist',
};

/** Documents a JSON request body by its zod schema. */
export function ApiZodBody(schema: z.ZodType, description?: string): MethodDecorator {
  return ApiBody({ schema: openApiSchema(schema, 'input'), description });
}

/** Documents a success response by its zod schema, plus the error responses the route can give. */
export function ApiZodResponse(
  status: number,
  schema: z.ZodType,
  options: { description?: string; errors?: number[] } = {},
): MethodDecorator {
  return applyDecorators(
    ApiResponse({
      status,
      description: options.description ?? 'OK',
      schema: openApiSchema(schema, 'output'),
    }),
    ...(options.errors ?? []).map((code) =>
      ApiResponse({ status: code, description: ERROR_DESCRIPTIONS[code] ?? 'Error', schema: errorSchema }),
    ),
  );
}
