import type { OpenAPIObject } from '@nestjs/swagger';
import { errorSchema, openApiSchema } from '../common/openapi.js';
import { PROVIDERS } from './providers/provider-adapter.js';
import { genericEventSchema } from './providers/generic.adapter.js';

type PathItem = OpenAPIObject['paths'][string];

/**
 * The webhook route is a plain Fastify route (no Nest pipeline on the hot path), so Nest's scanner does not see
 * it; this describes it for the OpenAPI document by hand (bootstrap passes it to setupOpenApi).
 */
export const webhookPathItem = (): PathItem => ({
  post: {
    tags: ['webhooks'],
    summary: 'Receive a helpdesk delivery',
    description:
      `Any provider (${PROVIDERS.join(', ')}). The body is verified on its raw bytes with the integration's ` +
      'credentials, stored durably in the inbox, and answered 202 before processing. The body below is the ' +
      "generic provider's canonical event (or an array of them), signed with `X-Signature-256: sha256=<hex " +
      'HMAC-SHA256 over "<X-Timestamp>.<raw body>">` and `X-Timestamp` in Unix seconds within the replay window.',
    security: [],
    parameters: [
      { name: 'integrationId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'X-Timestamp', in: 'header', required: false, schema: { type: 'string' } },
      { name: 'X-Signature-256', in: 'header', required: false, schema: { type: 'string' } },
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: openApiSchema(genericEventSchema, 'input') } },
    },
    responses: {
      '202': {
        description: 'Stored durably; processing follows',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                accepted: { type: 'boolean' },
                deliveryId: { type: 'string' },
                duplicate: { type: 'boolean', description: 'Already received before; not processed again' },
              },
            },
          },
        },
      },
      ...Object.fromEntries(
        [
          ['400', 'Empty body or malformed JSON'],
          ['401', 'Missing or invalid signature, or a timestamp outside the replay window'],
          ['404', 'Unknown integration'],
          ['413', 'Body over the size limit (1 MiB by default)'],
          ['415', 'Not a JSON content type'],
        ].map(([code, description]) => [
          code,
          { description, content: { 'application/json': { schema: errorSchema } } },
        ]),
      ),
    },
  },
});
