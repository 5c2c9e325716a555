import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { logOutage, toErrorResponse } from '../common/http-exception.filter.js';
import { webhookRateLimit } from '../common/http-hardening.js';
import { IntegrationSettingsService } from '../integrations/integration-settings.service.js';
import { VerifierBusyError } from '../integrations/secret-verifier.js';
import { FailureLimiter, verifyDelivery } from './credential-check.js';
import { InboxWriter } from './inbox-writer.js';
import { adapterFor } from './providers/index.js';
import type { IntegrationSettings, RawDelivery, VerifyResult } from './providers/provider-adapter.js';
import { RejectionRecorder } from './rejection-recorder.js';
import { needsCleaning } from './providers/shared/clean-text.js';
import { parseJsonBody } from './providers/shared/json.js';
import { storableHeaders } from './storable-headers.js';

export const WEBHOOK_ROUTE = '/webhooks/:integrationId';

type WebhookRequest = FastifyRequest<{ Params: { integrationId: string } }> & {
  integration?: IntegrationSettings;
};

/** A rejection with a stable code; nothing is stored but (for known integrations) a compact audit row. */
class Rejected extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/**
 * `POST /webhooks/:integrationId`, the hot path, registered as a plain Fastify route in its own
 * encapsulated scope rather than a Nest controller: no guards, pipes or interceptors to run, its own
 * content-type parser that keeps the raw bytes (signatures are over exact bytes) for every content type,
 * while every other route keeps Nest's JSON parsing. Checks, in order:
 *   unknown integration 404 (onRequest, before the body is read) → body limit 413 → signature/auth 401
 *   (429 once a client address has failed WEBHOOK_AUTH_FAILURE_LIMIT times in the window for this integration)
 *   → empty body 400 → content type 415 → malformed JSON 400 → durable insert (group commit) → 202.
 * Webhooks authenticate by their integration's credentials, not by API key: public on purpose.
 */
