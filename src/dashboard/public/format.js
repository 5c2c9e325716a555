// Durations, instants and risk levels as people read them.

export const METRIC_LABELS = {
  reaction: 'Reaction',
  first_response: 'First response',
  resolution: 'Resolution',
  next_response: 'Next response',
};

export function metricLabel(metric, cycle = 0) {
  const label = METRIC_LABELS[metric] ?? metric;
  return metric === 'next_response' && cycle > 0 ? `${label} #${cycle}` : label;
}

/** "2 h 05 min", "45 min", "3 d 4 h"; null → "—". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  const sign = ms < 0 ? '−' : '';
  let rest = Math.round(Math.abs(ms) / 60_000);
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  const minutes = rest - hours * 60;
  if (days > 0) return `${sign}${days} d ${hours} h`;
  if (hours > 0) return `${sign}${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${sign}${minutes} min`;
}

/** A ticking countdown: "1:02:03", "2 d 03:04:05". */
export function clockFace(ms) {
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const time = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
  return d > 0 ? `${d} d ${time}` : time;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** The deadline in the calendar's zone as the API gives it ("2026-11-16T10:00:00.000+01:00") → "16 Nov 10:00 (+01:00)". */
export function localWhen(isoWithOffset, zone) {
  if (!isoWithOffset) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})[^+-Z]*([+-]\d{2}:\d{2}|Z)?/.exec(isoWithOffset);
  if (!m) return isoWithOffset;
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]} ${zone ?? ''} (${m[6] ?? 'Z'})`.replace('  ', ' ');
}

export function percent(value) {
  return value === null || value === undefined ? '—' : `${Math.round(value)} %`;
}

export const AT_RISK_PERCENT = 75;

/** The risk of one clock as of `now`: ok, warn, breach, paused or none (stopped or without a target). */
export function riskOf(clock, now = Date.now()) {
  if (clock.state === 'breached') return 'breach';
  if (clock.state === 'paused') return 'paused';
  if (clock.state !== 'running' || clock.percentUsed === null) return 'none';
  if (clock.deadline && Date.parse(clock.deadline) <= now) return 'breach';
  return clock.percentUsed >= AT_RISK_PERCENT ? 'warn' : 'ok';
}

export const RISK = {
  ok: { shape: '●', label: 'On track' },
  warn: { shape: '▲', label: 'At risk' },
  breach: { shape: '■', label: 'Breached' },
  paused: { shape: '❚❚', label: 'Paused' },
  none: { shape: '○', label: 'No clock running' },
};

const ORDER = ['breach', 'warn', 'ok', 'paused', 'none'];
/** The clock a queue row shows: a counting clock with the nearest deadline; otherwise the riskiest. */
export function headlineClock(clocks, now = Date.now()) {
  const counting = clocks.filter(
    (c) => (c.state === 'running' || c.state === 'breached') && !c.stoppedAt && c.deadline,
  );
  if (counting.length > 0)
    return [...counting].sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline))[0];
  return [...clocks].sort((a, b) => ORDER.indexOf(riskOf(a, now)) - ORDER.indexOf(riskOf(b, now)))[0] ?? null;
}
