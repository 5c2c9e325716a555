import type { FastifyInstance } from 'fastify';
import type { Duplex } from 'node:stream';
import { DomainError, ValidationError } from './errors.js';

class MalformedJsonError extends DomainError {
  constructor() {
    super(400, 'malformed_json', 'The body is not valid JSON. Send a JSON document.');
  }
}

/** Deeper than any configuration document needs; deep enough values would exhaust the stack further down. */
export const MAX_JSON_DEPTH = 64;

/**
 * The API's JSON bodies: parsed, then checked once for what PostgreSQL or the validators cannot take — U+0000 and
 * unpaired surrogates (jsonb and text refuse them), nesting deeper than MAX_JSON_DEPTH — and for prototype keys,
 * so that every route gets the same clear 400 instead of a 500 from deep inside. The webhook route has its own
 * parser (raw bytes, for signatures) and cleans provider values in its adapters instead.
 */
export function registerInputGuards(fastify: FastifyInstance): void {
  // A NUL in the path or query would reach PostgreSQL as text, which refuses it.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (/%00/.test(request.url) || request.url.includes('\u0000')) {
      void reply.code(400).header('content-type', 'application/json; charset=utf-8').send({
        error: 'invalid_url',
        message: 'The URL contains U+0000 (%00), which no id or filter can hold.',
      });
      return;
    }
    done();
  });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0)
      return done(new DomainError(400, 'empty_body', 'The body is empty. Send a JSON document.'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return done(new MalformedJsonError(), undefined);
    }
    const problem = findProblem(value, 0, '(body)');
    return problem ? done(new ValidationError(problem), undefined) : done(null, value);
  });
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string value or key that cannot be stored as text: says where, never what (values may be secrets). */
export function textProblem(text: string, where: string): string | null {
  if (text.includes('\u0000')) return `${where} contains U+0000 (NUL), which cannot be stored. Remove it.`;
  if (UNPAIRED_SURROGATE.test(text))
    return `${where} contains an unpaired UTF-16 surrogate, which is not valid text. Send valid Unicode.`;
  return null;
}

/** The first problem of a parsed body (NUL, lone surrogate, too deep, prototype key), for other body parsers. */
export function findInputProblem(value: unknown): string | null {
  return findProblem(value, 0, '(body)');
}

function findProblem(value: unknown, depth: number, path: string): string | null {
  if (depth > MAX_JSON_DEPTH) return `${path} is nested more than ${MAX_JSON_DEPTH} levels deep.`;
  if (typeof value === 'string') return textProblem(value, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findProblem(value[i], depth + 1, `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      // Keys are named only when they look like field names: a key may be anything, even a secret.
      const at = `${path}.${/^[A-Za-z0-9_-]{1,64}$/.test(key) ? key : '<key>'}`;
      if (key === '__proto__' || key === 'constructor' || key === 'prototype')
        return `${at}: "${key}" is not allowed as a key.`;
      const keyProblem = textProblem(key, `a key in ${path}`);
      if (keyProblem) return keyProblem;
      const problem = findProblem((value as Record<string, unknown>)[key], depth + 1, at);
      if (problem) return problem;
    }
  }
  return null;
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers too large, a malformed request line):
 * the documented JSON shape, and `Connection: close`, since the connection cannot be trusted to continue.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, body] = CLIENT_ERRORS[error.code ?? ''] ?? CLIENT_ERRORS.default!;
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

const CLIENT_ERRORS: Record<string, [number, string, { error: string; message: string }]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    {
      error: 'headers_too_large',
      message: 'The request headers are too large. Send fewer or shorter headers.',
    },
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'Request Timeout',
    {
      error: 'request_timeout',
      message: 'The request did not arrive in time. Send the whole request at once.',
    },
  ],
  default: [
    400,
    'Bad Request',
    {
      error: 'bad_request',
      message: 'The request could not be parsed as HTTP. Check the request line and headers.',
    },
  ],
};
