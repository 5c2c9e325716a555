import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import type { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type {
  IntegrationCredentials,
  IntegrationSettings,
  VerifyOptions,
} from '../webhooks/providers/provider-adapter.js';
import { IntegrationEntity, type StoredCredentials } from './integration.entity.js';
import { SecretBox } from './secret-box.js';
import { SecretVerifier } from './secret-verifier.js';

/** Other processes see an edit within this long; this process sees it at once (invalidate). */
const TTL_MS = 10_000;
/** Unknown ids are remembered briefly, so a flood of bad URLs does not become a flood of queries. */
const NEGATIVE_TTL_MS = 2_000;
/** Integrations (known or not) remembered at once; the least recently used go first. */
export const SETTINGS_CACHE_MAX = 5_000;

/**
 * The webhook path's view of an integration: decrypted signing secret, verifier closures over the
 * hashes, mapping, and the credentials a rotation replaced that are still in their grace period. One DB read per
 * integration per TTL; concurrent lookups share one query. The cache is a bounded LRU: a flood of made-up ids
 * costs a bounded amount of memory.
 */
@Injectable()
export class IntegrationSettingsService {
  private readonly cache = new LRUCache<string, Promise<IntegrationSettings | null>>({
    max: SETTINGS_CACHE_MAX,
    ttl: TTL_MS,
  });

  constructor(
    @InjectRepository(IntegrationEntity) private readonly repo: Repository<IntegrationEntity>,
    private readonly secretBox: SecretBox,
    private readonly verifier: SecretVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** null for an unknown integration. */
  get(id: string): Promise<IntegrationSettings | null> {
    // Longer than the column: cannot exist, and is not worth a query or a cache entry.
    if (id.length === 0 || id.length > 64) return Promise.resolve(null);
    const hit = this.cache.get(id);
    if (hit) return hit;
    const value = this.load(id);
    this.cache.set(id, value);
    value.then(
      (settings) => {
        // Only if the entry is still this lookup's (an invalidate or a newer lookup may have replaced it).
        if (!settings && this.cache.peek(id) === value) this.cache.set(id, value, { ttl: NEGATIVE_TTL_MS });
      },
      () => {
        if (this.cache.peek(id) === value) this.cache.delete(id);
      },
    );
    return value;
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }

  /** How many integrations (known or unknown) are cached now; never more than SETTINGS_CACHE_MAX. */
  get cachedCount(): number {
    return this.cache.size;
  }

  private async load(id: string): Promise<IntegrationSettings | null> {
    const e = await this.repo.findOneBy({ id });
    if (!e) return null;
    return {
      id: e.id,
      provider: e.provider,
      mapping: e.mapping,
      replayWindowSeconds: e.replayWindowSeconds ?? this.config.WEBHOOK_REPLAY_WINDOW_SECONDS,
      credentials: this.credentialsOf(e.id, e),
      previousCredentials: (e.previousCredentials ?? [])
        .map((set) => ({ credentials: this.credentialsOf(e.id, set), expiresAt: Date.parse(set.expiresAt) }))
        .filter((set) => set.expiresAt > Date.now()),
    };
  }

  private credentialsOf(integrationId: string, stored: StoredCredentials): IntegrationCredentials {
    const verifier = this.verifier;
    const headerHash = stored.secretHeaderValueHash;
    return this.withLazySigningSecret(integrationId, stored.signingSecretSealed, {
      verifyBasicAuth: stored.basicAuthPasswordHash
        ? basicAuthVerifier(
            integrationId,
            stored.basicAuthUsername ?? '',
            stored.basicAuthPasswordHash,
            verifier,
          )
        : undefined,
      secretHeaderName: stored.secretHeaderName ?? undefined,
      verifySecretHeader: headerHash
        ? (value, options) => verifier.verify(integrationId, headerHash, value, options)
        : undefined,
    });
  }

  /**
   * Decrypted on first use only: the worker and the replay CLI normalise without it, and a wrong
   * ENCRYPTION_KEY then fails only signature checks, with a message that names the cause.
   */
  private withLazySigningSecret(
    integrationId: string,
    sealed: string | null,
    credentials: IntegrationCredentials,
  ): IntegrationCredentials {
    if (!sealed) return credentials;
    let plain: string | undefined;
    const box = this.secretBox;
    return Object.defineProperty(credentials, 'signingSecret', {
      // Not enumerable: spreading or logging the credentials neither decrypts nor shows it.
      enumerable: false,
      get(): string {
        if (plain === undefined) {
          try {
            plain = box.open(sealed);
          } catch {
            throw new Error(
              `Cannot decrypt the signing secret of integration "${integrationId}": ENCRYPTION_KEY is not the key it was stored with.`,
            );
          }
        }
        return plain;
      },
    });
  }
}

function basicAuthVerifier(
  integrationId: string,
  username: string,
  passwordHash: string,
  verifier: SecretVerifier,
): (u: string, p: string, options?: VerifyOptions) => Promise<boolean> {
  // Both checks always run, so the answer's timing does not tell which part was wrong.
  return async (u, p, options) => {
    const passwordOk = await verifier.verify(integrationId, passwordHash, p, options);
    return sameText(u, username) && passwordOk;
  };
}

function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
