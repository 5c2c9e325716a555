import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SecretBox } from '../../integrations/secret-box.js';
import {
  type StoredWriteBack,
  supportsWriteBack,
  type WriteBackAuth,
  writeBackAuthSchemas,
} from '../../integrations/write-back.schemas.js';
import type { ProviderName } from '../../webhooks/providers/provider-adapter.js';
import type { NotificationFacts } from '../notification-message.js';
import { PermanentSendError, RetryAfterError } from '../send-errors.js';
import { type HelpdeskApi, HelpdeskHttpError, type HelpdeskWriter } from './helpdesk-api.js';
import { HELPDESK_WRITERS } from './helpdesk-writers.js';
import { writeBackAction } from './writeback-action.js';

/** Longest Retry-After honoured; a helpdesk asking for more is asked again after this. */
const MAX_RETRY_AFTER_MS = 3_600_000;
const DEFAULT_RETRY_AFTER_MS = 5_000;

/**
 * Writes a delivery back to the ticket's helpdesk through its REST API, with the integration's write-back settings
 * (read fresh each time, credentials opened only here). A 4xx other than 408/429 ends the delivery failed with
 * the provider's message; 429 waits for Retry-After; anything else is retried with backoff. Credentials never
 * appear in an error: every value of them (and the header made from them) is cut out of the provider's message.
 */
@Injectable()
export class WriteBackSender {
  private readonly logger = new Logger(WriteBackSender.name);
  private readonly timeoutMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.timeoutMs = config.NOTIFY_TIMEOUT_SECONDS * 1000;
  }

  async send(facts: NotificationFacts): Promise<void> {
    const id = facts.ticket.integrationId;
    const rows: Array<{ provider: ProviderName; write_back: StoredWriteBack | null }> = await this.db.query(
      'SELECT provider, write_back FROM integrations WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (!row) throw new PermanentSendError(`integration "${id}" no longer exists`);
    const provider = row.provider;
    if (!row.write_back || !supportsWriteBack(provider))
      throw new PermanentSendError(
        `integration "${id}" has no write-back settings; set writeBack with PUT /integrations/${id}, then retry`,
      );
    let auth: WriteBackAuth;
    try {
      auth = writeBackAuthSchemas[provider].parse(JSON.parse(this.box.open(row.write_back.authSealed)));
    } catch (error) {
      throw new PermanentSendError(
        `cannot open the write-back credentials of integration "${id}": ENCRYPTION_KEY is not the key they were stored with`,
        { cause: error },
      );
    }
    const writer = HELPDESK_WRITERS[provider] as HelpdeskWriter<WriteBackAuth>;
    const headers = writer.headers(auth);
    const secrets = [...Object.values(auth), ...Object.values(headers)].filter((v) => v.length >= 4);
    // The admin id is not a secret, but nothing is lost by keeping it out of messages too.
    const api = this.api(provider, row.write_back.baseUrl, headers, secrets);
    const action = writeBackAction(facts, row.write_back.tags);
    try {
      await writer.apply(api, facts.ticket.externalId, action, auth);
    } catch (error) {
      const said = error instanceof HelpdeskHttpError ? error.message : scrub(String(error), secrets);
      this.logger.warn(`write-back to ticket ${facts.ticket.externalId} of "${id}" failed: ${said}`);
      if (!(error instanceof HelpdeskHttpError)) {
        const reason = scrub(error instanceof Error ? error.message : String(error), secrets);
        throw new Error(`${provider} write-back failed: ${reason}`, { cause: error });
      }
      if (error.status === 429)
        throw new RetryAfterError(error.message, error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
      if (error.status >= 400 && error.status < 500 && error.status !== 408)
        throw new PermanentSendError(error.message);
      throw error;
    }
  }

  private api(
    provider: string,
    baseUrl: string,
    headers: Record<string, string>,
    secrets: string[],
  ): HelpdeskApi {
    const timeoutMs = this.timeoutMs;
    return {
      async call(method, path, body, options) {
        const response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            ...headers,
            accept: 'application/json',
            'user-agent': 'sla-tracker',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text().catch(() => '');
        if (response.ok || options?.alsoOk?.includes(response.status)) return parseJson(text);
        const said = scrub(providerMessage(text), secrets);
        const where = `${method} ${path.split('?')[0]}`;
        throw new HelpdeskHttpError(
          response.status,
          said,
          retryAfterMs(response.headers.get('retry-after')),
          `${provider} answered HTTP ${response.status} to ${where}${said ? `: ${said}` : ''}`,
        );
      },
    };
  }
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * The error text each provider puts in its JSON body: Jira `errorMessages`/`errors`, Intercom and Freshdesk
 * `errors[].message`, Freshdesk and Zendesk `description`, Zammad `error_human`, else `message`/`error`.
 */
function providerMessage(text: string): string {
  const body = parseJson(text) as Record<string, unknown> | null;
  if (!body || typeof body !== 'object') return text.slice(0, 200);
  const pick = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
  const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : undefined);
  const errorObject =
    body.error && typeof body.error === 'object' ? (body.error as Record<string, unknown>) : {};
  const fromErrors = (): string | undefined => {
    const e = first(body.errors) as Record<string, unknown> | string | undefined;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object') {
      const field = pick(e.field);
      const message = pick(e.message) ?? pick(e.code);
      return message && field ? `${field}: ${message}` : message;
    }
    if (body.errors && typeof body.errors === 'object')
      return Object.entries(body.errors as Record<string, unknown>)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join('; ');
    return undefined;
  };
  return (
    pick(first(body.errorMessages)) ??
    pick(body.error_human) ??
    fromErrors() ??
    pick(body.description) ??
    pick(body.message) ??
    pick(errorObject.message) ??
    pick(errorObject.title) ??
    pick(body.error) ??
    ''
  );
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** The message without any credential value, control characters or excess length. */
function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out.replace(CONTROL_CHARACTERS, ' ').trim().slice(0, 300);
}

/** Retry-After in seconds or as an HTTP date, within 1 s and an hour; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header.trim());
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, ms));
}
