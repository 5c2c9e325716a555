/**
 * The demo's SLA setup, small enough to read: two tiers, a policy per tier with targets of a minute or two (so
 * that warnings, breaches and escalations happen while you watch), a ladder for enterprise, a signed webhook
 * channel and a Slack-compatible one pointing at the demo's own receiver, and a Zendesk integration.
 */
export const DEMO_ZENDESK_SECRET = 'demo-zendesk-signing-secret-0123456789';
export const DEMO_WEBHOOK_SECRET = 'demo-webhook-signing-secret-0123456789';

type Api = (method: string, path: string, body?: unknown) => Promise<unknown>;

export async function applyDemoSetup(api: Api, receiverUrl: string): Promise<void> {
  await api('PUT', '/tiers/enterprise', { name: 'Enterprise' });
  await api('PUT', '/tiers/standard', { name: 'Standard', isDefault: true });
  await api('PUT', '/channels/ops-webhook', {
    type: 'webhook',
    name: 'Ops webhook (the demo receiver)',
    url: `${receiverUrl}/ops`,
    secret: DEMO_WEBHOOK_SECRET,
    subscribe: { kinds: ['warning', 'breach'] },
  });
  await api('PUT', '/channels/team-slack', {
    type: 'slack',
    name: 'Team Slack (the demo receiver)',
    url: `${receiverUrl}/slack/T000/B000/demo`,
    subscribe: { kinds: [] },
  });
  await api('PUT', '/ladders/enterprise', {
    name: 'Enterprise escalation',
    tiers: ['enterprise'],
    steps: [
      { percent: 90, notify: [{ type: 'channel', id: 'team-slack' }] },
      { breach: true, notify: [{ type: 'channel', id: 'team-slack' }] },
      { afterBreachMinutes: 1, basis: 'calendar', notify: [{ type: 'channel', id: 'team-slack' }] },
    ],
  });
  const fast = { minutes: 1, warnAtPercent: [50, 75] };
  await api('PUT', '/policies/enterprise', {
    name: 'Enterprise',
    position: 0,
    conditions: { tiers: ['enterprise'] },
    targets: {
      urgent: { first_response: fast, resolution: { minutes: 3 } },
      high: { first_response: { minutes: 2, warnAtPercent: [75] }, resolution: { minutes: 5 } },
      normal: { first_response: { minutes: 3 }, resolution: { minutes: 10 } },
      low: { first_response: { minutes: 5 }, resolution: { minutes: 20 } },
    },
  });
  await api('PUT', '/policies/standard', {
    name: 'Standard',
    position: 1,
    targets: {
      urgent: { first_response: { minutes: 2, warnAtPercent: [75] }, resolution: { minutes: 10 } },
      high: { first_response: { minutes: 3 }, resolution: { minutes: 15 } },
      normal: { first_response: { minutes: 5 }, resolution: { minutes: 30 } },
      low: { first_response: { minutes: 10 }, resolution: { minutes: 60 } },
    },
  });
  await api('POST', '/integrations', {
    id: 'demo-zendesk',
    name: 'Demo Zendesk',
    provider: 'zendesk',
    secret: DEMO_ZENDESK_SECRET,
    mapping: { defaultPriority: 'normal', tier: { source: 'tag', tagPrefix: 'tier_' } },
  });
}
