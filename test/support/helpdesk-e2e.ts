import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from './test-app.js';

/**
 * End-to-end kit for the real-helpdesk tests: fixture deliveries signed the way each provider signs them
 * (test/fixtures/README.md), posted over HTTP, and waited for through the deliveries and tickets APIs.
 */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export type HelpdeskProvider = 'zendesk' | 'freshdesk' | 'jira' | 'zammad' | 'intercom';

export type Credential =
  | { kind: 'hmac'; secret: string }
  | { kind: 'basicAuth'; username: string; password: string }
  | { kind: 'secretHeader'; name: string; value: string };

export interface FixtureSequence {
  provider: string;
  ticketId: string;
  files: string[];
  expected: { status: string; priority: string; customerId?: string; events?: number };
  clockFacts: string[];
}

export interface Delivery {
  /** The fixture file (for messages). */
  file: string;
  /** The exact bytes the helpdesk sends (and signs). */
  body: Buffer;
  /** The provider's delivery id header value, for providers that send one (stable across retries). */
  deliveryId?: string;
}

export function loadSequence(
  provider: HelpdeskProvider,
  name = 'sequence.json',
): { sequence: FixtureSequence; deliveries: Delivery[] } {
  const sequence = JSON.parse(readFileSync(join(FIXTURES, provider, name), 'utf8')) as FixtureSequence;
  const deliveries = sequence.files.map((file, i) => ({
    file,
    body: readFileSync(join(FIXTURES, provider, file)),
    deliveryId: `${provider}-${name.replace(/\.json$/, '')}-${i + 1}`,
  }));
  return { sequence, deliveries };
}

const hex = (algorithm: 'sha1' | 'sha256', secret: string, ...parts: Array<string | Buffer>) => {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};

/**
 * The headers each helpdesk sends with a delivery, signed with the provider's documented algorithm:
 * Zendesk base64 HMAC-SHA256 over timestamp + body; Jira `sha256=` hex HMAC of the body; Zammad and Intercom
 * `sha1=` hex HMAC of the body; Freshdesk basic auth or a secret header (it does not sign).
 */
export function providerHeaders(
  provider: HelpdeskProvider,
  credential: Credential,
  delivery: Delivery,
  now = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const { body, deliveryId } = delivery;
  if (credential.kind === 'basicAuth') {
    headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
    return headers;
  }
  if (credential.kind === 'secretHeader') {
    headers[credential.name] = credential.value;
    return headers;
  }
  const secret = credential.secret;
  switch (provider) {
    case 'zendesk': {
      const timestamp = now.toISOString();
      headers['x-zendesk-webhook-signature-timestamp'] = timestamp;
      headers['x-zendesk-webhook-signature'] = createHmac('sha256', secret)
        .update(timestamp)
        .update(body)
        .digest('base64');
      headers['x-zendesk-webhook-id'] = '01HQZ5E2WEBHOOK';
      if (deliveryId) headers['x-zendesk-webhook-invocation-id'] = deliveryId;
      return headers;
    }
    case 'jira':
      headers['x-hub-signature'] = `sha256=${hex('sha256', secret, body)}`;
      if (deliveryId) headers['x-atlassian-webhook-identifier'] = deliveryId;
      return headers;
    case 'zammad':
      headers['x-hub-signature'] = `sha1=${hex('sha1', secret, body)}`;
      if (deliveryId) headers['x-zammad-delivery'] = deliveryId;
      return headers;
    case 'intercom':
      headers['x-hub-signature'] = `sha1=${hex('sha1', secret, body)}`;
      return headers;
    case 'freshdesk':
      throw new Error('Freshdesk does not sign; use basic auth or a secret header');
  }
}

/** The integration body for POST /integrations with the provider's real credential type. */
export function integrationBody(
  id: string,
  provider: HelpdeskProvider,
  credential: Credential,
  mapping: object,
): Record<string, unknown> {
  const body: Record<string, unknown> = { id, name: `${provider} ${id}`, provider, mapping };
  if (credential.kind === 'hmac') body.secret = credential.secret;
  if (credential.kind === 'basicAuth')
    body.basicAuth = { username: credential.username, password: credential.password };
  if (credential.kind === 'secretHeader')
    body.secretHeader = { name: credential.name, value: credential.value };
  return body;
}

export interface PostedAnswer {
  file: string;
  status: number;
  duplicate: boolean;
}

