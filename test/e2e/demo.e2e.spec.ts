import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/child-app.js';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';
import { testQueuePrefix } from '../support/test-run.js';

/** `npm run demo`, run for a while as a newcomer would: everything it promises happens, and it stops by itself. */
describe('the demo', () => {
  const databaseUrl = freshDatabaseUrl('demo');
  afterAll(() => dropDatabase(databaseUrl));

  it('shows warnings, breaches, an escalation, notifications, an acknowledgement, a withdrawal and a report', async () => {
    const port = await freePort();
    let output = '';
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'src/demo/demo.ts'],
      {
        env: {
          ...process.env,
          DEMO_DATABASE_URL: databaseUrl,
          DEMO_PORT: String(port),
          DEMO_QUEUE_PREFIX: `${testQueuePrefix()}demo`,
          DEMO_EXIT_AFTER_SECONDS: '72',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    expect(output).toContain(`dashboard:  http://127.0.0.1:${port}/`);
    expect(output).toMatch(/admin key: {2}sla_demo_\S{20,}/);
    for (const line of [
      /WARNING +ticket 1001 .*first_response reached 50 %/,
      /BREACH +ticket 1001 .*first_response missed its deadline/,
      /ESCALATION +ticket 1006 .*breach \+ 1 min/,
      /notification arrived in Slack: SLA breached/,
      /notification arrived at the ops webhook: sla\.breach for ticket/,
      /WITHDRAWN +ticket 1004/,
      /ACKNOWLEDGED ticket 1001/,
      /compliance report/,
      /enterprise +first_response +met \d+ +breached [1-9]/,
    ])
      expect(output).toMatch(line);
    // The live queue shows countdowns.
    expect(output).toMatch(/1002 +enterprise high +\S+ +running +\d+:\d\d left/);
  }, 150_000);
});
