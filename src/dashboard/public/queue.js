import { api, query } from './api.js';
import { $, h, replace } from './dom.js';
import { clockFace, duration, localWhen, metricLabel } from './format.js';
import { headlineClock, meter, riskBadge, ticketRisk } from './risk.js';
import { openTicket } from './ticket.js';

const PAGE = 50;

/**
 * The agent queue: open tickets, the next deadline first, with a countdown to each row's next deadline that ticks every
 * second, and the business time left and % used as of the last read. Live events reload the rows shown (at most once a
 * second); the % used is read again every 30 s.
 */
export function queueView() {
  const body = $('#queue-table tbody');
  const message = $('#queue-message');
  const more = $('#queue-more');
  const form = $('#queue-filters');
  let filters = {};
  let tickets = [];
  let nextCursor = null;
  let pages = 1;
  let loading = null;
  let again = false;
  let lastLoad = 0;
  let timer = null;

  const load = async () => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        const items = [];
        let cursor = null;
        for (let page = 0; page < pages; page++) {
          const res = await api(`/tickets${query({ ...filters, limit: PAGE, cursor })}`);
          items.push(...res.items);
          cursor = res.nextCursor;
          if (!cursor) break;
        }
        const before = new Map(tickets.map((t) => [t.id, t.clockVersion]));
        tickets = items;
        nextCursor = cursor;
        message.textContent = tickets.length === 0 ? 'No open tickets match.' : '';
        render(before);
      } catch (error) {
        message.textContent = `The queue could not be read: ${error.message}`;
      } finally {
        lastLoad = Date.now();
        loading = null;
        if (again) {
          again = false;
          void load();
        }
      }
    })();
    return loading;
  };

  const render = (before = new Map()) => {
    const now = Date.now();
    replace(
      body,
      tickets.map((t) => {
        const clock = headlineClock(t.clocks, now);
        const risk = ticketRisk(t, now);
        const changed = before.size > 0 && before.get(t.id) !== t.clockVersion;
        const row = h(
          'tr',
          {
            class: `row-${risk}${changed ? ' flash' : ''}`,
            'data-ticket': `${t.integrationId}/${t.externalId}`,
            'data-risk': risk,
          },
          h('td', { 'data-label': 'Status', class: 'status-cell' }, riskBadge(risk)),
          h(
            'td',
            { 'data-label': 'Ticket' },
            h(
              'button',
              { type: 'button', class: 'link', onclick: () => openTicket(t.integrationId, t.externalId) },
              `#${t.externalId}`,
            ),
            h('span', { class: 'sub' }, t.integrationId, t.status ? ` · ${t.status}` : ''),
          ),
          h('td', { 'data-label': 'Tier' }, t.tier ?? '—'),
          h('td', { 'data-label': 'Priority' }, t.priority ?? '—'),
          h('td', { 'data-label': 'Next clock' }, clock ? metricLabel(clock.metric, clock.cycle) : '—'),
          h('td', { 'data-label': 'Due' }, dueCell(clock)),
          h('td', { 'data-label': 'Used', class: 'used-cell' }, meter(clock, now)),
        );
        row._clock = clock;
        row._ticket = t;
        return row;
      }),
    );
    more.hidden = !nextCursor;
    tick();
  };

  /** Each second: a row whose deadline just passed turns to breached (the countdowns tick on their own). */
  const tick = () => {
    const now = Date.now();
    for (const row of body.rows) {
      const clock = row._clock;
      if (!clock) continue;
      const risk = ticketRisk(row._ticket, now);
      if (row.dataset.risk !== risk) {
        row.dataset.risk = risk;
        row.className = `row-${risk}`;
        replace(row.querySelector('.status-cell'), riskBadge(risk));
        replace(row.querySelector('.used-cell'), meter(clock, now));
      }
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    filters = { ...data };
    pages = 1;
    void load();
  });
  more.addEventListener('click', () => {
    pages += 1;
    void load();
  });

  const reloadSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), Math.max(0, 1000 - (Date.now() - lastLoad)));
  };

  let ticking = null;
  let refreshing = null;
  return {
    show() {
      void load();
      ticking ??= setInterval(tick, 1000);
      refreshing ??= setInterval(() => void load(), 30_000);
    },
    hide() {
      clearInterval(ticking);
      clearInterval(refreshing);
      ticking = refreshing = null;
    },
    onEvent(type) {
      if (
        type === 'reset' ||
        type.startsWith('clock.') ||
        type.startsWith('step.') ||
        type === 'breach.withdrawn'
      )
        reloadSoon();
    },
  };
}

export function dueCell(clock) {
  if (!clock) return '—';
  if (!clock.deadline) return clock.noDeadlineReason ?? '—';
  const counting = clock.state === 'running' || (clock.state === 'breached' && !clock.stoppedAt);
  const left = clock.remainingMs;
  const countdown = h('span', { class: 'countdown' }, counting ? '' : clock.state);
  if (counting) {
    countdown.dataset.deadline = clock.deadline;
    countdownText(countdown, Date.now());
  }
  return h(
    'span',
    {},
    countdown,
    h(
      'span',
      { class: 'sub' },
      left === null || !counting
        ? ''
        : left >= 0
          ? `${duration(left)} business time left · `
          : `${duration(-left)} business time over · `,
      localWhen(clock.deadlineLocal, clock.timeZone),
    ),
  );
}

function countdownText(el, now) {
  const left = Date.parse(el.dataset.deadline) - now;
  el.textContent = left >= 0 ? `in ${clockFace(left)}` : `overdue ${clockFace(left)}`;
}

/** Every countdown on the page, once a second: wall-clock time to the deadline, which is exact whatever the calendar. */
export function tickCountdowns() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.countdown[data-deadline]')) countdownText(el, now);
}
