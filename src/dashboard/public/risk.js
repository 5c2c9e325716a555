import { h } from './dom.js';
import { headlineClock, RISK, riskOf } from './format.js';

const ORDER = ['breach', 'warn', 'ok', 'paused', 'none'];

/** A ticket's risk: the worst of its clocks. */
export function ticketRisk(ticket, now = Date.now()) {
  let worst = 'none';
  for (const clock of ticket.clocks) {
    const risk = riskOf(clock, now);
    if (ORDER.indexOf(risk) < ORDER.indexOf(worst)) worst = risk;
  }
  return worst;
}

/** The badge: shape, word and colour, so it reads without colour too. */
export function riskBadge(risk) {
  const { shape, label } = RISK[risk];
  return h(
    'span',
    { class: `risk risk-${risk}`, 'data-risk': risk },
    h('span', { class: 'shape', 'aria-hidden': 'true' }, shape),
    label,
  );
}

export function meter(clock, now = Date.now()) {
  if (!clock || clock.percentUsed === null) return '—';
  const risk = riskOf(clock, now);
  const width = Math.max(0, Math.min(100, clock.percentUsed));
  return h(
    'span',
    {},
    `${Math.round(clock.percentUsed)} %`,
    h(
      'span',
      {
        class: 'meter',
        role: 'img',
        'aria-label': `${Math.round(clock.percentUsed)} percent of the target used`,
      },
      h('span', { class: `risk-${risk}-bar`, style: `width:${width}%` }),
    ),
  );
}

export { headlineClock };
