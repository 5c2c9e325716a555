/**
 * Recognises "the database is not there right now" among errors, wherever they surface, so that requests answer
 * 503 with Retry-After (every helpdesk retries a 503) and background tasks wait for the next round, instead of
 * 500s and crashes.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: admin/crash shutdown, cannot connect now, connection exceptions.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection is closed/i,
];

export function isConnectionError(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.some((m) => m.test(e!.message as string)))
      return true;
    // TypeORM wraps the driver's error in driverError; Nest and others in cause.
    e = ((e as { driverError?: unknown }).driverError ?? e.cause) as typeof e;
  }
  return false;
}

/** How long clients are asked to wait before retrying during an outage (Retry-After, seconds). */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** Logs a recurring condition once per interval, with how often it happened meanwhile, not once per request. */
export class OncePer {
  private last = 0;
  private suppressed = 0;

  constructor(private readonly intervalMs: number) {}

  run(log: (suppressed: number) => void): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) {
      this.suppressed++;
      return;
    }
    log(this.suppressed);
    this.last = now;
    this.suppressed = 0;
  }
}
