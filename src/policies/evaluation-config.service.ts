import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CalendarTimeline } from '../calendars/calendar-timeline.js';
import { CompiledCalendarVersions } from '../calendars/compiled-calendar-versions.js';
import { CustomerEntity } from '../customers/customer.entity.js';
import { alwaysOpenCalendar } from '../engine/calendar/index.js';
import {
  ALWAYS_OPEN_CALENDAR_ID,
  type BusinessCalendar,
  type LadderDefinition,
  type PolicyVersion,
} from '../engine/types.js';
import { TierEntity } from '../tiers/tier.entity.js';
import { PolicyVersionEntity } from './policy-version.entity.js';

export { SLA_CONFIG_CHANGED, type SlaConfigChangedEvent } from './config-core/config-changed.event.js';

/** Everything the engine needs from configuration, as of one configuration revision. */
export interface EvaluationConfig {
  revision: number;
  /** ALL versions of all policies (the engine picks by validFrom/validTo), instants in epoch ms. */
  policies: PolicyVersion[];
  /** The current version of every calendar, compiled, by id, including ALWAYS_OPEN_CALENDAR_ID. */
  calendars: ReadonlyMap<string, BusinessCalendar>;
  /**
   * The calendar versions in force at an instant (before a calendar's first version: its first version), for the
   * engine's `calendarsAt`: stopped clocks keep the calendar they were judged under (SEMANTICS 9). Bound; cheap.
   */
  calendarsAt: (at: number) => ReadonlyMap<string, BusinessCalendar>;
  /** calendarId → IANA zone, to render deadlines locally. */
  calendarZones: ReadonlyMap<string, string>;
  /** customerId → tier; rows of the given integration override the global ones. */
  customerTiers: ReadonlyMap<string, string>;
  defaultTier?: string;
  /** Escalation ladders by id (current versions), and the ladder each tier uses by default. */
  ladders: ReadonlyMap<string, LadderDefinition>;
  ladderOfTier: ReadonlyMap<string, LadderDefinition>;
}

/** One revision's configuration, with the per-integration views built on demand. */
interface Snapshot {
  revision: number;
  policies: PolicyVersion[];
  calendars: CalendarTimeline;
  calendarZones: ReadonlyMap<string, string>;
  globalTiers: ReadonlyMap<string, string>;
  tiersByIntegration: ReadonlyMap<string, ReadonlyMap<string, string>>;
  defaultTier?: string;
  ladders: ReadonlyMap<string, LadderDefinition>;
  ladderOfTier: ReadonlyMap<string, LadderDefinition>;
  views: Map<string, EvaluationConfig>;
}

const NO_INTEGRATION = '';

/**
 * The configuration for ticket evaluation, on the ingest hot path. Each call costs one `SELECT revision`; only a
 * changed revision (from any process: they share Postgres) reloads, and only calendar versions not seen before are
 * read in full and compiled. Returned objects are shared between callers: treat them as read-only.
 */
@Injectable()
export class EvaluationConfigService {
  private snapshot?: Snapshot;
  private reloading?: Promise<Snapshot>;
  /** Compiling is the expensive part; versions are immutable, so each is compiled once for the process's life. */
  private readonly compiled = new CompiledCalendarVersions();

  constructor(private readonly dataSource: DataSource) {}

  async load(integrationId?: string): Promise<EvaluationConfig> {
    return this.atRevision(await this.currentRevision(this.dataSource.manager), integrationId);
  }

  /** As `load`, for a caller that has just read the revision itself (in the same query as its own data). */
  async atRevision(revision: number, integrationId?: string): Promise<EvaluationConfig> {
    let snapshot = this.snapshot;
    if (!snapshot || snapshot.revision < revision) snapshot = await this.reload(revision);
    return view(snapshot, integrationId ?? NO_INTEGRATION);
  }

  /** One reload at a time; callers that need the revision it brings (or an older one) share it. */
  private async reload(revision: number): Promise<Snapshot> {
    while (this.reloading) {
      const pending = await this.reloading;
      if (pending.revision >= revision) return pending;
    }
    this.reloading = this.readSnapshot().finally(() => (this.reloading = undefined));
    const snapshot = await this.reloading;
    if (!this.snapshot || this.snapshot.revision < snapshot.revision) this.snapshot = snapshot;
    return snapshot;
  }

