import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorBody } from './errors.js';
import { isConnectionError, OncePer, OUTAGE_RETRY_AFTER_SECONDS } from './outage.js';

/** Fastify's own client errors (body parsing, limits, content types) with what to do about them. */
const FASTIFY_CLIENT_ERRORS: Record<string, { error: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    error: 'malformed_json',
    message: 'The body is not valid JSON. Send a JSON document.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { error: 'empty_body', message: 'The body is empty. Send a JSON document.' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    error: 'payload_too_large',
    message: 'The body is larger than the limit. Send less.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    error: 'unsupported_media_type',
    message: 'Unsupported Content-Type. Send application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    error: 'invalid_content_length',
    message: 'Content-Length does not match the body.',
  },
};

function fastifyClientError(error: unknown): { status: number; body: ErrorBody } | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !FASTIFY_CLIENT_ERRORS[code]) return undefined;
  const status = (error as { statusCode?: number }).statusCode ?? 400;
  return { status, body: { ...FASTIFY_CLIENT_ERRORS[code] } };
}

/** Maps every error to `{ error, message }` with the right status; unknown errors become a 500 with a correlation id. */
export function toErrorResponse(exception: unknown): {
  status: number;
  body: ErrorBody;
  unexpected: boolean;
  retryAfter?: number;
} {
  if (isConnectionError(exception)) {
    return {
      status: 503,
      body: {
        error: 'database_unavailable',
        message: `PostgreSQL cannot be reached right now; nothing was changed. Retry in ${OUTAGE_RETRY_AFTER_SECONDS} s.`,
      },
      unexpected: false,
      retryAfter: OUTAGE_RETRY_AFTER_SECONDS,
    };
  }
  const cause = (exception as { cause?: unknown })?.cause;
  if (!(exception instanceof DomainError) && cause instanceof DomainError) return toErrorResponse(cause);
  if (exception instanceof DomainError) {
    const body: ErrorBody = { error: exception.code, message: exception.message };
    if (exception.details !== undefined) body.details = exception.details;
    return { status: exception.status, body, unexpected: false };
  }
  // Nest wraps Fastify's own parsing errors in an HttpException whose cause carries the FST_ERR_* code.
  const fastifyError =
    fastifyClientError(exception) ?? fastifyClientError((exception as { cause?: unknown })?.cause);
  if (fastifyError) return { ...fastifyError, unexpected: false };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'error' in response && 'message' in response) {
      const r = response as { error: unknown; message: unknown };
      if (typeof r.error === 'string' && typeof r.message === 'string' && /^[a-z_]+$/.test(r.error)) {
        return { status, body: r as ErrorBody, unexpected: false };
      }
    }
    const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : `http_${status}`;
    const message = status === 404 ? 'No such route. See GET /docs for the API.' : exception.message;
    return { status, body: { error: code, message }, unexpected: status >= 500 };
  }
  const statusCode = (exception as { statusCode?: number })?.statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return {
      status: statusCode,
      body: { error: `http_${statusCode}`, message: (exception as Error).message },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: { error: 'internal_error', message: 'Something went wrong on our side; quote the correlation id.' },
    unexpected: true,
  };
}

/** One log line per interval for an outage, however many requests it turns away. */
export const outageLog = new OncePer(10_000);

export function logOutage(logger: { warn(message: string): void }, error: unknown): void {
  outageLog.run((suppressed) =>
    logger.warn(
      `PostgreSQL unavailable, answering 503: ${(error as Error)?.message ?? String(error)}` +
        (suppressed > 0 ? ` (${suppressed} more since the last report)` : ''),
    ),
  );
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
    const { status, body, unexpected, retryAfter } = toErrorResponse(exception);
    if (request?.id) body.requestId = request.id;
    if (retryAfter !== undefined) {
      void reply.header('retry-after', String(retryAfter));
      logOutage(this.logger, exception);
    }
    if (unexpected) {
      body.correlationId = body.requestId ?? randomUUID();
      this.logger.error({
        requestId: body.correlationId,
        route: request ? `${request.method} ${request.routeOptions?.url ?? request.url}` : undefined,
        err: String((exception as Error)?.stack ?? exception),
      });
    }
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
