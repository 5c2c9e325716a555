import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { AppModule } from './app.module.js';
import { toErrorResponse } from './common/http-exception.filter.js';
import { authorize } from './auth/access.guard.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { setupOpenApi } from './common/openapi.js';
import type { AppConfig } from './config/app-config.js';
import { redisConnectionOptions } from './common/redis-connection.js';
import { ensureDatabaseExists, redactUrl } from './database/ensure-database.js';
import { runMigrations } from './database/migrate.js';

/** A startup failure with one line that says what is wrong and what to do. */
export class StartupError extends Error {}

/** Makes sure Postgres (database created, migrations applied) and Redis are there before Nest starts. */
export async function prepareInfrastructure(config: AppConfig): Promise<void> {
  try {
    await ensureDatabaseExists(config.DATABASE_URL);
    await runMigrations(config.DATABASE_URL);
  } catch (error) {
    throw new StartupError(
      `Cannot use PostgreSQL at ${redactUrl(config.DATABASE_URL)} (${(error as Error).message}). ` +
        'Start PostgreSQL or set DATABASE_URL to a reachable server.',
    );
  }
  const redis = new Redis({
    ...redisConnectionOptions(config.REDIS_URL),
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
    throw new StartupError(
      `Cannot reach Redis at ${redactUrl(config.REDIS_URL)} (${cause ?? (error as Error).message}). ` +
        'Start Redis or set REDIS_URL to a reachable server.',
    );
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
    trustProxy: true,
  });
  // Every Fastify route, as registered (the route enumeration test reads it), and access to /docs, which
  // swagger serves as plain Fastify routes outside Nest's guards.
  const routes: RegisteredRoute[] = [];
  const fastify = adapter.getInstance();
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const auth: { keys?: ApiKeysService } = {};
  fastify.addHook('onRequest', async (request, reply) => {
    if (config.DOCS_ACCESS === 'public' || !/^\/docs(?:[/?-]|$)/.test(request.url) || !auth.keys) return;
    try {
      await authorize(auth.keys, request, config.DOCS_ACCESS);
    } catch (error) {
      const { status, body } = toErrorResponse(error);
      return reply.code(status).send(body);
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    logger: logger ?? createLogger(config),
    bufferLogs: false,
  });
  app.enableShutdownHooks();
  registeredRoutes.set(app, routes);
  auth.keys = app.get(ApiKeysService);
  setupOpenApi(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
