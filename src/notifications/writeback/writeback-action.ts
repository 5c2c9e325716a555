import type { WriteBackTags } from '../../integrations/write-back.schemas.js';
import type { NotificationFacts } from '../notification-message.js';
import type { WriteBackAction } from './helpdesk-api.js';

/**
 * What a delivery does in the helpdesk: a warning adds the warning tag; a breach (and each escalation after it)
 * adds the breached tag and an internal note; the clock met after a warning removes the warning tag; a withdrawn
 * breach removes both tags and says so in a note. Tags are added and removed idempotently by every provider, so a
 * retried delivery changes nothing twice; a note carries the delivery's idempotency key as its reference.
 */
export function writeBackAction(f: NotificationFacts, tags: WriteBackTags): WriteBackAction {
  if (f.event === 'met') return { add: [], remove: [tags.warning], note: null };
  if (f.event === 'withdrawal')
    return { add: [], remove: [tags.warning, tags.breached], note: withdrawalNote(f, tags) };
  if (f.step.kind === 'warning') return { add: [tags.warning], remove: [], note: null };
  return { add: [tags.breached], remove: [], note: breachNote(f) };
}

function clockName(f: NotificationFacts): string {
  const name = f.step.metric.replace(/_/g, ' ');
  return f.step.cycle > 1 ? `${name} (cycle ${f.step.cycle})` : name;
}

function breachNote(f: NotificationFacts): string {
  const s = f.step;
  const deadline = s.deadline ? s.deadline.toISOString() : 'unknown';
  const missedBy = s.deadline ? duration(s.detectedAt.getTime() - s.deadline.getTime()) : 'an unknown time';
  const lead =
    s.kind === 'breach'
      ? `SLA breached: the ${clockName(f)} clock missed its deadline.`
      : `SLA escalation (${s.step}): the ${clockName(f)} clock is still past its deadline.`;
  return [
    lead,
    `Deadline: ${deadline} (UTC). Missed by: ${missedBy} when detected at ${s.detectedAt.toISOString()}.`,
    `Priority ${f.ticket.priority ?? '-'}, tier ${f.ticket.tier ?? '-'}. Reference: ${f.idempotencyKey}`,
  ].join('\n');
}

function withdrawalNote(f: NotificationFacts, tags: WriteBackTags): string {
  const deadline = f.step.deadline ? f.step.deadline.toISOString() : 'unknown';
  return [
    `SLA breach withdrawn: the ${clockName(f)} clock met its deadline ${deadline} (UTC) after all; later history showed it in time.`,
    `The ${tags.breached} tag was removed. Reference: ${f.idempotencyKey}`,
  ].join('\n');
}

/** "2 h 5 min", "42 s", "350 ms". */
export function duration(ms: number): string {
  const v = Math.max(0, Math.round(ms));
  if (v < 1000) return `${v} ms`;
  const s = Math.floor(v / 1000);
  const parts: string[] = [];
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (sec && !d && !h) parts.push(`${sec} s`);
  return parts.join(' ');
}
