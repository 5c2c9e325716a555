import { api } from './api.js';
import { $, h, replace } from './dom.js';
import { duration, localWhen, metricLabel, percent, when } from './format.js';
import { riskBadge } from './risk.js';
import { riskOf } from './format.js';

const SPAN_LABELS = {
  counted: 'Counted',
  paused: 'Paused',
  out_of_hours: 'Out of hours',
  holiday: 'Holiday',
};

let current = null;

/** Opens one ticket: every clock, the explanation of its deadline (spans as the API gives them) and its SLA event log. */
export async function openTicket(integrationId, externalId) {
  const dialog = $('#ticket-dialog');
  current = { integrationId, externalId };
  replace($('#ticket-title'), `Ticket #${externalId}`);
  replace($('#ticket-body'), h('p', { class: 'message' }, 'Loading…'));
  if (!dialog.open) dialog.showModal();
  await refreshTicket();
}

export async function refreshTicket() {
  if (!current) return;
  const { integrationId, externalId } = current;
  try {
    const t = await api(`/tickets/${encodeURIComponent(integrationId)}/${encodeURIComponent(externalId)}`);
    if (current?.externalId !== externalId) return;
    replace($('#ticket-body'), render(t));
  } catch (error) {
    replace(
      $('#ticket-body'),
      h('p', { class: 'error', role: 'alert' }, `The ticket could not be read: ${error.message}`),
    );
  }
}

/** Live: an event about the open ticket reads it again. */
export function ticketOnEvent(_type, data) {
  const dialog = $('#ticket-dialog');
  if (!dialog.open || !current) return;
  if (data?.integrationId === current.integrationId && data?.externalId === current.externalId)
    void refreshTicket();
}

export function initTicketDialog() {
  const dialog = $('#ticket-dialog');
  $('#ticket-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => (current = null));
  // A click on the backdrop closes it too.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
}

function render(t) {
  return h(
    'div',
    {},
    h(
      'dl',
      { class: 'facts' },
      fact('Helpdesk', t.integrationId),
      fact('Status', t.status ?? '—'),
      fact('Tier', t.tier ?? '—'),
      fact('Priority', t.priority ?? '—'),
      fact('Policy', t.policyId ? `${t.policyId} v${t.policyVersion}` : 'none matched'),
      fact('Created', when(t.createdAt)),
    ),
    t.clocks.length === 0 ? h('p', { class: 'message' }, 'No clocks.') : t.clocks.map(renderClock),
  );
}

function fact(label, value) {
  return [h('div', {}, h('dt', {}, label), h('dd', {}, value))];
}

function renderClock(c) {
  const name = metricLabel(c.metric, c.cycle);
  return h(
    'section',
    { class: 'clock', 'data-metric': c.metric, 'aria-label': name },
    h('h3', {}, name, ' ', riskBadge(riskOf(c)), ' ', h('span', { class: 'sub' }, `state: ${c.state}`)),
    c.notApplicableReason ? h('p', { class: 'hint' }, c.notApplicableReason) : null,
    h(
      'dl',
      { class: 'facts' },
      fact('Started', when(c.startedAt)),
      fact('Deadline (UTC)', c.deadline ? c.deadline.replace('.000Z', 'Z') : (c.noDeadlineReason ?? '—')),
      fact('Deadline (local)', localWhen(c.deadlineLocal, c.timeZone)),
      fact('Target', duration(c.targetMs)),
      fact('Used', `${duration(c.usedMs)} (${percent(c.percentUsed)})`),
      fact('Left', duration(c.remainingMs)),
      c.stoppedAt ? fact('Stopped', when(c.stoppedAt)) : null,
      c.breachedAt ? fact('Breached at', when(c.breachedAt)) : null,
    ),
    explanation(c),
    log(c),
  );
}

function explanation(c) {
  if (!c.explanation?.length) return null;
  return h(
    'details',
    {},
    h(
      'summary',
      {},
      `Why this deadline: ${c.explanation.length} ${c.explanation.length === 1 ? 'span' : 'spans'}`,
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'explanation' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['What', 'From', 'To', 'Length', 'Detail'].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          {},
          c.explanation.map((s) =>
            h(
              'tr',
              { class: `span-${s.kind}` },
              h('td', {}, SPAN_LABELS[s.kind] ?? s.kind),
              h('td', {}, when(s.from)),
              h('td', {}, when(s.to)),
              h('td', {}, duration(Date.parse(s.to) - Date.parse(s.from))),
              h('td', {}, s.detail ?? ''),
            ),
          ),
        ),
      ),
    ),
  );
}

function log(c) {
  if (!c.log?.length) return null;
  return h(
    'div',
    {},
    h('h4', {}, 'SLA event log'),
    h(
      'ol',
      { class: 'plain sla-log' },
      c.log.map((entry) =>
        h(
          'li',
          {},
          h('time', { datetime: entry.at }, when(entry.at)),
          ' — ',
          entry.event,
          entry.detail ? ` (${entry.detail})` : '',
        ),
      ),
    ),
  );
}
