import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import { AuditLog, REDACTED } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import { afterCommit, inTransaction } from '../common/ambient-transaction.js';
import { ConflictError, InUseError, NotFoundError, ValidationError } from '../common/errors.js';
import { IntegrationEntity, type PreviousCredentials, type StoredCredentials } from './integration.entity.js';
import type {
  CreateIntegrationInput,
  IntegrationView,
  RotateSecretInput,
  UpdateIntegrationInput,
} from './integration.schemas.js';
import { IntegrationSettingsService } from './integration-settings.service.js';
import { SecretBox } from './secret-box.js';
import { hashSecret } from './secret-hash.js';
import {
  type StoredWriteBack,
  supportsWriteBack,
  type WriteBackInput,
  writeBackAuthSchemas,
  type WriteBackView,
} from './write-back.schemas.js';

/** Credential sets in a grace period at once, besides the current one; a further rotation ends the oldest. */
export const MAX_PREVIOUS_CREDENTIALS = 3;

/** Admin CRUD of integrations. Secrets go in sealed or hashed and never come out. */
@Injectable()
export class IntegrationsService {
  constructor(
    @InjectRepository(IntegrationEntity) private readonly repo: Repository<IntegrationEntity>,
    private readonly secretBox: SecretBox,
    private readonly settings: IntegrationSettingsService,
    private readonly audit: AuditLog,
  ) {}

