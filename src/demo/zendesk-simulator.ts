import { createHmac, randomUUID } from 'node:crypto';
import { DEMO_ZENDESK_SECRET } from './demo-setup.js';

type Status = 'NEW' | 'OPEN' | 'PENDING' | 'SOLVED';

export interface SimulatedTicket {
  id: string;
  tier: 'enterprise' | 'standard';
  priority: 'URGENT' | 'HIGH' | 'NORMAL' | 'LOW';
  subject: string;
  createdAt: Date;
  status: Status;
}

const REQUESTER = '8447388090495';
const AGENT = '1900000000001';

/**
 * A helpdesk that behaves like Zendesk: event-subscription webhooks (`zen:event-type:ticket.*`), signed as Zendesk
 * signs them (base64 HMAC-SHA256 over timestamp + body), posted to the demo's integration.
 */
export class ZendeskSimulator {
  constructor(private readonly webhookUrl: string) {}

  async created(ticket: SimulatedTicket): Promise<void> {
    await this.post(ticket, 'ticket.created', {}, ticket.createdAt);
  }

  async agentReply(
    ticket: SimulatedTicket,
    text: string,
    at = new Date(),
    status: Status = 'OPEN',
  ): Promise<void> {
    ticket.status = status;
    await this.post(ticket, 'ticket.comment_added', { comment: comment(text, AGENT, 'Ada Agent', true) }, at);
  }

  async customerReply(ticket: SimulatedTicket, text: string, at = new Date()): Promise<void> {
    ticket.status = 'OPEN';
    await this.post(
      ticket,
      'ticket.comment_added',
      { comment: comment(text, REQUESTER, 'Chris Customer', false) },
      at,
    );
  }

  async status(ticket: SimulatedTicket, status: Status, at = new Date()): Promise<void> {
    const previous = ticket.status;
    ticket.status = status;
    await this.post(ticket, 'ticket.status_changed', { current: status, previous }, at);
  }

  private async post(ticket: SimulatedTicket, event: string, detailEvent: object, at: Date): Promise<void> {
    const body = JSON.stringify({
      account_id: 22129848,
      detail: {
        actor_id: event === 'ticket.created' ? REQUESTER : AGENT,
        assignee_id: event === 'ticket.created' ? '' : AGENT,
        created_at: ticket.createdAt.toISOString(),
        id: ticket.id,
        priority: ticket.priority,
        requester_id: REQUESTER,
        status: ticket.status,
        subject: ticket.subject,
        tags: [`tier_${ticket.tier}`, 'demo'],
        type: 'INCIDENT',
        updated_at: at.toISOString(),
        via: { channel: 'web_form' },
      },
      event: detailEvent,
      id: randomUUID(),
      subject: `zen:ticket:${ticket.id}`,
      time: at.toISOString(),
      type: `zen:event-type:${event}`,
      zendesk_event_version: '2022-11-06',
    });
    const timestamp = new Date().toISOString();
    const signature = createHmac('sha256', DEMO_ZENDESK_SECRET)
      .update(timestamp + body)
      .digest('base64');
    const res = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-zendesk-webhook-signature': signature,
        'x-zendesk-webhook-signature-timestamp': timestamp,
      },
      body,
    });
    if (res.status !== 202)
      throw new Error(`the demo webhook was answered ${res.status}: ${await res.text()}`);
  }
}

function comment(body: string, authorId: string, name: string, isStaff: boolean) {
  return { id: randomUUID(), body, is_public: true, author: { id: authorId, is_staff: isStaff, name } };
}
