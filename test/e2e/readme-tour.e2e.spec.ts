import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

/** The README's tour, exactly as a newcomer pastes it: one bash block, from the line after its heading. */
function tourBlock(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const after = readme.slice(readme.indexOf('A five-minute tour'));
  const match = /```bash\n([\s\S]*?)```/.exec(after);
  if (!match) throw new Error('README: no bash block after "A five-minute tour"');
  return match[1];
}

describe('README tour', () => {
  let t: TestApp;
  let api: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    api = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('works pasted as one block, and prints the clocks the README describes', async () => {
    const { stdout } = await run('bash', ['-c', tourBlock()], {
      env: { ...process.env, API: api, KEY: t.adminKey },
      timeout: 30_000,
    });
    // Every call printed its JSON answer; none was an error.
    expect(stdout).not.toContain('"error"');
    const ticketStart = stdout.search(/\{"id":"[0-9a-f-]{36}","integrationId":"acme-desk"/);
    expect(ticketStart, stdout).toBeGreaterThan(0);
    const ticket = JSON.parse(stdout.slice(ticketStart));
    const clock = (metric: string) => ticket.clocks.find((c: { metric: string }) => c.metric === metric);
    expect(clock('first_response')).toMatchObject({
      state: 'breached',
      calendarId: 'berlin-office',
      deadline: '2026-11-23T09:00:00.000Z',
      deadlineLocal: '2026-11-23T10:00:00.000+01:00',
    });
    expect(clock('reaction')).toMatchObject({
      state: 'breached',
      calendarId: '24x7',
      deadline: '2026-11-20T17:00:00.000Z',
    });
    // The weekend that puts the deadline on Monday, first in the explanation.
    expect(clock('first_response').explanation[0]).toEqual({
      from: '2026-11-20T16:45:00.000Z',
      to: '2026-11-23T08:00:00.000Z',
      kind: 'out_of_hours',
    });
  });
});
