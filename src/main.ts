import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createApp, createLogger, prepareInfrastructure, StartupError } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  await prepareInfrastructure(config, logger);
  const app = await createApp(config, logger);
  // Nest's shutdown hooks close the app on SIGTERM/SIGINT (stop accepting, finish in-flight requests and jobs, close
  // queues and pools); this bounds how long that may take.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: shutting down (at most ${config.SHUTDOWN_TIMEOUT_MS} ms)`, 'Shutdown');
      setTimeout(() => {
        logger.error(
          `still busy after ${config.SHUTDOWN_TIMEOUT_MS} ms: exiting anyway`,
          undefined,
          'Shutdown',
        );
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS).unref();
    });
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  const shown = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `http://${shown}:${config.PORT}`;
  logger.log(
    config.ROLE === 'worker'
      ? `worker listening on ${url} (health and metrics only)`
      : `listening on ${url} (role ${config.ROLE}); API docs at ${url}/docs`,
    'Startup',
  );
}

main().catch((error: unknown) => {
  // Known startup problems get one clear line, not a stack trace.
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`sla-tracker: ${error.message}\n`);
  } else {
    process.stderr.write(`sla-tracker: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
