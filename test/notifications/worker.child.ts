/**
 * A worker process for the notification kill test: the real application in the `worker` role, configured from
 * the environment. Run with `node --import @swc-node/register/esm-register test/notifications/worker.child.ts`.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/app-config.js';

const config = { ...loadConfig(), ROLE: 'worker' as const };
const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] }).compile();
moduleRef.useLogger(['error', 'warn']);
await moduleRef.init();
process.stdout.write('worker ready\n');
process.on('SIGTERM', () => void moduleRef.close().then(() => process.exit(0)));
