import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Not, Repository } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { CalendarsService } from '../calendars/calendars.service.js';
import { ConflictError, InUseError, NotFoundError } from '../common/errors.js';
import type { MetricTargets, Priority } from '../engine/types.js';
import { TiersService } from '../tiers/tiers.service.js';
import { canonicalJson } from './config-core/canonical-json.js';
import { ConfigChangesService } from './config-core/config-changes.service.js';
import { describeReferences, policyReferences } from './config-core/config-references.js';
import { newConfigId } from './config-core/config-id.schema.js';
import { UnknownReferenceError } from './config-core/unknown-reference.error.js';
import type {
  CreatePolicyBody,
  PolicyBody,
  PolicyDto,
  PolicyVersionDto,
  PolicyVersionSummary,
} from './policies.schemas.js';
import { PolicyVersionEntity } from './policy-version.entity.js';
import { PolicyEntity } from './policy.entity.js';

/**
 * Policies are versioned: every create or change writes a new immutable version and closes the previous one at the
 * same instant, in one transaction, so that clocks can say which version they ran under.
 */
@Injectable()
export class PoliciesService {
  constructor(
    @InjectRepository(PolicyVersionEntity) private readonly versions: Repository<PolicyVersionEntity>,
    private readonly tiers: TiersService,
    private readonly calendars: CalendarsService,
    private readonly changes: ConfigChangesService,
  ) {}

  /** The current version of every policy (active or not), in precedence order. */
  async list(): Promise<PolicyVersionDto[]> {
    const rows = await this.versions.find({
      where: { validTo: IsNull() },
      order: { position: 'ASC', policyId: 'ASC' },
    });
    return rows.map(toPolicyVersionDto);
  }

  async get(id: string, manager: EntityManager = this.versions.manager): Promise<PolicyDto> {
    const rows = await manager.find(PolicyVersionEntity, {
      where: { policyId: id },
      order: { version: 'ASC' },
    });
    const current = rows.find((row) => row.validTo === null);
    if (!current) throw new NotFoundError('Policy', id);
    return { ...toPolicyVersionDto(current), versions: rows.map(toVersionSummary) };
  }

  async getVersion(id: string, version: number): Promise<PolicyVersionDto> {
    const row = await this.versions.findOneBy({ policyId: id, version });
    if (!row) throw new NotFoundError('Policy version', `${id}@${version}`);
    return toPolicyVersionDto(row);
  }

  async create(body: CreatePolicyBody, actor: Actor): Promise<PolicyDto> {
    const id = body.id ?? newConfigId();
    return this.changes.write('policy', actor, async (tx) => {
      if (await tx.existsBy(PolicyEntity, { id })) {
        throw new ConflictError(
          `Policy "${id}" already exists. Use PUT /policies/${id} to change it (a new version).`,
        );
      }
      await this.writeVersion(tx, id, body, null);
      const policy = await this.get(id, tx);
      return {
        value: policy,
        changedId: id,
        change: { action: 'create', before: null, after: withoutHistory(policy) },
      };
    });
  }

  /**
   * Deletes a policy and its versions when no clock ever ran under it. Clocks record the policy version they ran
   * under, so a policy with history is deactivated instead (its clocks become not_applicable, SEMANTICS 20).
   */
  async remove(id: string, actor: Actor): Promise<void> {
    await this.changes.write('policy', actor, async (tx) => {
      const current = await tx.findOneBy(PolicyVersionEntity, { policyId: id, validTo: IsNull() });
      if (!current) throw new NotFoundError('Policy', id);
      const references = await policyReferences(tx, id);
      if (Object.keys(references).length > 0) {
        throw new InUseError(
          `Policy "${id}" has ${describeReferences(references)} that ran under it, which keep its versions for the ` +
            `record. Deactivate it instead: PUT /policies/${id} with "active": false.`,
          references,
        );
      }
      await tx.delete(PolicyVersionEntity, { policyId: id });
      await tx.delete(PolicyEntity, { id });
      return {
        value: undefined,
        changedId: id,
        change: { action: 'delete', before: toPolicyVersionDto(current), after: null },
      };
    });
  }

  /**
   * Create-or-replace: writes version 1, or the next version; an identical body writes nothing. Returns what this
   * request wrote, read in its own transaction (never another request's later version). With `ifMatch` (the
   * version the caller last saw), a policy that has moved on since is a 409 and nothing is written.
   */
  async put(
    id: string,
    body: PolicyBody,
    actor: Actor,
    ifMatch?: number,
  ): Promise<{ policy: PolicyDto; created: boolean }> {
    return this.changes.write('policy', actor, async (tx) => {
      const current = await tx.findOneBy(PolicyVersionEntity, { policyId: id, validTo: IsNull() });
      if (ifMatch !== undefined && (current?.version ?? 0) !== ifMatch) {
        throw new ConflictError(
          `Policy "${id}" is at version ${current?.version ?? 'none'}, not ${ifMatch}: someone changed it since you ` +
            'read it. GET it again, reapply your change, and send its version in If-Match.',
        );
      }
      if (current && sameContent(current, body))
        return { value: { policy: await this.get(id, tx), created: false }, changedId: null };
      await this.writeVersion(tx, id, body, current);
      const policy = await this.get(id, tx);
      return {
        value: { policy, created: current === null },
        changedId: id,
        change: {
          action: current ? 'update' : 'create',
          before: current && toPolicyVersionDto(current),
          after: withoutHistory(policy),
        },
      };
    });
  }

