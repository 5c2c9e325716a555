import { hostname } from 'node:os';
import { z } from 'zod';
import { ZoneClock } from '../engine/calendar/zone-clock.js';
import { isValidEncryptionKey } from './encryption-key.js';

/**
 * Environment → typed configuration, validated once at boot. Every problem is reported together,
 * so a misconfigured deployment is fixed in one round.
 */
const accessSetting = z.enum(['public', 'agent', 'manager', 'admin']);

const envSchema = z.object({
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://postgres@127.0.0.1:5432/sla_tracker'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(16),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix. Queue names carry a {hash tag}, so the prefix is Redis Cluster-safe. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('sla'),
  /** A request (headers and body) must arrive within this long: a client trickling a body is cut off. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** An idle keep-alive connection is closed after this long. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /**
   * This process's name as a worker (default: host name and port), stable across its restarts, so that it can take
   * back the inbox rows it had claimed when it died. Give each worker on one host its own (or its own PORT).
   */
  WORKER_ID: z.string().min(1).max(200).optional(),
  /** How long start-up keeps retrying PostgreSQL and Redis (a database still initialising), with backoff; 0: once. */
  STARTUP_RETRY_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** After SIGTERM/SIGINT: stop accepting, finish in-flight work, close queues and pools; exit anyway after this. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** 32 bytes as 64 hex chars or base64; encrypts integration signing secrets at rest. */
  ENCRYPTION_KEY: z
    .string()
    .refine(isValidEncryptionKey, {
      message:
        'must be 32 bytes: 64 hex characters (openssl rand -hex 32) or base64 (openssl rand -base64 32)',
    })
    .optional(),
  NODE_ENV: z.string().default('development'),
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  WEBHOOK_REPLAY_WINDOW_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Failed webhook credential checks per integration and client address within the window before 429s. */
  WEBHOOK_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  WEBHOOK_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Stored delivery bodies and headers are removed this many days after receipt (0: kept for ever). */
  DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  /** Steps due within this long have a delayed job in Redis; later ones wait in PostgreSQL (tickets.next_step_at). */
  TIMER_HORIZON_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  /** How often one process moves steps into the horizon and repairs missing or overdue timers. */
  TIMER_SCAN_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** A step recorded more than this after it fell due is marked late (downtime, backfill, an exceeded change). */
  TIMER_LATE_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
  /** The zone whose days the compliance reports' rollups follow; reports in another zone read the clocks instead. */
  REPORT_TIME_ZONE: z
    .string()
    .refine((zone) => ZoneClock.isKnownZone(zone), 'an IANA time zone')
    .default('UTC'),
  /** How often one worker process rebuilds the report rollups of days whose clocks changed. */
  REPORT_ROLLUP_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** Live events kept for clients that reconnect with Last-Event-ID (approximately; Redis trims in chunks). */
  LIVE_EVENTS_RETENTION: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  /** Creates this admin key at startup while no admin key exists (for containers); at least 32 characters. */
  BOOTSTRAP_ADMIN_KEY: z.string().min(32).optional(),
  /** Who may read readiness (/health), /metrics and /docs: `public`, or the lowest role that may. */
  HEALTH_ACCESS: accessSetting.default('public'),
  METRICS_ACCESS: accessSetting.default('admin'),
  DOCS_ACCESS: accessSetting.default('public'),
  /**
   * Requests per minute per API key (per client address for requests without a known key), per process; 0: off.
   * Health probes are not counted.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(10_000_000).default(1_200),
  /** The window the two limits above count in (seconds); the limits stay per minute, scaled to the window. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Webhook deliveries per minute per integration, per process; 0: off. Far above what a helpdesk sends. */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000_000).default(300_000),
  /**
   * Which peers' X-Forwarded-For to believe for the client address (rate limits, logs): `true`, `false`, or
   * addresses, CIDRs and the names loopback, linklocal, uniquelocal (comma-separated). Trusting everyone would let
   * any client pick its own address, and so its own rate-limit budget.
   */
  TRUST_PROXY: z
    .string()
    .default('loopback,linklocal,uniquelocal')
    .transform((v): boolean | string => (v === 'true' ? true : v === 'false' ? false : v)),
  /** Browser origins allowed to call the API (comma-separated, e.g. `https://support.example.com`); none by default. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const origins = value
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      for (const origin of origins) {
        let parsed: URL | undefined;
        try {
          parsed = new URL(origin);
        } catch {
          parsed = undefined;
        }
        if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
          ctx.addIssue({
            code: 'custom',
            message: `"${origin.slice(0, 100)}" is not an origin: give scheme, host and port only, e.g. https://support.example.com`,
          });
        }
      }
      return origins;
    }),
  /** Late steps (downtime, backfill): `record` only (no flood of stale notifications) or `send` them too. */
  NOTIFY_LATE_STEPS: z.enum(['send', 'record']).default('record'),
  /** Tries per delivery before it ends `failed` (then POST /notifications/:id/retry), with exponential backoff. */
  NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
  NOTIFY_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
  /** A receiver that has not answered within this long has failed this attempt. */
  NOTIFY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
  /** How often one process creates and enqueues deliveries an event listener missed (a process died). */
  NOTIFY_SCAN_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  /**
   * The SMTP server for e-mail channels: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465
   * (TLS from the start). Without it, e-mail deliveries fail with "SMTP_URL is not set". The password is never logged.
   */
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be smtp://user:pass@host:port or smtps://…' })
    .optional(),
  /** The From of every e-mail: an address, or `Name <address>`. */
  SMTP_FROM: z
    .string()
    .max(320)
    .regex(
      /^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/,
      'must be an address or "Name <address>"',
    )
    .default('SLA Tracker <sla-tracker@localhost>'),
  /**
   * E-mail hygiene: after a message to a recipient, further steps for that recipient within this many seconds wait
   * and go out together as one digest when the window closes; 0: every step on its own.
   */
  NOTIFY_DIGEST_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** At most this many e-mails per recipient per hour; beyond it steps fold into the next digest; 0: no limit. */
  NOTIFY_RATE_PER_HOUR: z.coerce.number().int().min(0).max(10_000).default(0),
  /** Where a step for the assignee or group goes when the directory does not know them (a channel id). */
  NOTIFY_FALLBACK_CHANNEL: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a channel id')
    .optional(),
});

export type AppConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, as they do in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = { ...parsed.data, WORKER_ID: parsed.data.WORKER_ID ?? `${hostname()}-${parsed.data.PORT}` };
  if (config.NODE_ENV === 'production' && !config.ENCRYPTION_KEY) {
    throw new ConfigError([
      'ENCRYPTION_KEY: required in production (64 hex chars, e.g. `openssl rand -hex 32`)',
    ]);
  }
  return config;
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
