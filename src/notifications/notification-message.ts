import { createHmac } from 'node:crypto';

/** What a delivery is about, read fresh when it is sent. */
export interface NotificationFacts {
  idempotencyKey: string;
  /** met: a warned clock was met in time (sent to helpdesk channels only, to take the warning tag off). */
  event: 'step' | 'withdrawal' | 'met';
  step: {
    id: string;
    metric: string;
    cycle: number;
    step: string;
    kind: 'warning' | 'breach';
    percent: number | null;
    status: string;
    dueAt: Date;
    deadline: Date | null;
    detectedAt: Date;
    withdrawnAt: Date | null;
    latenessMs: number;
    late: boolean;
  };
  ticket: { integrationId: string; externalId: string; priority: string | null; tier: string | null };
}

/**
 * The webhook body (schema documented in README "Notifications"): `type` is `sla.warning`, `sla.breach` or
 * `sla.breach_withdrawn`; `id` is the idempotency key, the same on every attempt of this delivery.
 */
export function webhookBody(f: NotificationFacts): object {
  const s = f.step;
  return {
    id: f.idempotencyKey,
    type: f.event === 'withdrawal' ? 'sla.breach_withdrawn' : f.event === 'met' ? 'sla.met' : `sla.${s.kind}`,
    ticket: f.ticket,
    clock: { metric: s.metric, cycle: s.cycle },
    step: {
      id: s.id,
      step: s.step,
      kind: s.kind,
      percent: s.percent,
      dueAt: s.dueAt.toISOString(),
      deadline: s.deadline?.toISOString() ?? null,
      detectedAt: s.detectedAt.toISOString(),
      withdrawnAt: s.withdrawnAt?.toISOString() ?? null,
      latenessMs: s.latenessMs,
      late: s.late,
    },
  };
}

/** `sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">`: the timestamp inside the MAC stops replays of old bodies. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** One line a person reads: Slack text, later the e-mail subject. */
export function headline(f: NotificationFacts): string {
  const s = f.step;
  const ticket = `ticket ${f.ticket.externalId} (${f.ticket.integrationId})`;
  const clock = s.metric.replace('_', ' ');
  const deadline = s.deadline?.toISOString() ?? 'unknown';
  if (f.event === 'withdrawal') return `Breach withdrawn: ${clock} on ${ticket} was met after all.`;
  if (f.event === 'met') return `SLA met: ${clock} on ${ticket} was met after its warning.`;
  if (s.kind === 'warning')
    return `SLA warning: ${clock} on ${ticket} is at ${s.percent ?? '?'} % of its target, due ${deadline}.`;
  return `SLA breached: ${clock} on ${ticket}, deadline ${deadline}.`;
}

/** Slack incoming-webhook body: `text` is the fallback (notifications), `blocks` what the channel shows. */
export function slackBody(f: NotificationFacts): object {
  const text = headline(f);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `priority ${f.ticket.priority ?? '-'} · tier ${f.ticket.tier ?? '-'} · step ${f.step.step}`,
          },
        ],
      },
    ],
  };
}
