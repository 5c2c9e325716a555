import cors from '@fastify/cors';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiKeysService, presentedKey } from '../auth/api-keys.service.js';
import type { AppConfig } from '../config/app-config.js';
import { RateLimitedError } from './errors.js';

/** A caller's own request id is kept when it is short and plain; anything else is replaced. */
const GIVEN_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's X-Request-Id (to follow a request across systems) or a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && GIVEN_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Probes are never limited: an orchestrator that polls them must not be told to slow down. */
const UNLIMITED = /^\/health(?:\/live)?(?:\?|$)/;

/**
 * Security headers, CORS (closed unless origins are listed) and rate limits, as Fastify plugins registered before
 * the routes so that every route (Nest's, the webhook route, /docs) gets them.
 *
 * Rate limits are counted in each process's memory (a bounded LRU): no Redis round trip on the hot path, and no
 * dependency on Redis being up; with N API processes behind a balancer the effective limit is up to N times the
 * setting.
 */
export async function registerHttpHardening(
  app: NestFastifyApplication,
  config: AppConfig,
  keys: () => ApiKeysService | undefined,
): Promise<void> {
  const headers = securityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.config as { securityHeaders?: boolean } | undefined;
      if (route?.securityHeaders !== false) void reply.headers(headers);
      done();
    });
  // Closed by default: without the plugin no response carries Access-Control-Allow-*, so browsers refuse them all.
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      // An unlisted origin gets no Access-Control-Allow-Origin, so the browser refuses the response.
      origin: config.CORS_ORIGINS,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'x-api-key',
        'content-type',
        'if-match',
        'last-event-id',
        'x-request-id',
      ],
      exposedHeaders: [
        'etag',
        'retry-after',
        'x-request-id',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
      maxAge: 600,
    });
  }
  if (config.RATE_LIMIT_PER_MINUTE > 0 || config.WEBHOOK_RATE_LIMIT_PER_MINUTE > 0) {
    await app.register(rateLimit, {
      global: config.RATE_LIMIT_PER_MINUTE > 0,
      max: perWindow(config, config.RATE_LIMIT_PER_MINUTE) || Number.MAX_SAFE_INTEGER,
      timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
      cache: 50_000,
      allowList: (request: FastifyRequest) => UNLIMITED.test(request.url),
      keyGenerator: (request: FastifyRequest) => {
        const keyId = keys()?.knownKeyId(request, presentedKey(request.headers));
        return keyId ? `key:${keyId}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request: FastifyRequest, context: { after: string; max: number }) =>
        new RateLimitedError(
          `More than ${context.max} requests in ${config.RATE_LIMIT_WINDOW_SECONDS} s; retry after ${context.after}. Slow down, or spread the work over more keys.`,
        ),
    });
  }
}

/** Route options for the webhook route: its own, much higher limit, counted per integration. */
export function webhookRateLimit(config: AppConfig): { rateLimit: RateLimitOptions | false } {
  if (config.WEBHOOK_RATE_LIMIT_PER_MINUTE === 0) return { rateLimit: false };
  return {
    rateLimit: {
      // Helpdesks do not read X-RateLimit-* on success; only a refusal says when to come back. (Route options are
      // merged over the plugin's, this one included, though the types list it for the plugin only.)
      ...{
        addHeadersOnExceeding: {
          'x-ratelimit-limit': false,
          'x-ratelimit-remaining': false,
          'x-ratelimit-reset': false,
        },
      },
      max: perWindow(config, config.WEBHOOK_RATE_LIMIT_PER_MINUTE),
      timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
      keyGenerator: (request: FastifyRequest) =>
        `webhook:${(request.params as { integrationId?: string }).integrationId ?? ''}`,
      errorResponseBuilder: (_request: FastifyRequest, context: { after: string; max: number }) =>
        new RateLimitedError(
          `This integration sent more than ${context.max} deliveries in ${config.RATE_LIMIT_WINDOW_SECONDS} s; retry after ${context.after}. Nothing of this delivery was stored.`,
        ),
    },
  };
}

/** A per-minute setting as a count for the configured window (at least 1). */
function perWindow(config: AppConfig, perMinute: number): number {
  return perMinute === 0 ? 0 : Math.max(1, Math.round((perMinute * config.RATE_LIMIT_WINDOW_SECONDS) / 60));
}

/**
 * The security headers helmet sets (a strict Content-Security-Policy, HSTS, nosniff, frame and referrer policies),
 * worked out once: helmet's middleware run against a stand-in response at start, so that a request only copies
 * the result instead of building the policy again.
 */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet({
    // /docs (Swagger UI) and the dashboard need inline styles and data: images; scripts only from files.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  })({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/** Every response says which request it answers. */
export function tagWithRequestId(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
}