  async create(input: CreateIntegrationInput, actor: Actor): Promise<IntegrationView> {
    const id = input.id ?? generateId(input.name);
    if (await this.repo.existsBy({ id })) {
      throw new ConflictError(
        `Integration "${id}" already exists. Choose another id, or PUT /integrations/${id}.`,
      );
    }
    const entity = this.repo.create({
      id,
      name: input.name,
      provider: input.provider,
      mapping: input.mapping,
      replayWindowSeconds: input.replayWindowSeconds ?? null,
      signingSecretSealed: input.secret ? this.secretBox.seal(input.secret) : null,
      basicAuthUsername: input.basicAuth?.username ?? null,
      basicAuthPasswordHash: input.basicAuth ? await hashSecret(input.basicAuth.password) : null,
      secretHeaderName: input.secretHeader?.name.toLowerCase() ?? null,
      secretHeaderValueHash: input.secretHeader ? await hashSecret(input.secretHeader.value) : null,
      previousCredentials: [],
      credentialsChangedAt: null,
      writeBack: input.writeBack ? this.sealWriteBack(input.provider, input.writeBack, null) : null,
    });
    return inTransaction(this.repo.manager, async (tx) => {
      try {
        await tx.insert(IntegrationEntity, entity);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') {
          throw new ConflictError(`Integration "${id}" already exists. Choose another id.`);
        }
        throw error;
      }
      const view = toView(await tx.findOneByOrFail(IntegrationEntity, { id }));
      const after = { ...view, ...credentialChanges(input), ...writeBackChange(input, view) };
      await this.audit.record(tx, actor, { ...change('create', id), before: null, after });
      return view;
    });
  }

  async list(): Promise<IntegrationView[]> {
    return (await this.repo.find({ order: { id: 'ASC' } })).map(toView);
  }

  async get(id: string): Promise<IntegrationView> {
    return toView(await this.getEntity(id));
  }

  async update(id: string, input: UpdateIntegrationInput, actor: Actor): Promise<IntegrationView> {
    // Hashing takes tens of milliseconds: before the transaction, so the row is locked only briefly.
    const hashes = await hashedCredentials(input);
    const saved = await inTransaction(this.repo.manager, async (tx) => {
      const entity = await tx.findOne(IntegrationEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!entity) throw new NotFoundError('Integration', id);
      const before = toView(entity);
      this.apply(entity, input, hashes);
      if (input.writeBack !== undefined)
        entity.writeBack =
          input.writeBack === null
            ? null
            : this.sealWriteBack(entity.provider, input.writeBack, entity.writeBack);
      const saved = await tx.save(entity);
      const view = toView(saved);
      const after = { ...view, ...credentialChanges(input), ...writeBackChange(input, view) };
      await this.audit.record(tx, actor, { ...change('update', id), before, after });
      return saved;
    });
    afterCommit(() => this.settings.invalidate(id));
    // What this request wrote, not a read-back that another request's write may have overtaken.
    return toView(saved);
  }

  /** Checks the credentials against the provider and seals them; absent credentials keep the stored ones. */
  private sealWriteBack(
    provider: IntegrationEntity['provider'],
    input: WriteBackInput,
    stored: StoredWriteBack | null,
  ): StoredWriteBack {
    if (!supportsWriteBack(provider))
      throw new ValidationError(
        `Write-back is not available for provider "${provider}": it has no helpdesk API to write to.`,
      );
    if (input.auth === undefined) {
      if (!stored)
        throw new ValidationError(
          `writeBack.auth is required: ${AUTH_FIELDS[provider]} of the ${provider} API.`,
        );
      return { baseUrl: input.baseUrl, tags: input.tags, authSealed: stored.authSealed };
    }
    const parsed = writeBackAuthSchemas[provider].safeParse(input.auth);
    if (!parsed.success) {
      // Names the fields only: the values are credentials.
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(auth)'))].join(', ');
      throw new ValidationError(
        `writeBack.auth for ${provider} takes ${AUTH_FIELDS[provider]}; check: ${fields}.`,
      );
    }
    return {
      baseUrl: input.baseUrl,
      tags: input.tags,
      authSealed: this.secretBox.seal(JSON.stringify(parsed.data)),
    };
  }

  private apply(
    entity: IntegrationEntity,
    input: UpdateIntegrationInput,
    hashes: { password: string | null; headerValue: string | null },
  ): void {
    if (input.name !== undefined) entity.name = input.name;
    if (input.mapping !== undefined) entity.mapping = input.mapping;
    if (input.replayWindowSeconds !== undefined) entity.replayWindowSeconds = input.replayWindowSeconds;
    if (input.secret !== undefined) {
      entity.signingSecretSealed = input.secret === null ? null : this.secretBox.seal(input.secret);
    }
    if (input.basicAuth !== undefined) {
      entity.basicAuthUsername = input.basicAuth?.username ?? null;
      entity.basicAuthPasswordHash = hashes.password;
    }
    if (input.secretHeader !== undefined) {
      entity.secretHeaderName = input.secretHeader?.name.toLowerCase() ?? null;
      entity.secretHeaderValueHash = hashes.headerValue;
    }
    if (input.secret !== undefined || input.basicAuth !== undefined || input.secretHeader !== undefined) {
      // A PUT changes credentials at once (a leaked secret): nothing earlier stays accepted. Rotate for a grace period.
      entity.previousCredentials = [];
      entity.credentialsChangedAt = new Date();
    }
  }

  /**
   * Replaces the credentials given (the others carry over) and keeps the whole set they replace accepted for the
   * grace period, so the helpdesk can be switched over without a refused delivery. Earlier sets keep their own
   * expiry (at most MAX_PREVIOUS_CREDENTIALS at once); a grace period of 0 ends every earlier set now.
   */
  async rotate(id: string, input: RotateSecretInput, actor: Actor): Promise<IntegrationView> {
    // Hashing takes tens of milliseconds: before the transaction, so the row is locked only briefly.
    const next: Partial<StoredCredentials> = {};
    if (input.secret !== undefined) next.signingSecretSealed = this.secretBox.seal(input.secret);
    if (input.basicAuth !== undefined) {
      next.basicAuthUsername = input.basicAuth.username;
      next.basicAuthPasswordHash = await hashSecret(input.basicAuth.password);
    }
    if (input.secretHeader !== undefined) {
      next.secretHeaderName = input.secretHeader.name.toLowerCase();
      next.secretHeaderValueHash = await hashSecret(input.secretHeader.value);
    }
    const saved = await inTransaction(this.repo.manager, async (tx) => {
      const entity = await tx.findOne(IntegrationEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!entity) throw new NotFoundError('Integration', id);
      const before = toView(entity);
      const now = new Date();
      const stillValid = entity.previousCredentials.filter((p) => Date.parse(p.expiresAt) > now.getTime());
      if (input.gracePeriodSeconds === 0) {
        entity.previousCredentials = [];
      } else {
        const replaced: PreviousCredentials = {
          ...storedCredentials(entity),
          since: (entity.credentialsChangedAt ?? entity.createdAt).toISOString(),
          replacedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + input.gracePeriodSeconds * 1000).toISOString(),
        };
        entity.previousCredentials = [replaced, ...stillValid].slice(0, MAX_PREVIOUS_CREDENTIALS);
      }
      Object.assign(entity, next);
      entity.credentialsChangedAt = now;
      const saved = await tx.save(entity);
      const after = { ...toView(saved), ...credentialChanges(input) };
      await this.audit.record(tx, actor, { ...change('rotate', id), before, after });
      return saved;
    });
    afterCommit(() => this.settings.invalidate(id));
    return toView(saved);
  }

  /**
   * Deletes an integration. Its tickets (with their events and clocks) and stored deliveries go with it, so that is
   * refused with a 409 unless the caller says `purge`; an integration that never received anything just goes.
   */
  async remove(id: string, purge: boolean, actor: Actor): Promise<void> {
    await inTransaction(this.repo.manager, async (tx) => {
      // Locked, so that no delivery is stored for it between the count and the delete.
      const entity = await tx.findOne(IntegrationEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!entity) throw new NotFoundError('Integration', id);
      const [row] = (await tx.query(
        `SELECT (SELECT count(*) FROM tickets WHERE integration_id = $1)::int AS "tickets",
                (SELECT count(*) FROM inbox_deliveries WHERE integration_id = $1)::int AS "stored deliveries"`,
        [id],
      )) as Array<Record<string, number>>;
      const references = Object.fromEntries(Object.entries(row).filter(([, n]) => n > 0));
      if (!purge && Object.keys(references).length > 0) {
        const what = Object.entries(references)
          .map(([k, n]) => `${n} ${k}`)
          .join(' and ');
        throw new InUseError(
          `Integration "${id}" has ${what}. DELETE /integrations/${id}?purge=true deletes them with it; ` +
            'to stop intake but keep the history, remove its credentials instead.',
          references,
        );
      }
      await tx.delete(IntegrationEntity, { id });
      // purge: its tickets and stored deliveries went with it.
      const action = Object.keys(references).length > 0 ? 'purge' : 'delete';
      await this.audit.record(tx, actor, { ...change(action, id), before: toView(entity), after: null });
    });
    afterCommit(() => this.settings.invalidate(id));
  }

  private async getEntity(id: string): Promise<IntegrationEntity> {
    const entity = await this.repo.findOneBy({ id });
    if (!entity) throw new NotFoundError('Integration', id);
    return entity;
  }
}

