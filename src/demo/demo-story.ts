import { type SimulatedTicket, ZendeskSimulator } from './zendesk-simulator.js';

interface StoryContext {
  webhookUrl: string;
  api: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
  log: (line: string) => void;
  signal: AbortSignal;
}

const SECOND = 1000;

/**
 * What the simulated helpdesk and a manager do, second by second. Some tickets arrive already a little old, so
 * that their first deadline falls within the first minute:
 *   1001 enterprise urgent, 20 s old: warnings at 50 % and 75 %, the ladder's 90 % step, a breach at ~40 s, acknowledged;
 *   1002 enterprise high: answered after 15 s, first response met;
 *   1003 standard normal: answered and set pending, the customer answers, solved;
 *   1004 enterprise urgent, 50 s old: breaches at ~10 s, then a late event shows the agent had answered in time;
 *   1005 standard urgent: solved within a minute;
 *   1006 enterprise urgent, 100 s old: already breached when it arrives; its ladder escalates a minute after the breach.
 */
export async function runDemoStory({ webhookUrl, api, log, signal }: StoryContext): Promise<void> {
  const desk = new ZendeskSimulator(webhookUrl);
  const t0 = Date.now();
  const ticket = (
    id: string,
    tier: SimulatedTicket['tier'],
    priority: SimulatedTicket['priority'],
    ageS: number,
    subject: string,
  ): SimulatedTicket => ({
    id,
    tier,
    priority,
    subject,
    createdAt: new Date(t0 - ageS * SECOND),
    status: 'NEW',
  });
  const tickets = {
    t1001: ticket('1001', 'enterprise', 'URGENT', 20, 'Checkout is down'),
    t1002: ticket('1002', 'enterprise', 'HIGH', 0, 'Invoices show the wrong VAT'),
    t1003: ticket('1003', 'standard', 'NORMAL', 0, 'How do I export my data?'),
    t1004: ticket('1004', 'enterprise', 'URGENT', 50, 'Login fails for all users'),
    t1005: ticket('1005', 'standard', 'URGENT', 0, 'Payment declined'),
    t1006: ticket('1006', 'enterprise', 'URGENT', 100, 'API returns 500'),
  };
  const at = async (second: number, what: string, act: () => Promise<void>) => {
    const wait = t0 + second * SECOND - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (signal.aborted) return;
    log(what);
    await act().catch((error: Error) => log(`  (failed: ${error.message})`));
  };

  await at(0, 'helpdesk: six tickets arrive (1001–1006)', async () => {
    for (const t of Object.values(tickets)) await desk.created(t);
  });
  await at(3, 'helpdesk: agent answers 1003 and sets it pending', () =>
    desk.agentReply(tickets.t1003, 'Settings → Export. Does that work for you?', new Date(), 'PENDING'),
  );
  await at(8, 'queue:', () => printQueue(api, log));
  await at(15, 'helpdesk: agent answers 1002', () => desk.agentReply(tickets.t1002, 'Looking into it now.'));
  await at(20, 'helpdesk: a delayed delivery arrives: the agent had answered 1004 at its 45th second', () =>
    desk.agentReply(
      tickets.t1004,
      'We are on it.',
      new Date(tickets.t1004.createdAt.getTime() + 45 * SECOND),
    ),
  );
  await at(25, 'helpdesk: the customer answers 1003 (its clock resumes)', () =>
    desk.customerReply(tickets.t1003, 'Found it, but the file is empty.'),
  );
  await at(30, 'helpdesk: agent solves 1005', async () => {
    await desk.agentReply(tickets.t1005, 'Fixed on our side.');
    await desk.status(tickets.t1005, 'SOLVED');
  });
  await at(38, 'queue:', () => printQueue(api, log));
  await at(50, 'manager: acknowledges the breach of 1001', async () => {
    const page = await api<{ items: Array<{ id: string; ticket: { externalId: string } }> }>(
      'GET',
      '/breaches?state=active&acknowledged=false',
    );
    const breach = page.items.find((b) => b.ticket.externalId === '1001');
    if (!breach) return log('  (1001 has not breached yet)');
    await api('POST', `/breaches/${breach.id}/ack`, { note: 'On it with the on-call engineer' });
  });
  await at(55, 'helpdesk: agent answers 1003 again and solves it', async () => {
    await desk.agentReply(tickets.t1003, 'A fix is deployed; please try again.');
    await desk.status(tickets.t1003, 'SOLVED');
  });
  await at(60, 'compliance report (today, by tier and metric):', () => printCompliance(api, log, t0));
  await at(65, 'queue:', () => printQueue(api, log));
  log('the story is told; the service keeps running (Ctrl-C to stop), open the dashboard to look around');
}

async function printQueue(api: StoryContext['api'], log: StoryContext['log']): Promise<void> {
  const page = await api<{ items: QueueRow[] }>('GET', '/tickets?limit=6');
  for (const t of page.items) {
    const clock =
      t.clocks.find((c) => c.state === 'running' || c.state === 'breached') ??
      t.clocks.find((c) => c.state !== 'not_applicable');
    if (!clock) continue;
    const left = clock.remainingMs === null ? '—' : formatMs(clock.remainingMs);
    log(
      `  ${t.externalId.padEnd(5)} ${String(t.tier).padEnd(10)} ${String(t.priority).padEnd(7)} ${clock.metric.padEnd(15)} ${clock.state.padEnd(9)} ${left.padStart(6)} left  ${clock.percentUsed ?? '—'} % used`,
    );
  }
}

async function printCompliance(
  api: StoryContext['api'],
  log: StoryContext['log'],
  t0: number,
): Promise<void> {
  const from = new Date(t0 - 3_600_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const report = await api<{ rows: ComplianceRow[] }>(
    'GET',
    `/reports/compliance?from=${from}&to=${to}&groupBy=tier,metric`,
  );
  for (const row of report.rows) {
    log(
      `  ${String(row.group.tier).padEnd(10)} ${String(row.group.metric).padEnd(15)} met ${row.met}  breached ${row.breached}  in progress ${row.inProgress}  achieved ${row.achievedPercent === null ? '—' : `${row.achievedPercent.toFixed(0)} %`}`,
    );
  }
}

function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  const sign = s < 0 ? '-' : '';
  const a = Math.abs(s);
  return `${sign}${Math.floor(a / 60)}:${String(a % 60).padStart(2, '0')}`;
}

interface QueueRow {
  externalId: string;
  tier: string | null;
  priority: string | null;
  clocks: Array<{ metric: string; state: string; remainingMs: number | null; percentUsed: number | null }>;
}

interface ComplianceRow {
  group: Record<string, string | null>;
  met: number;
  breached: number;
  inProgress: number;
  achievedPercent: number | null;
}
