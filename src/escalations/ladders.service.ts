import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, InUseError, NotFoundError } from '../common/errors.js';
import { ALWAYS_OPEN_CALENDAR_ID } from '../engine/types.js';
import { canonicalJson } from '../policies/config-core/canonical-json.js';
import { ConfigChangesService } from '../policies/config-core/config-changes.service.js';
import { newConfigId } from '../policies/config-core/config-id.schema.js';
import { UnknownReferenceError } from '../policies/config-core/unknown-reference.error.js';
import { TiersService } from '../tiers/tiers.service.js';
import { LadderEntity, LadderVersionEntity } from './ladder.entity.js';
import type { CreateLadderBody, LadderBody, LadderDto } from './ladders.schemas.js';

/**
 * Escalation ladders, versioned like calendars: the current definition in `escalation_ladders`, every change also
 * a version in `escalation_ladder_versions`, in the configuration's one write transaction (so open clocks are
 * re-evaluated under the new ladder, SEMANTICS 9).
 */
@Injectable()
export class LaddersService {
  constructor(
    @InjectRepository(LadderEntity) private readonly ladders: Repository<LadderEntity>,
    private readonly tiers: TiersService,
    private readonly changes: ConfigChangesService,
  ) {}

  async list(): Promise<LadderDto[]> {
    return (await this.ladders.find({ order: { id: 'ASC' } })).map(toLadderDto);
  }

  async get(id: string): Promise<LadderDto> {
    const row = await this.ladders.findOneBy({ id });
    if (!row) throw new NotFoundError('Ladder', id);
    return toLadderDto(row);
  }

  async create(body: CreateLadderBody, actor: Actor): Promise<LadderDto> {
    const id = body.id ?? newConfigId();
    return this.changes.write('ladder', actor, async (tx) => {
      if (await tx.existsBy(LadderEntity, { id }))
        throw new ConflictError(`Ladder "${id}" already exists. Use PUT /ladders/${id} to change it.`);
      const ladder = toLadderDto(await this.save(tx, id, body, null));
      return { value: ladder, changedId: id, change: { action: 'create', before: null, after: ladder } };
    });
  }

  async put(id: string, body: LadderBody, actor: Actor): Promise<{ ladder: LadderDto; created: boolean }> {
    return this.changes.write('ladder', actor, async (tx) => {
      const existing = await tx.findOneBy(LadderEntity, { id });
      if (existing && canonicalJson(content(existing)) === canonicalJson(content(body)))
        return { value: { ladder: toLadderDto(existing), created: false }, changedId: null };
      const before = existing && toLadderDto(existing);
      const ladder = toLadderDto(await this.save(tx, id, body, existing));
      return {
        value: { ladder, created: !existing },
        changedId: id,
        change: { action: existing ? 'update' : 'create', before, after: ladder },
      };
    });
  }

  /** Deletes a ladder no current policy names; recorded steps keep their recipients. */
  async remove(id: string, actor: Actor): Promise<void> {
    await this.changes.write('ladder', actor, async (tx) => {
      const row = await tx.findOneBy(LadderEntity, { id });
      if (!row) throw new NotFoundError('Ladder', id);
      const [{ policies }] = (await tx.query(
        `SELECT count(*)::int AS policies FROM policy_versions v WHERE v.valid_to IS NULL AND EXISTS (
           SELECT 1 FROM jsonb_each(v.targets) p, jsonb_each(p.value) m WHERE m.value ->> 'ladderId' = $1)`,
        [id],
      )) as Array<{ policies: number }>;
      if (policies > 0)
        throw new InUseError(
          `Ladder "${id}" is named by ${policies} policies' targets. Remove their ladderId first.`,
          { policies },
        );
      await tx.delete(LadderVersionEntity, { ladderId: id });
      await tx.delete(LadderEntity, { id });
      return {
        value: undefined,
        changedId: id,
        change: { action: 'delete', before: toLadderDto(row), after: null },
      };
    });
  }

  private async save(
    tx: EntityManager,
    id: string,
    body: LadderBody,
    existing: LadderEntity | null,
  ): Promise<LadderEntity> {
    const missingTiers = await this.tiers.missing(body.tiers, tx);
    if (missingTiers.length > 0) throw new UnknownReferenceError('tier', missingTiers, 'tiers');
    const calendars = [
      ...new Set(
        body.steps.flatMap((step) =>
          (step.notify as Array<{ workingHours?: string }>).flatMap((r) => r.workingHours ?? []),
        ),
      ),
    ].filter((id) => id !== ALWAYS_OPEN_CALENDAR_ID);
    if (calendars.length > 0) {
      const found = (await tx.query('SELECT id FROM calendars WHERE id = ANY($1::varchar[])', [
        calendars,
      ])) as Array<{ id: string }>;
      const missing = calendars.filter((id) => !found.some((f) => f.id === id));
      if (missing.length > 0)
        throw new UnknownReferenceError('calendar', missing, 'steps[].notify[].workingHours');
    }
    const now = (await this.changes.now(tx)).getTime();
    const version = (existing?.version ?? 0) + 1;
    if (existing) {
      const current = await tx.findOneBy(LadderVersionEntity, { ladderId: id, validTo: IsNull() });
      const validFrom = Math.max(now, (current?.validFrom.getTime() ?? 0) + 1);
      await tx.update(
        LadderVersionEntity,
        { ladderId: id, validTo: IsNull() },
        { validTo: new Date(validFrom) },
      );
    }
    const saved = await tx.save(LadderEntity, {
      ...(existing ?? tx.create(LadderEntity, { id })),
      name: body.name,
      tiers: body.tiers,
      steps: body.steps,
      version,
    });
    await tx.insert(LadderVersionEntity, {
      ladderId: id,
      version,
      name: body.name,
      tiers: body.tiers,
      steps: body.steps,
      validFrom: new Date(now),
      validTo: null,
    });
    return saved;
  }
}

function content(l: Pick<LadderEntity, 'name' | 'tiers' | 'steps'>) {
  return { name: l.name, tiers: l.tiers, steps: l.steps };
}

function toLadderDto(row: LadderEntity): LadderDto {
  return {
    id: row.id,
    name: row.name,
    tiers: row.tiers,
    steps: row.steps as LadderDto['steps'],
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
