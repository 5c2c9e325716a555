import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/test-app.js';

describe('process roles', () => {
  it('a worker serves health and metrics but no API routes', async () => {
    const t = await startTestApp({ ROLE: 'worker' });
    try {
      const http = t.http();
      await http.get('/health').expect(200);
      await http.get('/metrics').expect(200);
      for (const path of ['/policies', '/calendars', '/tiers', '/integrations', '/tickets']) {
        const res = await http.get(path);
        expect(res.status, path).toBe(404);
      }
    } finally {
      await t.close();
    }
  });

  it('an api process serves the API', async () => {
    const t = await startTestApp({ ROLE: 'api' });
    try {
      const http = t.http();
      await http.get('/policies').expect(200);
      await http.get('/tickets').expect(200);
    } finally {
      await t.close();
    }
  });
});
