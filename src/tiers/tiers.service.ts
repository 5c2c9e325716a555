import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, Repository } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, InUseError, NotFoundError } from '../common/errors.js';
import { describeReferences, tierReferences } from '../policies/config-core/config-references.js';
import { ConfigChangesService } from '../policies/config-core/config-changes.service.js';
import { TierEntity } from './tier.entity.js';
import type { CreateTierBody, TierBody, TierDto } from './tiers.schemas.js';

@Injectable()
export class TiersService {
  constructor(
    @InjectRepository(TierEntity) private readonly tiers: Repository<TierEntity>,
    private readonly changes: ConfigChangesService,
  ) {}

  async list(): Promise<TierDto[]> {
    const rows = await this.tiers.find({ order: { id: 'ASC' } });
    return rows.map(toTierDto);
  }

  async get(id: string): Promise<TierDto> {
    const row = await this.tiers.findOneBy({ id });
    if (!row) throw new NotFoundError('Tier', id);
    return toTierDto(row);
  }

  async create(body: CreateTierBody, actor: Actor): Promise<TierDto> {
    return this.changes.write('tier', actor, async (tx) => {
      if (await tx.existsBy(TierEntity, { id: body.id })) {
        throw new ConflictError(`Tier "${body.id}" already exists. Use PUT /tiers/${body.id} to change it.`);
      }
      const tier = toTierDto(await this.save(tx, tx.create(TierEntity, { id: body.id }), body));
      return { value: tier, changedId: tier.id, change: { action: 'create', before: null, after: tier } };
    });
  }

  /** Create-or-replace: fields left out are reset (description to null, isDefault to false). */
  async put(id: string, body: TierBody, actor: Actor): Promise<{ tier: TierDto; created: boolean }> {
    return this.changes.write('tier', actor, async (tx) => {
      const existing = await tx.findOneBy(TierEntity, { id });
      if (existing && sameTier(existing, body))
        return { value: { tier: toTierDto(existing), created: false }, changedId: null };
      const before = existing && toTierDto(existing);
      const tier = toTierDto(await this.save(tx, existing ?? tx.create(TierEntity, { id }), body));
      return {
        value: { tier, created: !existing },
        changedId: id,
        change: { action: existing ? 'update' : 'create', before, after: tier },
      };
    });
  }

  /** Deletes a tier that nothing refers to any more (customer mappings, current policies, open tickets). */
  async remove(id: string, actor: Actor): Promise<void> {
    await this.changes.write('tier', actor, async (tx) => {
      const tier = await tx.findOneBy(TierEntity, { id });
      if (!tier) throw new NotFoundError('Tier', id);
      const references = await tierReferences(tx, id);
      if (Object.keys(references).length > 0) {
        throw new InUseError(
          `Tier "${id}" is still used by ${describeReferences(references)}. Move the customers to another tier ` +
            "(PUT /customers/:id), remove the tier from the policies' conditions, and let open tickets close first.",
          references,
        );
      }
      if (tier.isDefault && (await tx.count(TierEntity)) > 1) {
        throw new ConflictError(
          `Tier "${id}" is the default tier. Make another tier the default (PUT /tiers/:id with "isDefault": true) first.`,
        );
      }
      await tx.delete(TierEntity, { id });
      return {
        value: undefined,
        changedId: id,
        change: { action: 'delete', before: toTierDto(tier), after: null },
      };
    });
  }

  /** The ids among `ids` that are not tiers (for references from policies and customers). */
  async missing(ids: readonly string[], tx?: EntityManager): Promise<string[]> {
    if (ids.length === 0) return [];
    const repo = tx ? tx.getRepository(TierEntity) : this.tiers;
    const found = new Set((await repo.findBy({ id: In([...ids]) })).map((t) => t.id));
    return [...new Set(ids)].filter((id) => !found.has(id));
  }

  private async save(tx: EntityManager, tier: TierEntity, body: TierBody): Promise<TierEntity> {
    if (body.isDefault) {
      // Before saving, so that the partial unique index sees at most one default at any moment.
      await tx.update(TierEntity, { isDefault: true }, { isDefault: false });
    }
    tier.name = body.name;
    tier.description = body.description ?? null;
    tier.isDefault = body.isDefault;
    return tx.save(TierEntity, tier);
  }
}

function sameTier(row: TierEntity, body: TierBody): boolean {
  return (
    row.name === body.name &&
    row.description === (body.description ?? null) &&
    row.isDefault === body.isDefault
  );
}

export function toTierDto(row: TierEntity): TierDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isDefault: row.isDefault,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