/** POSTs one delivery with fresh signature headers; answers the HTTP status and the inbox's duplicate flag. */
export async function postDelivery(
  t: TestApp,
  integrationId: string,
  provider: HelpdeskProvider,
  credential: Credential,
  delivery: Delivery,
): Promise<PostedAnswer> {
  const res = await t
    .http()
    .post(`/webhooks/${integrationId}`)
    .set(providerHeaders(provider, credential, delivery))
    // A string, so that supertest sends the bytes as they are (a Buffer would be JSON-encoded).
    .send(delivery.body.toString('utf8'));
  if (res.status !== 202) {
    throw new Error(`${delivery.file}: expected 202, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { file: delivery.file, status: res.status, duplicate: Boolean(res.body.duplicate) };
}

interface DeliveryRow {
  id: string;
  status: string;
  lastError: string | null;
}

/**
 * Polls until the integration's inbox holds `count` deliveries, all processed, and the ticket reads back
 * with the expected final status; fails fast on a dead letter. No fixed sleeps.
 */
export async function waitForTicket(
  t: TestApp,
  integrationId: string,
  externalId: string,
  count: number,
  finalStatus: string,
  timeoutMs = 20_000,
): Promise<TicketBody> {
  const http = () => t.http();
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const inbox = await http().get(`/webhooks/deliveries?integrationId=${integrationId}&limit=500`);
    const rows = inbox.body as DeliveryRow[];
    const dead = rows.find((r) => r.status === 'dead');
    if (dead) throw new Error(`delivery ${dead.id} is dead: ${dead.lastError}`);
    if (rows.length === count && rows.every((r) => r.status === 'processed')) {
      const ticket = await http().get(`/tickets/${integrationId}/${externalId}`);
      if (ticket.status === 200 && ticket.body.status === finalStatus) return ticket.body as TicketBody;
      last = `ticket ${ticket.status} ${JSON.stringify(ticket.body?.status)}`;
    } else {
      last = `inbox ${JSON.stringify(rows.map((r) => `${r.status}${r.lastError ? `(${r.lastError})` : ''}`))}`;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${integrationId}/${externalId}: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ClockBody {
  metric: string;
  cycle: number;
  state: string;
  policyId: string | null;
  calendarId: string | null;
  startedAt: string;
  deadline: string | null;
  stoppedAt: string | null;
  targetMs: number | null;
  usedMs: number;
  pausedIntervals: Array<{ from: string; to: string | null; status: string }>;
  breachedAt: string | null;
  [key: string]: unknown;
}

export interface TicketBody {
  externalId: string;
  status: string;
  priority: string;
  tier: string | null;
  removed: string | null;
  policyId: string | null;
  createdAt: string | null;
  clocks: ClockBody[];
  [key: string]: unknown;
}

/** The clock fields a test pins, in a compact, readable shape. */
export function summary(c: ClockBody) {
  return {
    state: c.state,
    startedAt: c.startedAt,
    stoppedAt: c.stoppedAt,
    targetMs: c.targetMs,
    usedMs: c.usedMs,
    deadline: c.deadline,
    breachedAt: c.breachedAt,
    pausedIntervals: c.pausedIntervals,
  };
}

/**
 * The ticket's clocks without what legitimately differs between two integrations fed the same history: when a
 * breach was detected or withdrawn, and the warnings and breaches recorded on the way with the log that shows them
 * (receipt-dependent: a backfilled ticket is judged as its events arrive), and the live used/remaining values of
 * clocks still counting.
 */
export function comparableClocks(ticket: TicketBody): Array<Record<string, unknown>> {
  const volatile = new Set(['breachDetectedAt', 'breachWithdrawnAt', 'steps', 'log']);
  const live = new Set(['usedMs', 'remainingMs', 'percentUsed']);
  return ticket.clocks
    .map((c) =>
      Object.fromEntries(
        Object.entries(c).filter(([key]) => !volatile.has(key) && !(c.stoppedAt === null && live.has(key))),
      ),
    )
    .sort((a, b) =>
      `${String(a.metric)}:${String(a.cycle)}`.localeCompare(`${String(b.metric)}:${String(b.cycle)}`),
    );
}

/** Deterministic shuffle (reproducible failures). */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ----------------------------------------------------------------------------------------------
// The SLA configuration every helpdesk test runs against, created over the admin API.
// ----------------------------------------------------------------------------------------------

export const MINUTE = 60_000;

/** London office hours (UTC in November): Mon–Fri 09:00–17:00. 2026-11-20 is a Friday. */
export const OFFICE = {
  id: 'office',
  name: 'Office',
  timeZone: 'Europe/London',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '17:00' })),
};

/**
 * Reaction, first response and next response run 24/7, resolution in office hours. Targets differ per
 * priority so that re-selection after a priority change is visible in targetMs.
 */
export const TARGETS = {
  urgent: {
    reaction: { minutes: 10 },
    first_response: { minutes: 30 },
    next_response: { minutes: 120 },
    resolution: { minutes: 240, calendarId: 'office' },
  },
  high: {
    reaction: { minutes: 15 },
    first_response: { minutes: 60 },
    next_response: { minutes: 120 },
    resolution: { minutes: 480, calendarId: 'office' },
  },
  normal: {
    reaction: { minutes: 30 },
    first_response: { minutes: 20 },
    next_response: { minutes: 120 },
    resolution: { minutes: 960, calendarId: 'office' },
  },
  low: {
    reaction: { minutes: 60 },
    first_response: { minutes: 240 },
    next_response: { minutes: 240 },
    resolution: { minutes: 1920, calendarId: 'office' },
  },
};

/**
 * Tiers standard (default), business and enterprise; the office calendar; one policy per tier (the tier
 * decides the policy, so a broken tier mapping shows as the wrong policyId) plus a catch-all with other targets.
 */
export async function configureSla(t: TestApp): Promise<void> {
  const http = () => t.http();
  await http().post('/tiers').send({ id: 'standard', name: 'Standard', isDefault: true }).expect(201);
  await http().post('/tiers').send({ id: 'business', name: 'Business' }).expect(201);
  await http().post('/tiers').send({ id: 'enterprise', name: 'Enterprise' }).expect(201);
  await http().post('/calendars').send(OFFICE).expect(201);
  for (const [position, tier] of [
    [10, 'enterprise'],
    [20, 'business'],
  ] as const) {
    await http()
      .post('/policies')
      .send({ id: tier, name: tier, position, conditions: { tiers: [tier] }, targets: TARGETS })
      .expect(201);
  }
  const lax = {
    reaction: { minutes: 6000 },
    first_response: { minutes: 6000 },
    resolution: { minutes: 60000 },
  };
  await http()
    .post('/policies')
    .send({
      id: 'catch-all',
      name: 'Catch-all',
      position: 100,
      targets: { urgent: lax, high: lax, normal: lax, low: lax },
    })
    .expect(201);
}

/** Creates an integration over the admin API with the provider's real credential type. */
export async function createIntegration(
  t: TestApp,
  id: string,
  provider: HelpdeskProvider,
  credential: Credential,
  mapping: object,
): Promise<void> {
  await t
    .http()
    .post('/integrations')
    .send(integrationBody(id, provider, credential, mapping))
    .expect(201);
}

/** Posts the deliveries one after another, in the helpdesk's order; answers how many the inbox holds. */
export async function deliverInOrder(
  t: TestApp,
  integrationId: string,
  provider: HelpdeskProvider,
  credential: Credential,
  deliveries: readonly Delivery[],
): Promise<number> {
  for (const d of deliveries) await postDelivery(t, integrationId, provider, credential, d);
  return deliveries.length;
}

/**
 * Posts the deliveries shuffled and all at once, plus duplicates: `duplicates` are sent again with the same
 * bytes (and, for providers with a delivery-id header, the same id: the inbox answers `duplicate`), `resends`
 * again with the same bytes under a new delivery id (a helpdesk re-sending as a new delivery: stored, and
 * deduped per event). Answers the inbox size to wait for and the number of `duplicate` answers.
 */
export async function deliverShuffled(
  t: TestApp,
  integrationId: string,
  provider: HelpdeskProvider,
  credential: Credential,
  deliveries: readonly Delivery[],
  options: { seed: number; duplicates: number[]; resends?: number[] },
): Promise<{ stored: number; duplicateAnswers: number }> {
  const pick = (i: number) => {
    const d = deliveries[i];
    if (!d) throw new Error(`no delivery #${i}`);
    return d;
  };
  const resends = (options.resends ?? []).map((i) => ({
    ...pick(i),
    deliveryId: `${pick(i).deliveryId}-resent`,
  }));
  const mixed = shuffle([...deliveries, ...options.duplicates.map(pick), ...resends], options.seed);
  const answers = await Promise.all(
    mixed.map((d) => postDelivery(t, integrationId, provider, credential, d)),
  );
  return {
    stored: deliveries.length + resends.length,
    duplicateAnswers: answers.filter((a) => a.duplicate).length,
  };
}

/** `2026-11-20T<hh:mm[:ss.mmm]>Z`, the fixtures' day (a Friday), as the API prints it. */
export function at(time: string, day = '2026-11-20'): string {
  return new Date(`${day}T${time}Z`).toISOString();
}

export const minutes = (m: number): number => m * MINUTE;

/** Every clock of the ticket in its pinned shape, keyed `metric` (or `next_response#<cycle>`). */
export function clocksByKey(ticket: TicketBody): Record<string, ReturnType<typeof summary>> {
  return Object.fromEntries(
    ticket.clocks.map((c) => [
      c.metric === 'next_response' ? `next_response#${c.cycle}` : c.metric,
      summary(c),
    ]),
  );
}
