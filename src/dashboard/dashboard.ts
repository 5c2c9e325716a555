import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's files: beside this module when run from the sources, and under src/ of the package root when run
 * from the compiled dist/ (the build does not copy them; the Docker image copies the folder).
 */
export function dashboardRoot(): string | null {
  const candidates = [
    new URL('./public/', import.meta.url),
    new URL('../../../src/dashboard/public/', import.meta.url),
  ];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(`${path}index.html`)) return path;
  }
  return null;
}

/**
 * Serves the dashboard at `/`: static files, public on purpose (they hold no data; every request for data carries
 * the user's API key). One route per file, found at start-up, so an unknown path still gets the API's JSON 404.
 */
export async function registerDashboard(app: NestFastifyApplication): Promise<void> {
  const root = dashboardRoot();
  if (!root) return;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    cacheControl: true,
    maxAge: 0,
  });
}