async function hashedCredentials(
  input: UpdateIntegrationInput,
): Promise<{ password: string | null; headerValue: string | null }> {
  return {
    password: input.basicAuth ? await hashSecret(input.basicAuth.password) : null,
    headerValue: input.secretHeader ? await hashSecret(input.secretHeader.value) : null,
  };
}

function change(action: 'create' | 'update' | 'delete' | 'purge' | 'rotate', id: string) {
  return { action, resourceType: 'integration', resourceId: id } as const;
}

/** For the audit log: the credentials a request set ("[redacted]") or removed (null); never their values. */
function credentialChanges(input: {
  secret?: unknown;
  basicAuth?: unknown;
  secretHeader?: unknown;
}): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const name of ['secret', 'basicAuth', 'secretHeader'] as const) {
    if (input[name] !== undefined) changes[name] = input[name] === null ? null : REDACTED;
  }
  return changes;
}

const AUTH_FIELDS: Record<keyof typeof writeBackAuthSchemas, string> = {
  zendesk: '{email, apiToken}',
  freshdesk: '{apiKey}',
  jira: '{email, apiToken}',
  zammad: '{token}',
  intercom: '{accessToken, adminId}',
};

/** For the audit log: write-back credentials the request set show as "[redacted]", never their values. */
function writeBackChange(
  input: { writeBack?: WriteBackInput | null },
  view: IntegrationView,
): { writeBack?: (WriteBackView & { auth?: string }) | null } {
  if (!input.writeBack || !view.writeBack) return {};
  return { writeBack: { ...view.writeBack, ...(input.writeBack.auth ? { auth: REDACTED } : {}) } };
}

/** A readable, unique-enough slug: "Acme Zendesk" → "acme-zendesk-3f9a1c". */
function generateId(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'integration'}-${randomBytes(3).toString('hex')}`;
}

function toView(e: IntegrationEntity): IntegrationView {
  return {
    id: e.id,
    name: e.name,
    provider: e.provider,
    webhookPath: `/webhooks/${e.id}`,
    hasSecret: e.signingSecretSealed !== null,
    hasBasicAuth: e.basicAuthPasswordHash !== null,
    basicAuthUsername: e.basicAuthUsername,
    hasSecretHeader: e.secretHeaderValueHash !== null,
    secretHeaderName: e.secretHeaderName,
    mapping: e.mapping,
    replayWindowSeconds: e.replayWindowSeconds,
    writeBack: e.writeBack && { baseUrl: e.writeBack.baseUrl, tags: e.writeBack.tags, hasCredentials: true },
    activeCredentials: activeCredentials(e),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

function storedCredentials(e: StoredCredentials): StoredCredentials {
  return {
    signingSecretSealed: e.signingSecretSealed,
    basicAuthUsername: e.basicAuthUsername,
    basicAuthPasswordHash: e.basicAuthPasswordHash,
    secretHeaderName: e.secretHeaderName,
    secretHeaderValueHash: e.secretHeaderValueHash,
  };
}

/** The current set and those still in their grace period: what each holds and until when, never a value. */
function activeCredentials(e: IntegrationEntity, now = Date.now()): IntegrationView['activeCredentials'] {
  const describe = (set: StoredCredentials) => ({
    kinds: [
      ...(set.signingSecretSealed !== null ? (['secret'] as const) : []),
      ...(set.basicAuthPasswordHash !== null ? (['basicAuth'] as const) : []),
      ...(set.secretHeaderValueHash !== null ? (['secretHeader'] as const) : []),
    ],
    basicAuthUsername: set.basicAuthPasswordHash !== null ? set.basicAuthUsername : null,
    secretHeaderName: set.secretHeaderValueHash !== null ? set.secretHeaderName : null,
  });
  return [
    {
      label: 'current' as const,
      ...describe(e),
      activeSince: (e.credentialsChangedAt ?? e.createdAt).toISOString(),
      expiresAt: null,
    },
    ...(e.previousCredentials ?? [])
      .filter((p) => Date.parse(p.expiresAt) > now)
      .map((p) => ({
        label: 'previous' as const,
        ...describe(p),
        activeSince: p.since,
        expiresAt: p.expiresAt,
      })),
  ];
}
