import type { FastifyInstance } from 'fastify';
import { DomainError } from '../common/errors.js';

/** The media types read as YAML (the routes that take a configuration file). */
export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** A YAML request body, kept as text: it is parsed (with the JSON body's checks) after the access check. */
export class YamlText {
  constructor(readonly text: string) {}
}

/**
 * Lets `routes` take YAML bodies: the text reaches the handler as a YamlText; every other route answers 415 for
 * YAML, as for any type it does not take.
 */
export function registerYamlBodies(fastify: FastifyInstance, routes: readonly string[]): void {
  fastify.addContentTypeParser(YAML_CONTENT_TYPES, { parseAs: 'string' }, (request, body, done) => {
    if (!routes.includes(request.routeOptions.url ?? '')) {
      return done(
        new DomainError(415, 'unsupported_media_type', 'This route takes JSON only. Send application/json.'),
        undefined,
      );
    }
    const text = body as string;
    if (text.trim().length === 0)
      return done(new DomainError(400, 'empty_body', 'The body is empty. Send a YAML document.'), undefined);
    return done(null, new YamlText(text));
  });
}
