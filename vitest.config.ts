import { randomBytes } from 'node:crypto';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One id per run names its databases and Redis keys, so runs on one server never touch each other's
// (test/support/test-run.ts); the global setup drops them afterwards.
process.env.SLA_TEST_RUN_ID ??= randomBytes(3).toString('hex');

// Nest's dependency injection needs decorator metadata, which esbuild (Vitest's default
// transform) does not emit; SWC does.
export default defineConfig({
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
  test: {
    include: ['test/**/*.spec.ts', 'src/**/*.spec.ts'],
    env: { TZ: 'UTC', SLA_TEST_RUN_ID: process.env.SLA_TEST_RUN_ID },
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most end-to-end files spend their time waiting (on timers, child processes, a browser): three at a time
    // keeps two cores busy without the timing-sensitive ones starving.
    maxWorkers: 3,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
