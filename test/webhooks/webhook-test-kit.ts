import { signGeneric } from '../../src/webhooks/providers/generic-signature.js';
import type { TestApp } from '../support/test-app.js';

export const SECRET = 'generic-test-secret-0123456789';

/** Creates a generic integration with SECRET and returns its id. */
export async function createGenericIntegration(
  t: TestApp,
  id: string,
  mapping: object = {},
): Promise<string> {
  const res = await t
    .http()
    .post('/integrations')
    .send({ id, name: `Generic ${id}`, provider: 'generic', secret: SECRET, mapping })
    .expect(201);
  return res.body.id as string;
}

export interface CanonicalEventInput {
  eventId: string;
  ticketId: string;
  type?: 'ticket.created' | 'ticket.updated' | 'comment.created';
  occurredAt: string;
  createdAt?: string;
  status?: string;
  priority?: string;
  comment?: { id: string; public: boolean; authorRole: 'agent' | 'customer' | 'system' };
  actor?: { role: 'agent' | 'customer' | 'system'; id?: string };
}

export function canonicalEvent(e: CanonicalEventInput): Record<string, unknown> {
  return {
    eventId: e.eventId,
    type: e.type ?? 'ticket.created',
    occurredAt: e.occurredAt,
    ticket: {
      id: e.ticketId,
      createdAt: e.createdAt ?? e.occurredAt,
      status: e.status ?? 'new',
      priority: e.priority ?? 'high',
      customerId: 'acme',
    },
    ...(e.comment ? { comment: e.comment } : {}),
    ...(e.actor ? { actor: e.actor } : {}),
  };
}

/** POSTs a signed delivery exactly as a sender would (body bytes as given). */
export function postSigned(t: TestApp, integrationId: string, body: string | object, secret = SECRET) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return t
    .http()
    .post(`/webhooks/${integrationId}`)
    .set('content-type', 'application/json')
    .set(signGeneric(secret, raw))
    .send(raw);
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
