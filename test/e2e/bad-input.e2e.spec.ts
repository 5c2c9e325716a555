import fc from 'fast-check';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { canonicalEvent, createGenericIntegration, postSigned } from '../webhooks/webhook-test-kit.js';

const errorShape = { error: expect.stringMatching(/^[a-z_0-9]+$/), message: expect.any(String) };

/** Every bad input gets a 4xx in the documented shape, says what is wrong, echoes no value, and changes nothing. */
describe('bad input', () => {
  let t: TestApp;
  let base: string;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    await createGenericIntegration(t, 'clean');
    await createGenericIntegration(t, 'other');
    await http().post('/tiers').send({ id: 'gold', name: 'Gold' }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses U+0000 and unpaired surrogates in bodies, keys, paths and queries with a 400', async () => {
    const nul = await http()
      .post('/tiers')
      .set('content-type', 'application/json')
      .send('{"id":"x","name":"a\\u0000b"}');
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ ...errorShape, message: expect.stringContaining('U+0000') });
    const surrogate = await http()
      .post('/tiers')
      .set('content-type', 'application/json')
      .send('{"id":"x","name":"\\ud800"}');
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.message).toContain('surrogate');
    const inKey = await http()
      .post('/tiers')
      .set('content-type', 'application/json')
      .send('{"id":"x","na\\u0000me":"y"}');
    expect(inKey.status).toBe(400);
    expect((await http().get('/tiers/a%00b')).status).toBe(400);
    expect((await http().get('/customers').query({ tier: 'a\u0000b' })).status).toBe(400);
  });

  it('bounds depth and numbers, and names prototype keys instead of calling them malformed', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const res = await http().put('/tiers/gold').set('content-type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('nested more than');
    const proto = await http()
      .post('/tiers')
      .set('content-type', 'application/json')
      .send('{"__proto__":{"x":1},"id":"p","name":"P"}');
    expect(proto.status).toBe(400);
    expect(proto.body.message).toContain('"__proto__" is not allowed');
    expect((await http().get('/policies/any/versions/99999999999')).status).toBe(400);
    const cursor = Buffer.from(JSON.stringify([1e300, '00000000-0000-0000-0000-000000000000'])).toString(
      'base64url',
    );
    expect((await http().get('/tickets').query({ cursor })).status).toBe(400);
    const long = await http().get(`/tiers/${'a'.repeat(300)}`);
    expect(long.status).toBe(414);
    expect(long.body).toMatchObject({ error: 'uri_too_long', requestId: expect.any(String) });
  });

  it('answers form-encoded bodies with 415 and never echoes what was sent', async () => {
    const res = await http()
      .post('/integrations')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send('name=x&provider=generic&secret=hunter2-very-secret-value');
    expect(res.status).toBe(415);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const unknown = await http()
      .post('/tiers')
      .send({ id: 'u', name: 'U', 'hunter2-secret': 'hunter2-value' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).not.toContain('hunter2-value');
  });

  it('answers oversized headers with 431 in the usual shape, closing the connection', async () => {
    const { port } = new URL(base);
    const raw = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET /tiers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431/);
    expect(raw).toMatch(/Connection: close/i);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject(errorShape);
  });

  it('lets a delivery with a NUL in its event id fail alone, never its neighbours', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const good = Array.from({ length: 40 }, (_, i) =>
      postSigned(t, 'other', canonicalEvent({ eventId: `g-${i}`, ticketId: `G-${i}`, occurredAt: at })),
    );
    const poisoned = postSigned(
      t,
      'clean',
      canonicalEvent({ eventId: 'bad\u0000id', ticketId: 'P\u0000-1', occurredAt: at }),
    );
    const answers = await Promise.all([...good, poisoned]);
    expect(answers.map((a) => a.status)).toEqual(Array(41).fill(202));
  });

  it('never answers 500 to generated input on any documented route, and rejected input changes nothing', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'delete'].includes(m) && !path.startsWith('/events'))
        .map((method) => ({ path, method })),
    );
    const nasty = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '\u0000',
        'a\u0000b',
        '\ud800',
        '\udfff',
        '__proto__',
        'constructor',
        '%00',
        '../..',
        '',
      ),
      fc.constantFrom('9'.repeat(40), '-1', '1e309', 'NaN', String(2 ** 53), 'true', 'null'),
    );
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(nasty, fc.oneof(nasty, fc.integer(), fc.double(), fc.constant(null)), { maxKeys: 5 }),
      fc.constant({ ['__proto__']: { polluted: true } }),
      fc.integer({ min: 1, max: 3000 }).map((d) => JSON.parse('['.repeat(d) + ']'.repeat(d)) as unknown),
    );
    const snapshot = async () =>
      JSON.stringify(
        await Promise.all(
          ['tiers', 'calendars', 'policy_versions', 'customers', 'integrations', 'escalation_ladders'].map(
            async (table) => (await t.sql.query(`SELECT * FROM ${table} ORDER BY 1`)).rows,
          ),
        ),
      );
    const before = await snapshot();
    let mutatingSuccesses = 0;
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.array(nasty, { minLength: 3, maxLength: 3 }),
        fc.dictionary(nasty, nasty, { maxKeys: 3 }),
        body,
        async (op, params, query, payload) => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => encodePathSegment(params[i++ % 3]!));
          const url = `${base}${path}?${new URLSearchParams(query).toString()}`;
          const headers: Record<string, string> = { authorization: `Bearer ${t.adminKey}` };
          const init: RequestInit = { method: op.method.toUpperCase(), headers };
          if (op.method === 'post' || op.method === 'put') {
            init.body = JSON.stringify(payload);
            headers['content-type'] = 'application/json';
          }
          const res = await fetch(url, init);
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          const text = await res.text();
          expect(res.status, `${op.method.toUpperCase()} ${path}: ${text}`).not.toBe(500);
          if (res.status >= 400) expect(JSON.parse(text), `${op.method} ${path}`).toMatchObject(errorShape);
          else if (op.method !== 'get') mutatingSuccesses++;
        },
      ),
      { numRuns: 400, seed: 20261205 },
    );
    if (mutatingSuccesses === 0) expect(await snapshot()).toBe(before);
    expect(seen.get(500)).toBeUndefined();
  }, 120_000);
});

/** encodeURIComponent, except that a lone surrogate goes out as the invalid UTF-8 a careless client would send. */
function encodePathSegment(value: string): string {
  return value
    .split(/([\uD800-\uDFFF])/)
    .map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}
