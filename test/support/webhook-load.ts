import { signGeneric } from '../../src/webhooks/providers/generic-signature.js';
import { canonicalEvent } from '../webhooks/webhook-test-kit.js';

/** What one delivery attempt came to: an HTTP status, or `hang` (no answer within the limit) or `refused`. */
export interface LoadOutcome {
  eventId: string;
  status: number | 'hang' | 'refused';
  ms: number;
  retryAfter?: string | null;
  deliveryId?: string;
}

/**
 * Signed generic deliveries posted by `concurrency` senders back to back, each event distinct, until stopped:
 * the steady webhook traffic a fault lands in the middle of. Every outcome is kept for the test to judge.
 */
export class WebhookLoad {
  readonly outcomes: LoadOutcome[] = [];
  private stopped = false;
  private senders: Promise<void>[] = [];
  private n = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly integrationId: string,
    private readonly secret: string,
    private readonly label: string,
    private readonly hangAfterMs = 15_000,
  ) {}

  start(concurrency: number): this {
    this.senders = Array.from({ length: concurrency }, () => this.sender());
    return this;
  }

  async stop(): Promise<LoadOutcome[]> {
    this.stopped = true;
    await Promise.all(this.senders);
    return this.outcomes;
  }

  private async sender(): Promise<void> {
    while (!this.stopped) {
      const outcome = await this.sendOne();
      this.outcomes.push(outcome);
      // A sender that cannot connect (the process is gone) backs off like a helpdesk would.
      if (outcome.status === 'refused' || outcome.status === 503) await sleep(100);
    }
  }

  private async sendOne(): Promise<LoadOutcome> {
    const k = this.n++;
    const eventId = `${this.label}-${k}`;
    const at = new Date(Date.now() - 60_000).toISOString();
    const raw = JSON.stringify(
      canonicalEvent({
        eventId,
        ticketId: `${this.label.toUpperCase()}-${k % 50}`,
        occurredAt: at,
        type: 'ticket.updated',
        status: 'open',
      }),
    );
    const started = Date.now();
    try {
      const res = await fetch(`${this.baseUrl}/webhooks/${this.integrationId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signGeneric(this.secret, raw) },
        body: raw,
        signal: AbortSignal.timeout(this.hangAfterMs),
      });
      const body = (await res.json().catch(() => ({}))) as { deliveryId?: string };
      return {
        eventId,
        status: res.status,
        ms: Date.now() - started,
        retryAfter: res.headers.get('retry-after'),
        deliveryId: body.deliveryId,
      };
    } catch (error) {
      const name = (error as Error).name;
      return { eventId, status: name === 'TimeoutError' ? 'hang' : 'refused', ms: Date.now() - started };
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Outcomes counted by status, e.g. `{ 202: 1800, 503: 240 }`. */
export function countByStatus(outcomes: LoadOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}
