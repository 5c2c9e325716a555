import { headline, type NotificationFacts } from './notification-message.js';

/** An e-mail as composed from one step, or from several (a digest); every value in the HTML is escaped. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
  /** Message-ID and the idempotency headers: the same on every attempt of the same delivery. */
  messageId: string;
  headers: Record<string, string>;
}

const MESSAGE_ID_DOMAIN = 'sla-tracker.invalid';

/** One message: the headline as subject; details as a list (text) and a table (HTML). */
export function emailFor(items: NotificationFacts[]): EmailContent {
  if (items.length === 0) throw new Error('an e-mail needs at least one notification');
  const lead = items[0];
  // Shown in the order they fell due; the Message-ID stays the lead's (the delivery that carries the others).
  const facts = [...items].sort((a, b) => a.step.dueAt.getTime() - b.step.dueAt.getTime());
  const keys = facts.map((f) => f.idempotencyKey);
  const headers: Record<string, string> = { 'X-SLA-Idempotency-Key': lead.idempotencyKey };
  if (facts.length > 1) headers['X-SLA-Digest-Keys'] = keys.join(', ');
  const subject = facts.length === 1 ? headline(lead) : digestSubject(facts);
  const intro =
    facts.length === 1
      ? []
      : [`${facts.length} SLA notifications, oldest first (a digest: they fell due close together).`, ''];
  const text = [
    ...intro,
    ...facts.flatMap((f, i) => [
      ...(facts.length > 1 ? [`${i + 1}. ${headline(f)}`] : [headline(f)]),
      '',
      ...details(f).map(([k, v]) => `  ${k}: ${v}`),
      '',
    ]),
    'Sent by SLA Tracker.',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    ...(intro.length > 0 ? [`<p>${escapeHtml(intro[0])}</p>`] : []),
    ...facts.map(
      (f) =>
        `<h3>${escapeHtml(headline(f))}</h3><table>${details(f)
          .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
          .join('')}</table>`,
    ),
    '<p style="color:#777">Sent by SLA Tracker.</p></body></html>',
  ].join('\n');
  return { subject, text, html, messageId: `<${lead.idempotencyKey}@${MESSAGE_ID_DOMAIN}>`, headers };
}

function digestSubject(facts: NotificationFacts[]): string {
  const breaches = facts.filter((f) => f.event === 'step' && f.step.kind === 'breach').length;
  const warnings = facts.filter((f) => f.event === 'step' && f.step.kind === 'warning').length;
  const parts = [breaches > 0 && `${breaches} breached`, warnings > 0 && `${warnings} at risk`].filter(
    Boolean,
  );
  return `SLA digest: ${facts.length} notifications${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

function details(f: NotificationFacts): Array<[string, string]> {
  const s = f.step;
  return [
    ['Ticket', `${f.ticket.externalId} (integration ${f.ticket.integrationId})`],
    ['Clock', `${s.metric.replace('_', ' ')}${s.cycle > 0 ? `, cycle ${s.cycle + 1}` : ''}`],
    ['Step', s.percent === null ? s.step : `${s.step} (${s.percent} % of the target)`],
    ['Deadline', s.deadline?.toISOString() ?? 'none'],
    ['Due at', s.dueAt.toISOString()],
    ['Detected at', `${s.detectedAt.toISOString()}${s.late ? ' (late)' : ''}`],
    ['Priority', f.ticket.priority ?? '-'],
    ['Tier', f.ticket.tier ?? '-'],
    ['Key', f.idempotencyKey],
  ];
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
