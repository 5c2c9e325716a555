import type { LoggerService } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.service.js';
import { createApp, prepareInfrastructure } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app-config.js';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';
import { testQueuePrefix } from '../support/test-run.js';

/** Every line the application logs, at every level. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private capture = (...args: unknown[]) =>
    void this.lines.push(args.map((a) => JSON.stringify(a)).join(' '));
  log = this.capture;
  error = this.capture;
  warn = this.capture;
  debug = this.capture;
  verbose = this.capture;
  fatal = this.capture;
}

describe('keys never appear in logs', () => {
  it('creating, using, refusing and revoking keys logs neither keys nor hashes', async () => {
    const bootstrap = `bootstrap-${randomBytes(24).toString('hex')}`;
    const config = {
      ...loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'verbose' }),
      DATABASE_URL: freshDatabaseUrl('authlogs'),
      DATABASE_POOL_SIZE: 4,
      QUEUE_PREFIX: `${testQueuePrefix()}${randomBytes(4).toString('hex')}`,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      BOOTSTRAP_ADMIN_KEY: bootstrap,
    };
    await prepareInfrastructure(config);
    const logger = new CapturingLogger();
    const app = await createApp(config, logger);
    try {
      const http = () => request(app.getHttpServer());
      const created = await http()
        .post('/apikeys')
        .set('authorization', `Bearer ${bootstrap}`)
        .send({ name: 'ci', role: 'agent' })
        .expect(201);
      const key: string = created.body.key;
      await http().get('/tickets').set('x-api-key', key).expect(200);
      await http().get('/policies').set('x-api-key', key).expect(403);
      await http().get('/tickets').set('x-api-key', `${key}x`).expect(401);
      await http().post(`/apikeys/${created.body.apiKey.id}/revoke`).set('x-api-key', bootstrap).expect(201);
      await http().get('/tickets').set('x-api-key', key).expect(401);

      const logs = logger.lines.join('\n');
      expect(logs).toContain('bootstrap admin key');
      for (const secret of [key, bootstrap, hashApiKey(key), hashApiKey(bootstrap), key.slice(12)]) {
        expect(logs).not.toContain(secret);
      }
    } finally {
      await app.close();
      await dropDatabase(config.DATABASE_URL);
    }
  });
});