@Injectable()
export class WebhookIngress implements OnModuleInit {
  private readonly logger = new Logger(WebhookIngress.name);
  private readonly failures: FailureLimiter;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly settings: IntegrationSettingsService,
    private readonly inbox: InboxWriter,
    private readonly rejections: RejectionRecorder,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.failures = new FailureLimiter(
      config.WEBHOOK_AUTH_FAILURE_LIMIT,
      config.WEBHOOK_AUTH_FAILURE_WINDOW_SECONDS * 1000,
    );
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const bodyLimit = this.config.WEBHOOK_BODY_LIMIT_BYTES;
    void fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) =>
        done(null, body),
      );
      scope.setErrorHandler((error, request, reply) => this.reject(request as WebhookRequest, reply, error));
      scope.route({
        method: 'POST',
        url: WEBHOOK_ROUTE,
        bodyLimit,
        // Machine-to-machine: no browser reads these answers, so no security headers or CORS work per delivery.
        config: { ...webhookRateLimit(this.config), cors: false, securityHeaders: false },
        onRequest: (request, reply) => this.identify(request as WebhookRequest, reply),
        handler: (request, reply) => this.accept(request as WebhookRequest, reply),
      });
    });
  }

  /** Unknown integrations are turned away before their body is read. */
  private async identify(request: WebhookRequest, reply: FastifyReply): Promise<void> {
    const integrationId = request.params.integrationId;
    const integration = await this.settings.get(integrationId);
    if (!integration) {
      throw new Rejected(
        404,
        'unknown_integration',
        `No integration "${integrationId}". Check the webhook URL.`,
      );
    }
    request.integration = integration;
    void reply;
  }

  private async accept(request: WebhookRequest, reply: FastifyReply): Promise<unknown> {
    const integration = request.integration!;
    const adapter = adapterFor(integration.provider);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const delivery: RawDelivery = {
      headers: request.headers as RawDelivery['headers'],
      body,
      receivedAt: Date.now(),
    };
    await this.authenticate(request, delivery, integration);
    if (body.length === 0) throw new Rejected(400, 'empty_body', 'The body is empty. Send a JSON document.');
    if (!isJson(request.headers['content-type'])) {
      throw new Rejected(415, 'unsupported_media_type', 'Unsupported Content-Type. Send application/json.');
    }
    let payload: unknown;
    try {
      payload = parseJsonBody(body);
    } catch {
      throw new Rejected(400, 'malformed_json', 'The body is not valid JSON. Send a JSON document.');
    }
    const receipt = await this.inbox.write({
      integrationId: integration.id,
      deliveryKey: deliveryKey(adapter.deliveryId(delivery, payload), body),
      receivedAt: delivery.receivedAt,
      headers: storableHeaders(request.headers, integration.credentials.secretHeaderName),
      body,
    });
    this.metrics.webhookDeliveries.inc({
      provider: integration.provider,
      outcome: receipt.duplicate ? 'duplicate' : 'accepted',
    });
    return reply.code(202).send({ accepted: true, deliveryId: receipt.id, duplicate: receipt.duplicate });
  }

  /**
   * The credentials check, with the failure limit per integration and client address. A client over the limit is
   * answered 429 without hashing anything, unless it presents credentials already verified recently (or a valid
   * signature, which costs nothing): a helpdesk sharing its address with a misbehaving sender keeps delivering.
   */
  private async authenticate(
    request: WebhookRequest,
    delivery: RawDelivery,
    integration: IntegrationSettings,
  ): Promise<void> {
    const key = `${integration.id}\n${request.ip}`;
    const blockedMs = this.failures.blockedFor(key, delivery.receivedAt);
    let verified: VerifyResult;
    try {
      verified = await verifyDelivery(adapterFor(integration.provider), delivery, integration, {
        cachedOnly: blockedMs > 0,
      });
    } catch (error) {
      if (error instanceof VerifierBusyError) throw new Rejected(503, 'verification_busy', error.message, 1);
      throw error;
    }
    if (verified.ok) return;
    if (blockedMs > 0) {
      const seconds = Math.ceil(blockedMs / 1000);
      throw new Rejected(
        429,
        'too_many_failed_attempts',
        `Too many deliveries with wrong credentials from this address for integration "${integration.id}". ` +
          `Fix the credentials and retry in ${seconds} s.`,
        seconds,
      );
    }
    this.failures.fail(key, delivery.receivedAt);
    throw new Rejected(401, verified.error, verified.message);
  }

  private reject(request: WebhookRequest, reply: FastifyReply, error: unknown): FastifyReply {
    let status: number;
    let body: { error: string; message: string; correlationId?: string };
    if (error instanceof Rejected) {
      status = error.status;
      body = { error: error.code, message: error.message };
      if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
    } else {
      let retryAfter: number | undefined;
      ({ status, body, retryAfter } = toErrorResponse(error));
      if (status === 413)
        body.message = `The body is larger than ${this.config.WEBHOOK_BODY_LIMIT_BYTES} bytes.`;
      if (retryAfter !== undefined) {
        // Not stored: every helpdesk retries a 503, and the delivery is accepted once PostgreSQL is back.
        void reply.header('retry-after', String(retryAfter));
        logOutage(this.logger, error);
      } else if (status >= 500) {
        body.correlationId = request.id;
        this.logger.error({
          requestId: request.id,
          integrationId: request.params.integrationId,
          err: String((error as Error)?.stack ?? error),
        });
      }
    }
    (body as { requestId?: string }).requestId = request.id;
    if (request.integration && status < 500)
      this.rejections.record(request.integration.id, status, body.error);
    this.metrics.webhookDeliveries.inc({
      provider: request.integration?.provider ?? 'unknown',
      outcome: `rejected_${body.error}`,
    });
    return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * The provider's id when it sends one (bounded to the column, and storable as text), else a hash of it or of the
 * body: one delivery's odd id must never fail the group commit it shares with others.
 */
function deliveryKey(providerId: string | null, body: Buffer): string {
  if (providerId && providerId.length <= 200 && !needsCleaning(providerId)) return providerId;
  const source = providerId ?? body;
  return `sha256:${createHash('sha256').update(source).digest('hex')}`;
}
