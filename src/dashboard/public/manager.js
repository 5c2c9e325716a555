import { api, query } from './api.js';
import { $, h, replace } from './dom.js';
import { duration, metricLabel, percent, when } from './format.js';
import { trendChart } from './chart.js';
import { dueCell } from './queue.js';
import { headlineClock, meter, riskBadge, ticketRisk } from './risk.js';
import { openTicket } from './ticket.js';

const DAY = 86_400_000;

/** Managers: breaches to acknowledge, the tickets most at risk now, and compliance for a period with its trend. */
export function managerView() {
  const form = $('#compliance-form');
  const today = new Date();
  form.elements.to.value = isoDate(today);
  form.elements.from.value = isoDate(new Date(today.getTime() - 29 * DAY));

  const loadBreaches = async () => {
    const message = $('#breaches-message');
    try {
      const page = await api('/breaches?acknowledged=false&limit=100');
      const items = Array.isArray(page) ? page : (page.items ?? []);
      message.textContent = items.length === 0 ? 'No breach waits for an acknowledgement.' : '';
      replace($('#breaches-table tbody'), items.map(breachRow));
    } catch (error) {
      message.textContent = `Breaches could not be read: ${error.message}`;
    }
  };

  const breachRow = (b) => {
    const action = h('td', {});
    const ack = h(
      'button',
      {
        type: 'button',
        'aria-label': `Acknowledge the ${metricLabel(b.metric)} breach of ticket ${b.ticket.externalId}`,
      },
      'Acknowledge',
    );
    ack.addEventListener('click', async () => {
      ack.disabled = true;
      try {
        const done = await api(`/breaches/${encodeURIComponent(b.id)}/ack`, { method: 'POST', body: {} });
        replace(action, h('span', { role: 'status' }, `Acknowledged by ${done.acknowledgedBy ?? 'you'}`));
      } catch (error) {
        ack.disabled = false;
        replace(action, ack, h('span', { class: 'error', role: 'alert' }, ` ${error.message}`));
      }
    });
    action.append(ack);
    return h(
      'tr',
      { 'data-breach': b.id, 'data-ticket': `${b.ticket.integrationId}/${b.ticket.externalId}` },
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => openTicket(b.ticket.integrationId, b.ticket.externalId),
          },
          `#${b.ticket.externalId}`,
        ),
      ),
      h(
        'td',
        {},
        metricLabel(b.metric, b.cycle),
        b.late ? h('span', { class: 'sub' }, 'recorded late') : null,
      ),
      h('td', {}, b.ticket.tier ?? '—'),
      h('td', {}, b.ticket.priority ?? '—'),
      h('td', {}, when(b.deadline)),
      action,
    );
  };

  const loadAtRisk = async () => {
    try {
      const page = await api('/tickets?atRisk=75&limit=100');
      const now = Date.now();
      const worst = (t) =>
        Math.max(
          ...t.clocks.map((c) =>
            (c.state === 'running' || c.state === 'breached') && !c.stoppedAt ? (c.percentUsed ?? 0) : 0,
          ),
        );
      const items = [...page.items].sort((a, b) => worst(b) - worst(a)).slice(0, 10);
      replace(
        $('#at-risk-table tbody'),
        items.length === 0
          ? h('tr', {}, h('td', { colspan: 6 }, 'Nothing at 75 % or more.'))
          : items.map((t) => {
              const clock = headlineClock(t.clocks, now);
              return h(
                'tr',
                { 'data-ticket': `${t.integrationId}/${t.externalId}` },
                h('td', {}, riskBadge(ticketRisk(t, now))),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link',
                      onclick: () => openTicket(t.integrationId, t.externalId),
                    },
                    `#${t.externalId}`,
                  ),
                ),
                h('td', {}, t.tier ?? '—'),
                h('td', {}, t.priority ?? '—'),
                h('td', {}, dueCell(clock)),
                h('td', {}, meter(clock, now)),
              );
            }),
      );
    } catch {
      // The breaches and compliance say enough; the next event tries again.
    }
  };

  const loadCompliance = async () => {
    const message = $('#compliance-message');
    const data = Object.fromEntries(new FormData(form));
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // Local midnight to local midnight after the last day: the period a person means by those dates.
    const from = new Date(`${data.from}T00:00:00`);
    const to = new Date(new Date(`${data.to}T00:00:00`).getTime() + DAY);
    if (!(from < to)) {
      message.textContent = 'Choose a start date on or before the end date.';
      return;
    }
    const range = { from: from.toISOString(), to: to.toISOString(), timeZone };
    message.textContent = 'Loading…';
    try {
      const [report, trend] = await Promise.all([
        api(`/reports/compliance${query({ ...range, groupBy: 'tier,priority' })}`),
        api(`/reports/compliance/trend${query({ ...range, interval: data.interval })}`),
      ]);
      message.textContent = '';
      replace(
        $('#compliance-table tbody'),
        report.rows.length === 0
          ? h('tr', {}, h('td', { colspan: 8 }, 'No clocks in this period.'))
          : report.rows.map((r) =>
              h(
                'tr',
                {},
                h('td', {}, r.group.tier ?? '(none)'),
                h('td', {}, r.group.priority ?? '(none)'),
                h('td', {}, r.met),
                h('td', {}, r.breached),
                h('td', {}, r.inProgress),
                h('td', {}, percent(r.achievedPercent)),
                h('td', {}, duration(r.businessMs.median)),
                h('td', {}, duration(r.businessMs.p90)),
              ),
            ),
      );
      const points = trend.rows.map((r) => ({
        metric: r.group.metric,
        period: r.group[data.interval],
        value: r.achievedPercent,
      }));
      replace($('#trend-chart'), trendChart(points));
    } catch (error) {
      message.textContent = `The report could not be read: ${error.message}`;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadCompliance();
  });

  let timer = null;
  let riskTimer = null;
  return {
    show() {
      void loadBreaches();
      void loadAtRisk();
      void loadCompliance();
    },
    hide() {},
    onEvent(type) {
      if (
        type === 'step.breach' ||
        type === 'breach.acknowledged' ||
        type === 'breach.withdrawn' ||
        type === 'reset'
      ) {
        clearTimeout(timer);
        timer = setTimeout(() => void loadBreaches(), 300);
      }
      if (type === 'clock.changed' || type.startsWith('step.')) {
        clearTimeout(riskTimer);
        riskTimer = setTimeout(() => void loadAtRisk(), 1000);
      }
    },
  };
}

function isoDate(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
