import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createApp, prepareInfrastructure, StartupError } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  await prepareInfrastructure(config);
  const app = await createApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
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