  /** Reads the revision and every table in one REPEATABLE READ snapshot, so the revision labels exactly this data. */
  private async readSnapshot(): Promise<Snapshot> {
    const data = await this.dataSource.transaction('REPEATABLE READ', async (tx) => ({
      // The first query fixes the snapshot; the others follow on the same connection.
      revision: await this.currentRevision(tx),
      versions: await tx.find(PolicyVersionEntity, { order: { policyId: 'ASC', version: 'ASC' } }),
      calendars: await this.compiled.read(tx),
      customers: await tx.find(CustomerEntity, {
        select: { customerId: true, integrationId: true, tierId: true },
      }),
      defaultTier: await tx.findOne(TierEntity, { where: { isDefault: true }, select: { id: true } }),
      ladders: (await tx.query(
        'SELECT id, version, tiers, steps FROM escalation_ladders ORDER BY id',
      )) as Array<LadderDefinition & { tiers: string[] }>,
    }));
    const ladders = new Map(
      data.ladders.map((l) => [l.id, { id: l.id, version: l.version, steps: l.steps }]),
    );
    const ladderOfTier = new Map<string, LadderDefinition>();
    // Ids in order: if two ladders claim a tier, the first by id wins, the same in every process.
    for (const l of data.ladders)
      for (const tier of l.tiers) if (!ladderOfTier.has(tier)) ladderOfTier.set(tier, ladders.get(l.id)!);
    // Compiled after the transaction, so that no connection is held while the CPU works.
    const calendars = new CalendarTimeline(this.compiled.compile(data.calendars));
    const calendarZones = new Map<string, string>([[ALWAYS_OPEN_CALENDAR_ID, alwaysOpenCalendar.timeZone]]);
    for (const row of data.calendars.current) calendarZones.set(row.calendarId, row.timeZone);
    const globalTiers = new Map<string, string>();
    const tiersByIntegration = new Map<string, Map<string, string>>();
    for (const row of data.customers) {
      if (row.integrationId === null) globalTiers.set(row.customerId, row.tierId);
      else mapFor(tiersByIntegration, row.integrationId).set(row.customerId, row.tierId);
    }
    return {
      revision: data.revision,
      policies: data.versions.map(toPolicyVersion),
      calendars,
      calendarZones,
      globalTiers,
      tiersByIntegration,
      defaultTier: data.defaultTier?.id,
      ladders,
      ladderOfTier,
      views: new Map(),
    };
  }

  private async currentRevision(manager: EntityManager): Promise<number> {
    const rows: Array<{ revision: number }> = await manager.query(
      'SELECT revision FROM config_revision WHERE id = 1',
    );
    return rows[0]?.revision ?? 0;
  }
}

function view(snapshot: Snapshot, integrationId: string): EvaluationConfig {
  let config = snapshot.views.get(integrationId);
  if (!config) {
    const overrides = snapshot.tiersByIntegration.get(integrationId);
    const customerTiers = overrides ? new Map([...snapshot.globalTiers, ...overrides]) : snapshot.globalTiers;
    config = {
      revision: snapshot.revision,
      policies: snapshot.policies,
      calendars: snapshot.calendars.current,
      calendarsAt: snapshot.calendars.at,
      calendarZones: snapshot.calendarZones,
      customerTiers,
      defaultTier: snapshot.defaultTier,
      ladders: snapshot.ladders,
      ladderOfTier: snapshot.ladderOfTier,
    };
    snapshot.views.set(integrationId, config);
  }
  return config;
}

function mapFor(maps: Map<string, Map<string, string>>, key: string): Map<string, string> {
  let map = maps.get(key);
  if (!map) maps.set(key, (map = new Map()));
  return map;
}

export function toPolicyVersion(row: PolicyVersionEntity): PolicyVersion {
  return {
    policyId: row.policyId,
    name: row.name,
    version: row.version,
    position: row.position,
    active: row.active,
    conditions: row.conditions,
    targets: row.targets,
    validFrom: row.validFrom.getTime(),
    validTo: row.validTo?.getTime() ?? null,
  };
}
