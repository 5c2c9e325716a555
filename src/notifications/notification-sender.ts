import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { OpenChannel } from './channels.service.js';
import { EmailSender } from './email-sender.js';
import { type NotificationFacts, signature, slackBody, webhookBody } from './notification-message.js';
import { PermanentSendError } from './send-errors.js';
import { WriteBackSender } from './writeback/writeback-sender.js';

export { PermanentSendError, RetryAfterError } from './send-errors.js';

/** Sends one delivery to one channel (over HTTP; e-mail by EmailSender); throws on anything but a 2xx. */
@Injectable()
export class NotificationSender {
  private readonly timeoutMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly writeBack: WriteBackSender,
    private readonly email: EmailSender,
  ) {
    this.timeoutMs = config.NOTIFY_TIMEOUT_SECONDS * 1000;
  }

  async send(channel: OpenChannel, facts: NotificationFacts): Promise<void> {
    if (channel.type === 'helpdesk') return this.writeBack.send(facts);
    if (channel.type === 'email') return this.email.send(channel.to ?? [], [facts]);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'sla-tracker',
      'idempotency-key': facts.idempotencyKey,
    };
    let body: string;
    if (channel.type === 'webhook') {
      body = JSON.stringify(webhookBody(facts));
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers['x-sla-timestamp'] = timestamp;
      headers['x-signature-256'] = signature(channel.secret ?? '', timestamp, body);
    } else {
      body = JSON.stringify(slackBody(facts));
    }
    const response = await fetch(channel.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.ok) return;
    // The receiver's text may echo what we sent; keep only its status in the stored error.
    const message = `${channel.type} receiver answered HTTP ${response.status}`;
    const permanent =
      response.status >= 400 && response.status < 500 && ![408, 429].includes(response.status);
    throw permanent ? new PermanentSendError(message) : new Error(message);
  }
}
