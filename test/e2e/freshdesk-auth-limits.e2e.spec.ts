import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretVerifier } from '../../src/integrations/secret-verifier.js';
import { loadSequence } from '../support/helpdesk-e2e.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const USERNAME = 'freshdesk';
const PASSWORD = 'the-right-password-123';
const LIMIT = 3;
const WINDOW_SECONDS = 5;

/**
 * Wrong Freshdesk basic-auth passwords over real HTTP: each is verified off the event loop, answered 401 until the
 * address has failed LIMIT times in the window, then 429 with Retry-After; everyone else stays fast meanwhile.
 */
describe('Freshdesk basic auth: verification cost and failure limit', () => {
  let t: TestApp;
  let base: string;
  const body = loadSequence('freshdesk').deliveries[0]!.body.toString('utf8');
  const auth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const deliver = (integrationId: string, password: string, address: string) =>
    fetch(`${base}/webhooks/${integrationId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: auth(USERNAME, password),
        'x-forwarded-for': address,
      },
      body,
    });

  beforeAll(async () => {
    t = await startTestApp({
      ROLE: 'api',
      WEBHOOK_AUTH_FAILURE_LIMIT: LIMIT,
      WEBHOOK_AUTH_FAILURE_WINDOW_SECONDS: WINDOW_SECONDS,
    });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
    for (const id of ['fd-limits', 'fd-busy']) {
      await t
        .http()
        .post('/integrations')
        .send({ id, name: id, provider: 'freshdesk', basicAuth: { username: USERNAME, password: PASSWORD } })
        .expect(201);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 for the first wrong passwords of an address, then 429 with Retry-After until the window ends', async () => {
    const attacker = '203.0.113.7';
    expect((await deliver('fd-limits', PASSWORD, attacker)).status).toBe(202);
    for (let i = 0; i < LIMIT; i++) {
      const res = await deliver('fd-limits', `wrong-${i}`, attacker);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_credentials' });
    }
    const limited = await deliver('fd-limits', 'wrong-again', attacker);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(limited.headers.get('content-type')).toMatch(/application\/json/);
    const limitedBody = await limited.json();
    expect(limitedBody).toEqual({
      error: 'too_many_failed_attempts',
      message: expect.stringContaining('retry in'),
      requestId: expect.any(String),
    });
    expect(JSON.stringify(limitedBody)).not.toContain(PASSWORD);

    // The right password verified recently still passes from that address; other addresses are not limited.
    expect((await deliver('fd-limits', PASSWORD, attacker)).status).toBe(202);
    expect((await deliver('fd-limits', 'wrong', '198.51.100.1')).status).toBe(401);
    // Nor is the same address on another integration.
    expect((await deliver('fd-busy', 'wrong', attacker)).status).toBe(401);

    // After the window: 401 again (the limit counts afresh).
    await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000 + 100));
    expect((await deliver('fd-limits', 'wrong-later', attacker)).status).toBe(401);
  });

  it('keeps other traffic fast while 8 clients send wrong passwords', async () => {
    const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    /** Good deliveries and liveness probes, one after the other, for at least `ms` (and at least 20 each). */
    const measure = async (ms: number) => {
      const webhook: number[] = [];
      const probe: number[] = [];
      const until = performance.now() + ms;
      while (performance.now() < until || webhook.length < 20) {
        let started = performance.now();
        const res = await deliver('fd-busy', PASSWORD, '192.0.2.10');
        await res.arrayBuffer();
        expect(res.status).toBe(202);
        webhook.push(performance.now() - started);
        started = performance.now();
        await (await fetch(`${base}/health/live`)).arrayBuffer();
        probe.push(performance.now() - started);
      }
      return { webhook: p50(webhook), live: p50(probe), n: webhook.length };
    };
    await measure(0); // warm: the right password is verified once, then cached

    const attack = (addressOf: (client: number) => string) => {
      let stop = false;
      const answers: Record<number, number> = {};
      const clients = Array.from({ length: 8 }, async (_, client) => {
        while (!stop) {
          const res = await deliver('fd-busy', `wrong-${randomBytes(4).toString('hex')}`, addressOf(client));
          await res.arrayBuffer();
          answers[res.status] = (answers[res.status] ?? 0) + 1;
        }
      });
      return {
        answers,
        async end() {
          stop = true;
          await Promise.all(clients);
        },
      };
    };

    const baseline = await measure(1_000);

    // Eight fixed addresses: each is limited after LIMIT failures.
    const fixed = attack((client) => `203.0.113.${client + 20}`);
    await new Promise((r) => setTimeout(r, 200));
    const underFixed = await measure(4_000);
    await fixed.end();
    expect(fixed.answers[429]).toBeGreaterThan(0);
    expect(fixed.answers[401]).toBeLessThanOrEqual(8 * LIMIT * 2); // at most two windows' worth

    // A new address on every request (the limit never trips): every wrong password costs a hash, off the loop.
    const spread = attack(() => `10.${randomBytes(3).join('.')}`);
    await new Promise((r) => setTimeout(r, 200));
    const underSpread = await measure(3_000);
    await spread.end();
    expect(spread.answers[401]).toBeGreaterThan(0);
    expect(spread.answers[500]).toBeUndefined();

    console.log(
      `p50 ms — baseline: webhook ${baseline.webhook.toFixed(1)}, live ${baseline.live.toFixed(1)}; ` +
        `8 limited attackers: webhook ${underFixed.webhook.toFixed(1)}, live ${underFixed.live.toFixed(1)} ` +
        `(${JSON.stringify(fixed.answers)}); 8 attackers on fresh addresses: webhook ${underSpread.webhook.toFixed(1)}, ` +
        `live ${underSpread.live.toFixed(1)} (${JSON.stringify(spread.answers)})`,
    );
    // Before: a wrong password ran a synchronous scrypt and 8 clients took everyone's p50 to about a second.
    for (const p of [underFixed.webhook, underFixed.live, underSpread.webhook, underSpread.live]) {
      expect(p).toBeLessThan(150);
    }
  });

  it('remembers verified credentials in a bounded cache', () => {
    expect(t.app.get(SecretVerifier).cachedCount).toBeLessThanOrEqual(10_000);
  });
});
