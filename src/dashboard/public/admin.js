import { api } from './api.js';
import { $, h, replace } from './dom.js';
import { duration, metricLabel, when } from './format.js';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const METRICS = ['reaction', 'first_response', 'resolution', 'next_response'];
const DAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Admins, read-only: tiers, calendars, the policy grid, ladders and integrations with their last delivery. */
export function adminView() {
  const load = async () => {
    const message = $('#admin-message');
    try {
      const [tiers, calendars, policies, ladders, integrations] = await Promise.all(
        ['/tiers', '/calendars', '/policies', '/ladders', '/integrations'].map((path) => api(path)),
      );
      message.textContent = '';
      const calendarNames = new Map(calendars.map((c) => [c.id, c.name]));
      replace($('#policy-grid'), policyGrid(tiers, policies, calendarNames));
      replace($('#tiers-table'), tiersTable(tiers));
      replace(
        $('#ladders-list'),
        ladders.length === 0 ? h('p', { class: 'message' }, 'No ladders.') : ladders.map(ladder),
      );
      replace($('#calendars-list'), calendars.map(calendar));
      const last = await Promise.all(
        integrations.map((i) =>
          api(`/webhooks/deliveries?integrationId=${encodeURIComponent(i.id)}&limit=1`).then(
            (rows) => rows[0] ?? null,
            () => null,
          ),
        ),
      );
      replace($('#integrations-table'), integrationsTable(integrations, last));
    } catch (error) {
      message.textContent = `The configuration could not be read: ${error.message}`;
    }
  };
  return { show: () => void load(), hide() {}, onEvent() {} };
}

function head(...labels) {
  return h(
    'thead',
    {},
    h(
      'tr',
      {},
      labels.map((l) => h('th', { scope: 'col' }, l)),
    ),
  );
}

/** Per tier and priority, the first active policy (by position) whose tier and priority conditions match. */
function policyGrid(tiers, policies, calendarNames) {
  const active = policies.filter((p) => p.active).sort((a, b) => a.position - b.position);
  const rows =
    tiers.length > 0 ? tiers.map((t) => ({ id: t.id, name: t.name })) : [{ id: null, name: 'any tier' }];
  return [
    h('caption', { class: 'visually-hidden' }, 'Targets by tier (rows) and priority (columns)'),
    head('Tier', ...PRIORITIES),
    h(
      'tbody',
      {},
      rows.map((tier) =>
        h(
          'tr',
          { 'data-tier': tier.id ?? '' },
          h('th', { scope: 'row' }, tier.name),
          PRIORITIES.map((priority) =>
            h('td', { 'data-priority': priority }, cell(active, tier.id, priority, calendarNames)),
          ),
        ),
      ),
    ),
  ];
}

function cell(policies, tier, priority, calendarNames) {
  const out = [];
  for (const p of policies) {
    const c = p.conditions ?? {};
    if (c.tiers?.length && (tier === null || !c.tiers.includes(tier))) continue;
    if (c.priorities?.length && !c.priorities.includes(priority)) continue;
    const extra = [
      c.groups?.length ? `group ${c.groups.join('/')}` : null,
      c.channels?.length ? `channel ${c.channels.join('/')}` : null,
      c.tagsAny?.length ? `tag ${c.tagsAny.join('/')}` : null,
    ].filter(Boolean);
    const targets = p.targets?.[priority] ?? {};
    out.push(
      h(
        'div',
        { class: 'policy-cell' },
        h('strong', {}, p.name),
        extra.length ? h('span', { class: 'sub' }, `only with ${extra.join(', ')}`) : null,
        Object.keys(targets).length === 0
          ? h('span', { class: 'sub' }, 'no targets')
          : h(
              'ul',
              { class: 'plain' },
              Object.entries(targets)
                .sort(([a], [b]) => METRICS.indexOf(a) - METRICS.indexOf(b))
                .map(([metric, t]) =>
                  h(
                    'li',
                    {},
                    `${metricLabel(metric)}: ${t.minutes ? duration(t.minutes * 60_000) : `${t.businessDays} business day(s)`}`,
                    h(
                      'span',
                      { class: 'sub' },
                      calendarNames.get(t.calendarId ?? '24x7') ?? t.calendarId ?? '24/7',
                    ),
                  ),
                ),
            ),
      ),
    );
    if (extra.length === 0) return out;
  }
  if (out.length === 0) out.push(h('span', { class: 'sub' }, 'no policy'));
  return out;
}

function tiersTable(tiers) {
  return [
    head('Tier', 'Name', 'Default'),
    h(
      'tbody',
      {},
      tiers.map((t) =>
        h(
          'tr',
          {},
          h('td', {}, h('code', {}, t.id)),
          h('td', {}, t.name, t.description ? h('span', { class: 'sub' }, t.description) : null),
          h('td', {}, t.isDefault ? 'yes' : ''),
        ),
      ),
    ),
  ];
}

function ladder(l) {
  return h(
    'div',
    { class: 'calendar' },
    h(
      'h4',
      {},
      l.name,
      ' ',
      h('span', { class: 'sub' }, `tiers: ${l.tiers.join(', ') || 'none'} · version ${l.version}`),
    ),
    h(
      'ol',
      { class: 'plain' },
      l.steps.map((s) =>
        h(
          'li',
          {},
          s.percent !== undefined
            ? `at ${s.percent} %`
            : s.breach
              ? 'at the breach'
              : `${duration(s.afterBreachMinutes * 60_000)} after the breach (${s.basis})`,
          ' → ',
          s.notify
            .map((r) => (r.type === 'channel' ? `channel ${r.id}` : `the ticket's ${r.type}`))
            .join(', '),
        ),
      ),
    ),
  );
}

function calendar(c) {
  const byDay = new Map();
  for (const w of c.weekly) byDay.set(w.day, [...(byDay.get(w.day) ?? []), `${w.start}–${w.end}`]);
  return h(
    'div',
    { class: 'calendar', 'data-calendar': c.id },
    h('h4', {}, c.name, ' ', h('span', { class: 'sub' }, `${c.id} · ${c.timeZone} · version ${c.version}`)),
    c.alwaysOpen
      ? h('p', {}, 'Open around the clock (24/7).')
      : h(
          'ul',
          { class: 'plain' },
          [1, 2, 3, 4, 5, 6, 7].map((d) =>
            h('li', {}, `${DAYS[d]}: ${(byDay.get(d) ?? ['closed']).join(', ')}`),
          ),
        ),
    c.holidays.length === 0
      ? null
      : h(
          'details',
          {},
          h('summary', {}, `${c.holidays.length} holidays`),
          h(
            'ul',
            { class: 'plain' },
            c.holidays.map((x) =>
              h(
                'li',
                {},
                `${x.date} ${x.name ?? ''}`,
                x.intervals?.length
                  ? ` (open ${x.intervals.map((i) => `${i.start}–${i.end}`).join(', ')})`
                  : ' (closed)',
              ),
            ),
          ),
        ),
  );
}

function integrationsTable(integrations, last) {
  return [
    head('Integration', 'Provider', 'Webhook URL', 'Last delivery'),
    h(
      'tbody',
      {},
      integrations.map((i, n) =>
        h(
          'tr',
          { 'data-integration': i.id },
          h('td', {}, i.name, h('span', { class: 'sub' }, i.id)),
          h('td', {}, i.provider),
          h('td', {}, h('code', {}, `${location.origin}${i.webhookPath}`)),
          h(
            'td',
            {},
            last[n] ? [when(last[n].receivedAt), h('span', { class: 'sub' }, last[n].status)] : 'none yet',
          ),
        ),
      ),
    ),
  ];
}
