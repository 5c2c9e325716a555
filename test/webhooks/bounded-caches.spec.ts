import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import {
  IntegrationSettingsService,
  SETTINGS_CACHE_MAX,
} from '../../src/integrations/integration-settings.service.js';
import type { IntegrationEntity } from '../../src/integrations/integration.entity.js';
import { SecretBox } from '../../src/integrations/secret-box.js';
import { SecretVerifier } from '../../src/integrations/secret-verifier.js';
import { FailureLimiter } from '../../src/webhooks/credential-check.js';

/** In-process caches on the webhook path stay bounded whatever ids and addresses arrive. */
describe('bounded caches', () => {
  const config = { ...loadConfig({ NODE_ENV: 'test' }), ENCRYPTION_KEY: randomBytes(32).toString('hex') };

  it('remembers at most SETTINGS_CACHE_MAX integrations however many unknown ids are asked for', async () => {
    let queries = 0;
    const repo = {
      findOneBy: async () => {
        queries++;
        return null;
      },
    } as unknown as Repository<IntegrationEntity>;
    const settings = new IntegrationSettingsService(
      repo,
      new SecretBox(config),
      new SecretVerifier(),
      config,
    );
    for (let round = 0; round < 10; round++) {
      const ids = Array.from({ length: 5_000 }, () => `unknown-${randomBytes(8).toString('hex')}`);
      expect(await Promise.all(ids.map((id) => settings.get(id)))).toEqual(ids.map(() => null));
      expect(settings.cachedCount).toBeLessThanOrEqual(SETTINGS_CACHE_MAX);
    }
    expect(queries).toBe(50_000);
    // An unknown id asked again at once is answered from the cache (a flood of one bad URL is not a flood of queries).
    await settings.get('unknown-again');
    await settings.get('unknown-again');
    expect(queries).toBe(50_001);
    // Ids longer than the column cannot exist: no query, no entry.
    await settings.get('x'.repeat(65));
    expect(queries).toBe(50_001);
  });

  it('keeps at most `max` failure windows, whatever the number of addresses', () => {
    const limiter = new FailureLimiter(3, 60_000, 1_000);
    for (let i = 0; i < 20_000; i++) limiter.fail(`desk\n10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(1_000);
  });

  it('blocks a key after `limit` failures until its window ends', () => {
    const limiter = new FailureLimiter(2, 1_000);
    limiter.fail('k', 0);
    expect(limiter.blockedFor('k', 10)).toBe(0);
    limiter.fail('k', 10);
    expect(limiter.blockedFor('k', 20)).toBe(980);
    expect(limiter.blockedFor('k', 1_000)).toBe(0);
    limiter.fail('k', 1_001);
    expect(limiter.blockedFor('k', 1_002)).toBe(0);
  });
});