  private async writeVersion(
    tx: EntityManager,
    id: string,
    body: PolicyBody,
    current: PolicyVersionEntity | null,
  ): Promise<void> {
    await this.assertReferencesExist(tx, body);
    if (body.active) await assertPositionFree(tx, id, body.position);

    // The database clock, so that all processes agree; strictly after the previous version even if clocks step back.
    const now = (await this.changes.now(tx)).getTime();
    const validFrom = new Date(current ? Math.max(now, current.validFrom.getTime() + 1) : now);
    const version = (current?.version ?? 0) + 1;
    if (current) {
      // Closed first: the partial unique indexes allow one current version per policy and per active position.
      await tx.update(
        PolicyVersionEntity,
        { policyId: id, version: current.version },
        { validTo: validFrom },
      );
    }
    await tx.save(PolicyEntity, { id, currentVersion: version });
    await tx.insert(PolicyVersionEntity, {
      policyId: id,
      version,
      name: body.name,
      position: body.position,
      active: body.active,
      conditions: body.conditions,
      targets: normaliseTargets(body.targets),
      validFrom,
      validTo: null,
    });
  }

  private async assertReferencesExist(tx: EntityManager, body: PolicyBody): Promise<void> {
    const missingTiers = await this.tiers.missing(body.conditions.tiers ?? [], tx);
    if (missingTiers.length > 0) throw new UnknownReferenceError('tier', missingTiers, 'conditions.tiers');
    const calendarIds = Object.values(body.targets).flatMap((byMetric) =>
      Object.values(byMetric ?? {}).flatMap((target) => (target?.calendarId ? [target.calendarId] : [])),
    );
    const missingCalendars = await this.calendars.missing(calendarIds, tx);
    if (missingCalendars.length > 0) throw new UnknownReferenceError('calendar', missingCalendars, 'targets');
    const ladderIds = Object.values(body.targets).flatMap((byMetric) =>
      Object.values(byMetric ?? {}).flatMap((target) => (target?.ladderId ? [target.ladderId] : [])),
    );
    const missingLadders = await missingLadderIds(tx, ladderIds);
    if (missingLadders.length > 0) throw new UnknownReferenceError('ladder', missingLadders, 'targets');
  }
}

/** Ladder ids that do not exist (read directly: the escalations module builds on this one, not the reverse). */
async function missingLadderIds(tx: EntityManager, ids: string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const rows: Array<{ id: string }> = await tx.query('SELECT id FROM escalation_ladders WHERE id = ANY($1)', [
    wanted,
  ]);
  const found = new Set(rows.map((r) => r.id));
  return wanted.filter((id) => !found.has(id));
}

/** SEMANTICS 17: precedence is explicit, so two active policies never share a position (the database agrees). */
async function assertPositionFree(tx: EntityManager, id: string, position: number): Promise<void> {
  const holder = await tx.findOneBy(PolicyVersionEntity, {
    position,
    active: true,
    validTo: IsNull(),
    policyId: Not(id),
  });
  if (holder) {
    throw new ConflictError(
      `Position ${position} is taken by active policy "${holder.policyId}" (${holder.name}). ` +
        'Positions decide precedence, so give this policy another position, or move or deactivate the other one first.',
    );
  }
}

/**
 * Warning thresholds ascending and without repeats, so that equal policies compare equal. Typed with the engine's
 * shape, so that passing a parsed body here proves that the schema and the engine agree.
 */
export function normaliseTargets(
  targets: Partial<Record<Priority, MetricTargets>>,
): Partial<Record<Priority, MetricTargets>> {
  const out: Partial<Record<Priority, MetricTargets>> = {};
  for (const [priority, byMetric] of Object.entries(targets) as Array<
    [Priority, MetricTargets | undefined]
  >) {
    if (!byMetric) continue;
    const metrics: MetricTargets = {};
    for (const [metric, target] of Object.entries(byMetric) as Array<
      [keyof MetricTargets, MetricTargets[keyof MetricTargets]]
    >) {
      if (!target) continue;
      metrics[metric] = target.warnAtPercent
        ? { ...target, warnAtPercent: [...new Set(target.warnAtPercent)].sort((a, b) => a - b) }
        : target;
    }
    out[priority] = metrics;
  }
  return out;
}

function sameContent(row: PolicyVersionEntity, body: PolicyBody): boolean {
  const stored = {
    name: row.name,
    position: row.position,
    active: row.active,
    conditions: row.conditions,
    targets: row.targets,
  };
  const given = { ...body, targets: normaliseTargets(body.targets) };
  return canonicalJson(stored) === canonicalJson(given);
}

/** A policy's current version in full: for the audit log, without the list of its versions. */
function withoutHistory(policy: PolicyDto): PolicyVersionDto {
  const { versions: _history, ...current } = policy;
  return current;
}

export function toVersionSummary(row: PolicyVersionEntity): PolicyVersionSummary {
  return {
    version: row.version,
    name: row.name,
    position: row.position,
    active: row.active,
    validFrom: row.validFrom.toISOString(),
    validTo: row.validTo?.toISOString() ?? null,
  };
}

export function toPolicyVersionDto(row: PolicyVersionEntity): PolicyVersionDto {
  // Stored targets were parsed by targetsSchema, so their pauseOn holds pausable statuses only.
  const targets = row.targets as PolicyVersionDto['targets'];
  return { id: row.policyId, ...toVersionSummary(row), conditions: row.conditions, targets };
}
