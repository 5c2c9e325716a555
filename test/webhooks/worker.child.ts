/**
 * A worker process for the kill test: the real application in the `worker` role, configured from the
 * environment, with the reconciler's timings shortened so a killed worker's rows come back in seconds
 * and small claim chunks.
 * Run with `node --import @swc-node/register/esm-register test/webhooks/worker.child.ts`.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/app-config.js';
import { CLAIM_CHUNK_SIZE } from '../../src/webhooks/delivery-processor.service.js';
import { INBOX_TIMING } from '../../src/webhooks/inbox-timing.js';

const config = { ...loadConfig(), ROLE: 'worker' as const };
const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] })
  .overrideProvider(INBOX_TIMING)
  .useValue({ stuckAfterMs: 2_000, reconcileEveryMs: 500 })
  // Small claims, so that the kill lands while chunks are claimed and in flight: at the production size
  // the test's 600 deliveries are three transactions, done before the test can look.
  .overrideProvider(CLAIM_CHUNK_SIZE)
  .useValue(5)
  .compile();
moduleRef.useLogger(['error', 'warn']);
await moduleRef.init();
process.stdout.write('worker ready\n');
process.on('SIGTERM', () => void moduleRef.close().then(() => process.exit(0)));
