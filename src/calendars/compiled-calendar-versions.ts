import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { compileCalendar } from '../engine/calendar/index.js';
import type { BusinessCalendar, CalendarDefinition } from '../engine/types.js';
import { canonicalJson } from '../policies/config-core/canonical-json.js';
import type { TimelineVersion } from './calendar-timeline.js';
import { CalendarVersionEntity } from './calendar-version.entity.js';
import { toCalendarDefinition } from './calendars.service.js';

type VersionIndexRow = Pick<
  CalendarVersionEntity,
  'calendarId' | 'version' | 'validFrom' | 'validTo' | 'timeZone'
>;

/** What one reload read: which versions exist (cheap columns), and the full rows of those not compiled yet. */
export interface CalendarVersionsRead {
  index: VersionIndexRow[];
  current: VersionIndexRow[];
  fresh: CalendarVersionEntity[];
}

interface Compiled {
  /** Hash of the definition, so that a version that changed only the name shares its predecessor's instance. */
  hash: string;
  calendar: BusinessCalendar | null;
}

/**
 * Compiled calendar versions, cached by (calendar id, version) across reloads. Versions are immutable, so a version
 * is read in full and compiled once; later reloads read only the version list.
 */
export class CompiledCalendarVersions {
  private readonly logger = new Logger(CompiledCalendarVersions.name);
  private readonly cache = new Map<string, Map<number, Compiled>>();

  /** Inside the reload's snapshot transaction. */
  async read(tx: EntityManager): Promise<CalendarVersionsRead> {
    const index: VersionIndexRow[] = await tx.find(CalendarVersionEntity, {
      select: { calendarId: true, version: true, validFrom: true, validTo: true, timeZone: true },
      order: { calendarId: 'ASC', version: 'ASC' },
    });
    const missing = index.filter((row) => !this.cache.get(row.calendarId)?.has(row.version));
    const fresh =
      missing.length === 0
        ? []
        : await tx
            .createQueryBuilder(CalendarVersionEntity, 'v')
            .where(
              '("v"."calendar_id", "v"."version") IN (SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:versions AS integer[])))',
              { ids: missing.map((row) => row.calendarId), versions: missing.map((row) => row.version) },
            )
            .orderBy('v.calendarId', 'ASC')
            .addOrderBy('v.version', 'ASC')
            .getMany();
    return { index, current: index.filter((row) => row.validTo === null), fresh };
  }

  /** After the transaction (CPU only): compiles the fresh versions, forgets vanished ones, lists each calendar's. */
  compile(read: CalendarVersionsRead): Map<string, TimelineVersion[]> {
    for (const row of read.fresh) this.add(row);
    const byCalendar = new Map<string, TimelineVersion[]>();
    const known = new Map<string, Set<number>>();
    for (const row of read.index) {
      const compiled = this.cache.get(row.calendarId)?.get(row.version);
      if (!compiled) continue; // cannot happen: both reads share one snapshot
      let list = byCalendar.get(row.calendarId);
      if (!list) byCalendar.set(row.calendarId, (list = []));
      list.push({ validFrom: row.validFrom.getTime(), calendar: compiled.calendar });
      let versions = known.get(row.calendarId);
      if (!versions) known.set(row.calendarId, (versions = new Set()));
      versions.add(row.version);
    }
    this.prune(known);
    return byCalendar;
  }

  private add(row: CalendarVersionEntity): void {
    const definition = toCalendarDefinition({ ...row, id: row.calendarId });
    const hash = createHash('sha256').update(canonicalJson(definition)).digest('base64');
    let versions = this.cache.get(row.calendarId);
    if (!versions) this.cache.set(row.calendarId, (versions = new Map()));
    const same = [...versions.values()].find((c) => c.hash === hash);
    versions.set(row.version, { hash, calendar: same ? same.calendar : this.compileOrNull(row, definition) });
  }

  private compileOrNull(row: CalendarVersionEntity, definition: CalendarDefinition): BusinessCalendar | null {
    try {
      return compileCalendar(definition);
    } catch (error) {
      // Saved calendars were validated; one the engine now refuses must not stop every other evaluation.
      this.logger.error(
        `Calendar "${row.calendarId}" version ${row.version} cannot be compiled and is left out: ${(error as Error).message}`,
      );
      return null;
    }
  }

  private prune(known: ReadonlyMap<string, ReadonlySet<number>>): void {
    for (const [id, versions] of this.cache) {
      const keep = known.get(id);
      if (!keep) this.cache.delete(id);
      else for (const version of versions.keys()) if (!keep.has(version)) versions.delete(version);
    }
  }
}
