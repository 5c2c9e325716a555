import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { verifySecretHash } from './secret-hash.js';

/** A value that verified is taken as verified again for this long without scrypt. */
export const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;
/** scrypt runs at most this many at a time per process: a flood of wrong passwords cannot take every core. */
const CONCURRENT_HASHES = 1;
/** Verifications waiting for their turn; beyond this the delivery is answered 503 (helpdesks retry). */
const MAX_WAITING = 100;

export interface SecretCheckOptions {
  /**
   * Answer only from the cache of recent successes (no scrypt): for a client over its failure limit, whose
   * credentials are accepted only if they are known good already.
   */
  cachedOnly?: boolean;
}

/** Too many verifications queued: the webhook path answers 503 with Retry-After. */
export class VerifierBusyError extends Error {
  constructor() {
    super('Too many credential checks are waiting; retry in a second.');
    this.name = 'VerifierBusyError';
  }
}

/**
 * Compares presented secrets (basic-auth passwords, secret header values) with their stored scrypt hashes off the
 * event loop, one hash at a time, and remembers successes briefly in a bounded LRU keyed by a hash of the
 * integration, the stored hash and the presented value (so a changed secret never matches an old entry, and no
 * secret is kept in memory as such). Failures are not cached: the webhook path limits them per client instead.
 */
@Injectable()
export class SecretVerifier {
  private readonly verified = new LRUCache<string, true>({ max: VERIFIED_MAX, ttl: VERIFIED_TTL_MS });
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  async verify(
    integrationId: string,
    storedHash: string,
    presented: string,
    options: SecretCheckOptions = {},
  ): Promise<boolean> {
    const key = createHash('sha256')
      .update(integrationId)
      .update('\0')
      .update(storedHash)
      .update('\0')
      .update(presented)
      .digest('base64url');
    if (this.verified.get(key)) return true;
    if (options.cachedOnly) return false;
    const ok = await this.inTurn(() => verifySecretHash(presented, storedHash));
    if (ok) this.verified.set(key, true);
    return ok;
  }

  /** How many successes are remembered (bounded by VERIFIED_MAX). */
  get cachedCount(): number {
    return this.verified.size;
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= CONCURRENT_HASHES) {
      if (this.waiting.length >= MAX_WAITING) throw new VerifierBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // The turn passes straight to the next in line (running stays the same), or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
