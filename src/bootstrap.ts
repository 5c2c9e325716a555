import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import http from 'node:http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { AppModule } from './app.module.js';
import { registerHttpHardening, requestIdOf, tagWithRequestId } from './common/http-hardening.js';
import { answerClientError, registerInputGuards } from './common/json-body.js';
import { toErrorResponse } from './common/http-exception.filter.js';
import { authorize } from './auth/access.guard.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { setupOpenApi } from './common/openapi.js';
import { registerDashboard } from './dashboard/dashboard.js';
import { webhookPathItem } from './webhooks/webhook-openapi.js';
import type { AppConfig } from './config/app-config.js';
import { redisConnectionOptions } from './common/redis-connection.js';
import { ensureDatabaseExists, redactUrl } from './database/ensure-database.js';
import { runMigrations } from './database/migrate.js';

/** A startup failure with one line that says what is wrong and what to do. */
export class StartupError extends Error {}

/**
 * Makes sure Postgres (database created, migrations applied) and Redis are there before Nest starts. Each is retried
 * with a bounded backoff for STARTUP_RETRY_SECONDS (a database container may still be initialising), saying so in
 * the log; then start-up gives up with one line that says what to do.
 */
export async function prepareInfrastructure(
  config: AppConfig,
  log: LoggerService = createLogger(config),
): Promise<void> {
  const postgres = `PostgreSQL at ${redactUrl(config.DATABASE_URL)}`;
  await withStartupRetry(config, log, postgres, async () => {
    await ensureDatabaseExists(config.DATABASE_URL);
    await runMigrations(config.DATABASE_URL);
  }).catch((error: Error) => {
    throw new StartupError(
      `Cannot use ${postgres} (${error.message}). Start PostgreSQL or set DATABASE_URL to a reachable server.`,
    );
  });
  const redis = `Redis at ${redactUrl(config.REDIS_URL)}`;
  await withStartupRetry(config, log, redis, () => pingRedis(config.REDIS_URL)).catch((error: Error) => {
    throw new StartupError(
      `Cannot reach ${redis} (${error.message}). Start Redis or set REDIS_URL to a reachable server.`,
    );
  });
}

async function withStartupRetry(
  config: AppConfig,
  log: LoggerService,
  what: string,
  attempt: () => Promise<void>,
): Promise<void> {
  const giveUpAt = Date.now() + config.STARTUP_RETRY_SECONDS * 1000;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await attempt();
    } catch (error) {
      const wait = Math.min(delay, giveUpAt - Date.now());
      if (wait <= 0) throw error;
      log.warn?.(
        `${what} not reachable yet (${(error as Error).message}); retrying in ${(wait / 1000).toFixed(1)} s, ` +
          `giving up after ${config.STARTUP_RETRY_SECONDS} s`,
        'Startup',
      );
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

async function pingRedis(url: string): Promise<void> {
  const redis = new Redis({
    ...redisConnectionOptions(url),
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // ioredis reports the underlying cause (e.g. ECONNREFUSED) as an event, and rejects with a generic message.
  let cause: string | undefined;
  redis.on('error', (error: Error) => (cause ??= error.message));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(cause ?? (error as Error).message, { cause: error });
  } finally {
    redis.disconnect();
  }
}

export function createLogger(config: AppConfig): LoggerService {
  const levels = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return new ConsoleLogger({
    json: config.LOG_FORMAT === 'json',
    colors: config.LOG_FORMAT === 'pretty',
    logLevels: levels.slice(0, levels.indexOf(config.LOG_LEVEL) + 1) as never,
  });
}

/** The longest path parameter the router accepts: the longest id (a ticket's external id) is 255 characters. */
const MAX_PATH_SEGMENT = 256;

export interface RegisteredRoute {
  method: string;
  url: string;
}
const registeredRoutes = new WeakMap<NestFastifyApplication, RegisteredRoute[]>();

/** Every route of the application's Fastify instance (Nest controllers, the webhook route, /docs). */
export function routesOf(app: NestFastifyApplication): RegisteredRoute[] {
  return registeredRoutes.get(app) ?? [];
}

/** Builds the Nest application on Fastify, ready to `listen` (also used by the end-to-end tests). */
export async function createApp(
  config: AppConfig,
  logger?: LoggerService | false,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdOf,
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    clientErrorHandler: answerClientError,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    // Node checks request timeouts every 30 s by default, so a trickled body could hold a connection for that
    // long past the limit: check at least every second.
    serverFactory: (handler: http.RequestListener) =>
      http.createServer(
        {
          requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
          headersTimeout: Math.min(config.HTTP_REQUEST_TIMEOUT_MS, 60_000),
          keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
          connectionsCheckingInterval: Math.min(1000, config.HTTP_REQUEST_TIMEOUT_MS),
        },
        handler,
      ),
    // Errors Fastify raises before routing (a URL that is not valid UTF-8 once decoded): the usual JSON shape.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      void reply
        .code(error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400)
        .header('content-type', 'application/json; charset=utf-8')
        .header('x-request-id', request.id)
        .send(
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? {
                error: 'uri_too_long',
                message: `A path segment is longer than ${MAX_PATH_SEGMENT} characters; no id is that long. Check the URL.`,
                requestId: request.id,
              }
            : {
                error: 'bad_url',
                message: `The URL cannot be decoded (${error.code}). Percent-encode it as UTF-8.`,
                requestId: request.id,
              },
        ),
  });
  // Every Fastify route, as registered (the route enumeration test reads it), and access to /docs, which
  // swagger serves as plain Fastify routes outside Nest's guards.
  const routes: RegisteredRoute[] = [];
  const fastify = adapter.getInstance();
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const auth: { keys?: ApiKeysService } = {};
  // A callback hook, not an async one: every other request passes it without a promise.
  fastify.addHook('onRequest', (request, reply, done) => {
    tagWithRequestId(request, reply);
    if (config.DOCS_ACCESS === 'public' || !/^\/docs(?:[/?-]|$)/.test(request.url) || !auth.keys)
      return done();
    authorize(auth.keys, request, config.DOCS_ACCESS).then(
      () => done(),
      (error: unknown) => {
        const { status, body } = toErrorResponse(error);
        void reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
      },
    );
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    logger: logger ?? createLogger(config),
    bufferLogs: false,
    // The API's JSON parser is ours (registerInputGuards); the webhook route reads raw bytes.
    bodyParser: false,
  });
  await registerHttpHardening(app, config, () => auth.keys);
  if (config.ROLE !== 'worker') await registerDashboard(app);
  registerInputGuards(app.getHttpAdapter().getInstance());
  app.enableShutdownHooks();
  registeredRoutes.set(app, routes);
  auth.keys = app.get(ApiKeysService);
  setupOpenApi(app, { '/webhooks/{integrationId}': webhookPathItem() });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
