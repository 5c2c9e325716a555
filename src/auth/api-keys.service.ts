import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type EntityManager, IsNull, Repository } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { NotFoundError, UnauthorizedError } from '../common/errors.js';
import { type Actor, processActor } from './actor.js';
import { ApiKeyEntity } from './api-key.entity.js';
import type { Role } from './roles.js';

/** The caller behind a request, as far as logs, audit and handlers need to know. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

/** A key as listed: never the key or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

/** How long a verified key is trusted without asking the database again (revocation in another process). */
const CACHE_TTL_MS = 10_000;
/** last_used_at is written at most this often per key, so it costs nothing on busy keys. */
const LAST_USED_RESOLUTION_MS = 60_000;
const PREFIX_LENGTH = 12;

export function hashApiKey(key: string): string {
  // The one-shot form: this runs on every authenticated request (twice: rate limiter and guard).
  return hash('sha256', key, 'hex');
}

/** A new random key: `sla_` + 43 base64url characters (256 bits). */
export function generateApiKey(): string {
  return `sla_${randomBytes(32).toString('base64url')}`;
}

/** A request as far as hashing its key once needs: Fastify's, whose `raw` lives as long as it does. */
export interface HashedRequest {
  raw: object;
}

/** Extracts the key from `Authorization: Bearer <key>` or `X-API-Key`; undefined when none was sent. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey.trim();
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match ? match[1] : '';
}

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysService.name);
  /** Verified keys by hash; bounded, so a flood of distinct keys cannot grow the heap. */
  /** Per request (weakly held: gone with the request), the presented key's hash. */
  private readonly requestHashes = new WeakMap<object, { key: string; hash: string }>();
  private readonly verified = new LRUCache<string, ApiKeyEntity>({ max: 10_000, ttl: CACHE_TTL_MS });

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditLog,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.BOOTSTRAP_ADMIN_KEY;
    if (!key) return;
    if (await this.keys.exists({ where: { role: 'admin', revokedAt: IsNull() } })) return;
    await this.keys.manager.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(ApiKeyEntity)
        .values({
          name: 'bootstrap',
          role: 'admin',
          prefix: key.slice(0, PREFIX_LENGTH),
          hash: hashApiKey(key),
        })
        .orIgnore()
        .returning(['id'])
        .execute();
      const id = (inserted.raw as Array<{ id: string }>)[0]?.id;
      if (id) await this.recordCreated(tx, processActor('bootstrap'), id);
    });
    this.logger.log('Created the bootstrap admin key from BOOTSTRAP_ADMIN_KEY (no admin key existed).');
  }

  /** Creates a key; the plain key is in the result and nowhere else, ever. */
  async create(
    input: { name: string; role: Role; expiresAt?: Date | null },
    actor: Actor,
  ): Promise<{ key: string; apiKey: ApiKeyView }> {
    const key = generateApiKey();
    const apiKey = await this.keys.manager.transaction(async (tx) => {
      const saved = await tx.save(
        tx.create(ApiKeyEntity, {
          name: input.name,
          role: input.role,
          prefix: key.slice(0, PREFIX_LENGTH),
          hash: hashApiKey(key),
          expiresAt: input.expiresAt ?? null,
        }),
      );
      return this.recordCreated(tx, actor, saved.id);
    });
    return { key, apiKey };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.find({ order: { createdAt: 'ASC' } })).map(toView);
  }

  async revoke(id: string, actor: Actor): Promise<ApiKeyView> {
    const found = await this.keys.manager.transaction(async (tx) => {
      const found = await tx.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundError('API key', id);
      if (!found.revokedAt) {
        const before = toView(found);
        found.revokedAt = new Date();
        await tx.update(ApiKeyEntity, { id }, { revokedAt: found.revokedAt });
        await this.audit.record(tx, actor, {
          action: 'revoke',
          resourceType: 'apikey',
          resourceId: id,
          before,
          after: toView(found),
        });
      }
      return found;
    });
    this.verified.delete(found.hash);
    return toView(found);
  }

  /**
   * The id of a presented key this process has verified recently, without a database round trip (the rate
   * limiter counts per key those it knows, and per address everything else, so random keys buy no fresh budget).
   */
  knownKeyId(request: HashedRequest, key: string | undefined): string | undefined {
    if (!key || key.length < 16 || key.length > 512) return undefined;
    return this.verified.get(this.hashFor(request, key))?.id;
  }

  /** The key's hash, computed once per request: the rate limiter and the guard both need it. */
  hashFor(request: HashedRequest, key: string): string {
    const known = this.requestHashes.get(request.raw);
    if (known?.key === key) return known.hash;
    const hash = hashApiKey(key);
    this.requestHashes.set(request.raw, { key, hash });
    return hash;
  }

  /** Records a new key in the audit log as the API lists it (never the key or its hash); returns that view. */
  private async recordCreated(tx: EntityManager, actor: Actor, id: string): Promise<ApiKeyView> {
    const apiKey = toView(await tx.findOneByOrFail(ApiKeyEntity, { id }));
    await this.audit.record(tx, actor, {
      action: 'create',
      resourceType: 'apikey',
      resourceId: id,
      before: null,
      after: apiKey,
    });
    return apiKey;
  }

  /** The principal for a presented key, or a 401 that says what is wrong (never echoing the key). */
  async authenticate(key: string | undefined, request?: HashedRequest): Promise<Principal> {
    if (key === undefined) {
      throw new UnauthorizedError(
        'missing_api_key',
        'This route needs an API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
      );
    }
    if (key.length < 16 || key.length > 512) {
      throw new UnauthorizedError(
        'malformed_api_key',
        'The API key is malformed. Send the key exactly as it was issued.',
      );
    }
    const hash = request ? this.hashFor(request, key) : hashApiKey(key);
    let entity = this.verified.get(hash);
    if (!entity) {
      entity = (await this.keys.findOneBy({ hash })) ?? undefined;
      // The lookup is by hash; comparing the stored hash in constant time keeps timing independent of the key.
      if (!entity || !timingSafeEqual(Buffer.from(entity.hash), Buffer.from(hash))) {
        throw new UnauthorizedError('unknown_api_key', 'The API key is not known. Ask an admin for a key.');
      }
      this.verified.set(hash, entity);
    }
    const now = Date.now();
    if (entity.revokedAt) {
      throw new UnauthorizedError('revoked_api_key', 'The API key was revoked. Ask an admin for a new key.');
    }
    if (entity.expiresAt && entity.expiresAt.getTime() <= now) {
      throw new UnauthorizedError('expired_api_key', 'The API key has expired. Ask an admin for a new key.');
    }
    if (!entity.lastUsedAt || now - entity.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      entity.lastUsedAt = new Date(now);
      this.keys.update({ id: entity.id }, { lastUsedAt: entity.lastUsedAt }).catch((error: Error) => {
        this.logger.warn(`Could not record last use of key ${entity.prefix}…: ${error.message}`);
      });
    }
    return { keyId: entity.id, name: entity.name, role: entity.role };
  }
}

function toView(e: ApiKeyEntity): ApiKeyView {
  return {
    id: e.id,
    name: e.name,
    role: e.role,
    prefix: e.prefix,
    expiresAt: e.expiresAt?.toISOString() ?? null,
    lastUsedAt: e.lastUsedAt?.toISOString() ?? null,
    revokedAt: e.revokedAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}
