import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { IntegrationCredentials, IntegrationSettings } from '../webhooks/providers/provider-adapter.js';
import { IntegrationEntity } from './integration.entity.js';
import { SecretBox } from './secret-box.js';
import { cachedVerifier } from './secret-hash.js';

/** Other processes see an edit within this long; this process sees it at once (invalidate). */
const TTL_MS = 10_000;
/** Unknown ids are remembered briefly, so a flood of bad URLs does not become a flood of queries. */
const NEGATIVE_TTL_MS = 2_000;

interface CacheEntry {
  value: Promise<IntegrationSettings | null>;
  expiresAt: number;
}

/**
 * The webhook path's view of an integration: decrypted signing secret, verifier closures over the
 * hashes, mapping. One DB read per integration per TTL; concurrent lookups share one query.
 */
@Injectable()
export class IntegrationSettingsService {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    @InjectRepository(IntegrationEntity) private readonly repo: Repository<IntegrationEntity>,
    private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** null for an unknown integration. */
  get(id: string): Promise<IntegrationSettings | null> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = this.load(id);
    const entry: CacheEntry = { value, expiresAt: now + TTL_MS };
    this.cache.set(id, entry);
    value.then(
      (settings) => {
        if (!settings) entry.expiresAt = Math.min(entry.expiresAt, Date.now() + NEGATIVE_TTL_MS);
      },
      () => this.cache.delete(id),
    );
    return value;
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }

  private async load(id: string): Promise<IntegrationSettings | null> {
    if (id.length > 64) return null;
    const e = await this.repo.findOneBy({ id });
    if (!e) return null;
    return {
      id: e.id,
      provider: e.provider,
      mapping: e.mapping,
      replayWindowSeconds: e.replayWindowSeconds ?? this.config.WEBHOOK_REPLAY_WINDOW_SECONDS,
      credentials: this.withLazySigningSecret(e, {
        verifyBasicAuth: e.basicAuthPasswordHash
          ? basicAuthVerifier(e.basicAuthUsername ?? '', e.basicAuthPasswordHash)
          : undefined,
        secretHeaderName: e.secretHeaderName ?? undefined,
        verifySecretHeader: e.secretHeaderValueHash ? cachedVerifier(e.secretHeaderValueHash) : undefined,
      }),
    };
  }

  /**
   * Decrypted on first use only: the worker and the replay CLI normalise without it, and a wrong
   * ENCRYPTION_KEY then fails only signature checks, with a message that names the cause.
   */
  private withLazySigningSecret(
    e: IntegrationEntity,
    credentials: IntegrationCredentials,
  ): IntegrationCredentials {
    const sealed = e.signingSecretSealed;
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
              `Cannot decrypt the signing secret of integration "${e.id}": ENCRYPTION_KEY is not the key it was stored with.`,
            );
          }
        }
        return plain;
      },
    });
  }
}

function basicAuthVerifier(username: string, passwordHash: string): (u: string, p: string) => boolean {
  const verifyPassword = cachedVerifier(passwordHash);
  // Both checks always run, so the answer's timing does not tell which part was wrong.
  return (u, p) => {
    const passwordOk = verifyPassword(p);
    return sameText(u, username) && passwordOk;
  };
}

function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
