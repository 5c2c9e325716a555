import { LRUCache } from 'lru-cache';
import type {
  IntegrationSettings,
  ProviderAdapter,
  RawDelivery,
  VerifyOptions,
  VerifyResult,
} from './providers/provider-adapter.js';

/** Failures that say "these credentials are not the ones presented": another credential set may still match. */
const MISMATCH = new Set([
  'invalid_signature',
  'invalid_credentials',
  'missing_credentials',
  'missing_signature',
  'no_signing_secret',
  'no_credentials',
]);

/**
 * Checks a delivery against the integration's current credentials, then against each set a rotation replaced
 * that is still in its grace period at the delivery's receipt. The first that passes wins. When none does, the
 * answer is the current set's, unless an earlier set matched the signature and failed on something else (a stale
 * timestamp): that answer says more.
 */
export async function verifyDelivery(
  adapter: ProviderAdapter,
  delivery: RawDelivery,
  integration: IntegrationSettings,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const current = await adapter.verify(delivery, integration, options);
  if (current.ok) return current;
  let answer = current;
  for (const previous of integration.previousCredentials ?? []) {
    if (previous.expiresAt <= delivery.receivedAt) continue;
    const result = await adapter.verify(
      delivery,
      { ...integration, credentials: previous.credentials },
      options,
    );
    if (result.ok) return result;
    if (MISMATCH.has(answer.error) && !MISMATCH.has(result.error)) answer = result;
  }
  return answer;
}

interface FailureWindow {
  failures: number;
  /** Epoch ms when the window (and any block) ends. */
  resetAt: number;
}

/**
 * Failed credential checks per key (integration and client address) in fixed windows: after `limit` failures,
 * the key is blocked until its window ends. Held in a bounded LRU whose entries expire with their window.
 */
export class FailureLimiter {
  private readonly windows: LRUCache<string, FailureWindow>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    max = 10_000,
  ) {
    this.windows = new LRUCache<string, FailureWindow>({ max, ttl: windowMs });
  }

  /** Milliseconds until the key may try again; 0 when it is not blocked. */
  blockedFor(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now || w.failures < this.limit) return 0;
    return w.resetAt - now;
  }

  /** Records a failure. */
  fail(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      this.windows.set(key, { failures: 1, resetAt: now + this.windowMs });
    } else {
      w.failures++;
    }
  }

  get size(): number {
    return this.windows.size;
  }
}
