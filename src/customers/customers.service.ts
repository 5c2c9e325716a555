import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, type FindOptionsWhere, IsNull, Repository } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { ConfigChangesService } from '../policies/config-core/config-changes.service.js';
import { UnknownReferenceError } from '../policies/config-core/unknown-reference.error.js';
import { TiersService } from '../tiers/tiers.service.js';
import { CustomerEntity } from './customer.entity.js';
import type {
  CreateCustomerBody,
  CustomerBody,
  CustomerDto,
  CustomerListQuery,
} from './customers.schemas.js';

@Injectable()
export class CustomersService {
  constructor(
    @InjectRepository(CustomerEntity) private readonly customers: Repository<CustomerEntity>,
    private readonly tiers: TiersService,
    private readonly changes: ConfigChangesService,
  ) {}

  async list(query: CustomerListQuery): Promise<CustomerDto[]> {
    // TypeORM rejects `undefined` in find conditions, so only the filters that were given are set.
    const where: FindOptionsWhere<CustomerEntity> = {};
    if (query.integrationId) where.integrationId = query.integrationId;
    if (query.tier) where.tierId = query.tier;
    const rows = await this.customers.find({
      where,
      order: { customerId: 'ASC', integrationId: { direction: 'ASC', nulls: 'FIRST' } },
    });
    return rows.map(toCustomerDto);
  }

  /** The mapping for one customer: the integration-specific row when `integrationId` is given, else the global row. */
  async get(customerId: string, integrationId?: string | null): Promise<CustomerDto> {
    const row = await findMapping(this.customers.manager, customerId, integrationId ?? null);
    if (!row) throw new NotFoundError('Customer', describe(customerId, integrationId ?? null));
    return toCustomerDto(row);
  }

  async create(body: CreateCustomerBody, actor: Actor): Promise<CustomerDto> {
    const integrationId = body.integrationId ?? null;
    return this.changes.write('customer', actor, async (tx) => {
      await this.assertTierExists(tx, body.tier);
      if (await findMapping(tx, body.id, integrationId)) {
        throw new ConflictError(
          `Customer ${describe(body.id, integrationId)} already has a tier. Use PUT /customers/${encodeURIComponent(body.id)} to change it.`,
        );
      }
      const saved = await tx.save(
        CustomerEntity,
        assign(tx.create(CustomerEntity, { customerId: body.id, integrationId }), body),
      );
      const customer = toCustomerDto(saved);
      return {
        value: customer,
        changedId: body.id,
        change: { action: 'create', before: null, after: customer },
      };
    });
  }

  /** Create-or-replace the mapping of (customerId, body.integrationId); `name` left out is reset to null. */
  async put(
    customerId: string,
    body: CustomerBody,
    actor: Actor,
  ): Promise<{ customer: CustomerDto; created: boolean }> {
    const integrationId = body.integrationId ?? null;
    return this.changes.write('customer', actor, async (tx) => {
      await this.assertTierExists(tx, body.tier);
      const existing = await findMapping(tx, customerId, integrationId);
      if (existing && existing.tierId === body.tier && existing.name === (body.name ?? null)) {
        return { value: { customer: toCustomerDto(existing), created: false }, changedId: null };
      }
      const before = existing && toCustomerDto(existing);
      const row = existing ?? tx.create(CustomerEntity, { customerId, integrationId });
      const customer = toCustomerDto(await tx.save(CustomerEntity, assign(row, body)));
      return {
        value: { customer, created: !existing },
        changedId: customerId,
        change: { action: existing ? 'update' : 'create', before, after: customer },
      };
    });
  }

  /** Removes one mapping (the global one, or the integration's); its customer's tickets fall back to the default tier. */
  async remove(customerId: string, integrationId: string | null | undefined, actor: Actor): Promise<void> {
    await this.changes.write('customer', actor, async (tx) => {
      const row = await findMapping(tx, customerId, integrationId ?? null);
      if (!row) throw new NotFoundError('Customer', describe(customerId, integrationId ?? null));
      await tx.delete(CustomerEntity, { id: row.id });
      return {
        value: undefined,
        changedId: customerId,
        change: { action: 'delete', before: toCustomerDto(row), after: null },
      };
    });
  }

  private async assertTierExists(tx: EntityManager, tier: string): Promise<void> {
    const missing = await this.tiers.missing([tier], tx);
    if (missing.length > 0) throw new UnknownReferenceError('tier', missing, 'The customer mapping');
  }
}

function findMapping(
  manager: EntityManager,
  customerId: string,
  integrationId: string | null,
): Promise<CustomerEntity | null> {
  return manager.findOneBy(CustomerEntity, { customerId, integrationId: integrationId ?? IsNull() });
}

function assign(row: CustomerEntity, body: CustomerBody): CustomerEntity {
  row.name = body.name ?? null;
  row.tierId = body.tier;
  return row;
}

function describe(customerId: string, integrationId: string | null): string {
  return integrationId
    ? `"${customerId}" (integration "${integrationId}")`
    : `"${customerId}" (all integrations)`;
}

export function toCustomerDto(row: CustomerEntity): CustomerDto {
  return {
    id: row.customerId,
    integrationId: row.integrationId,
    name: row.name,
    tier: row.tierId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
