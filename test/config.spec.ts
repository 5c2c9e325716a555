import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/app-config.js';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      ROLE: 'all',
      PORT: 3000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sla_tracker',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ ROLE: 'cook', PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'nope' });
      expect.fail('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const key of ['ROLE', 'PORT', 'DATABASE_URL', 'REDIS_URL']) expect(problems).toContain(key);
    }
  });

  it('requires an encryption key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ENCRYPTION_KEY/);
  });

  it('reports a malformed ENCRYPTION_KEY with the other problems, without echoing it', () => {
    try {
      loadConfig({ ENCRYPTION_KEY: 'not-a-key-hunter2', PORT: 'eighty' });
      expect.fail('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems.join('\n')).toMatch(/ENCRYPTION_KEY: must be 32 bytes/);
      expect(problems.join('\n')).toContain('PORT');
      expect(problems.join('\n')).not.toContain('hunter2');
    }
    for (const good of ['a'.repeat(64), Buffer.alloc(32, 7).toString('base64')])
      expect(loadConfig({ ENCRYPTION_KEY: good }).ENCRYPTION_KEY).toBe(good);
    expect(() => loadConfig({ ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
      /ENCRYPTION_KEY/,
    );
  });
});
