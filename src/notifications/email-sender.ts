import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { emailFor } from './email-message.js';
import type { NotificationFacts } from './notification-message.js';
import { PermanentSendError } from './send-errors.js';

type Transport = ReturnType<typeof createTransport>;

/**
 * E-mail over SMTP (SMTP_URL, from SMTP_FROM), plain text and HTML. An SMTP answer 5xx is permanent (the delivery
 * ends failed); 4xx, a timeout or a lost connection are tried again with backoff. Stored errors carry the SMTP code
 * or the error code only: never the URL (it holds the password) or the server's text.
 */
@Injectable()
export class EmailSender implements OnModuleDestroy {
  private transport: Transport | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(to: string[], facts: NotificationFacts[]): Promise<void> {
    const transport = this.open();
    const mail = emailFor(facts);
    try {
      await transport.sendMail({
        from: this.config.SMTP_FROM,
        to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
      });
    } catch (error) {
      const e = error as { responseCode?: number; code?: string };
      if (typeof e.responseCode === 'number') {
        const message = `smtp server answered ${e.responseCode}`;
        throw e.responseCode >= 500 ? new PermanentSendError(message) : new Error(message);
      }
      // eslint-disable-next-line preserve-caught-error -- the cause may quote the server or the connection URL
      throw new Error(`smtp ${typeof e.code === 'string' ? e.code : 'error'}`);
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  private open(): Transport {
    if (!this.config.SMTP_URL) throw new PermanentSendError('SMTP_URL is not set');
    const timeout = this.config.NOTIFY_TIMEOUT_SECONDS * 1000;
    this.transport ??= createTransport({
      url: this.config.SMTP_URL,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
      debug: false,
    });
    return this.transport;
  }
}
