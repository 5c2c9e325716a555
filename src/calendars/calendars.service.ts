import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, Repository } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, InUseError, NotFoundError, ValidationError } from '../common/errors.js';
import { calendarReferences, describeReferences } from '../policies/config-core/config-references.js';
import {
  alwaysOpenCalendar,
  importPublicHolidays,
  validateCalendarDefinition,
} from '../engine/calendar/index.js';
import { ALWAYS_OPEN_CALENDAR_ID, type CalendarDefinition, type HolidayDefinition } from '../engine/types.js';
import { ConfigChangesService } from '../policies/config-core/config-changes.service.js';
import { canonicalJson } from '../policies/config-core/canonical-json.js';
import { newConfigId } from '../policies/config-core/config-id.schema.js';
import { CalendarEntity } from './calendar.entity.js';
import { CalendarVersionsService } from './calendar-versions.service.js';
import type {
  CalendarBody,
  CalendarDetailDto,
  CalendarDto,
  CreateCalendarBody,
  HolidayImportResult,
  ImportHolidaysBody,
} from './calendars.schemas.js';

/**
 * `calendars` holds each calendar's current definition; every change also writes an immutable version
 * (calendar_versions) in the same transaction, so that stopped clocks keep the calendar they were judged under.
 */
@Injectable()
export class CalendarsService {
  constructor(
    @InjectRepository(CalendarEntity) private readonly calendars: Repository<CalendarEntity>,
    private readonly versions: CalendarVersionsService,
    private readonly changes: ConfigChangesService,
  ) {}

  /** The built-in 24/7 calendar first, then the stored ones by id. */
  async list(): Promise<CalendarDto[]> {
    const rows = await this.calendars.find({ order: { id: 'ASC' } });
    const ids = rows.map((row) => row.id);
    const versions = await this.versions.currentVersions(this.calendars.manager, ids);
    return [
      BUILT_IN_ALWAYS_OPEN_SUMMARY,
      ...rows.map((row) => toCalendarDto(row, versions.get(row.id) ?? 0)),
    ];
  }

  async get(id: string): Promise<CalendarDetailDto> {
    if (id === ALWAYS_OPEN_CALENDAR_ID) return BUILT_IN_ALWAYS_OPEN;
    return this.detail(this.calendars.manager, await this.find(this.calendars.manager, id));
  }

  async create(body: CreateCalendarBody, actor: Actor): Promise<CalendarDetailDto> {
    const id = body.id ?? newConfigId();
    assertNotReserved(id);
    assertMeaningful(id, body);
    return this.changes.write('calendar', actor, async (tx) => {
      if (await tx.existsBy(CalendarEntity, { id })) {
        throw new ConflictError(`Calendar "${id}" already exists. Use PUT /calendars/${id} to change it.`);
      }
      const saved = await tx.save(CalendarEntity, assign(tx.create(CalendarEntity, { id }), body));
      await this.versions.record(tx, saved);
      const calendar = await this.detail(tx, saved);
      return {
        value: calendar,
        changedId: id,
        change: { action: 'create', before: null, after: withoutHistory(calendar) },
      };
    });
  }

  /** Create-or-replace: the body is the whole calendar (weekly and holidays default to empty lists). */
  async put(
    id: string,
    body: CalendarBody,
    actor: Actor,
    ifMatch?: number,
  ): Promise<{ calendar: CalendarDetailDto; created: boolean }> {
    assertNotReserved(id);
    assertMeaningful(id, body);
    return this.changes.write('calendar', actor, async (tx) => {
      const existing = await tx.findOneBy(CalendarEntity, { id });
      const version = (await this.versions.currentVersions(tx, [id])).get(id) ?? 0;
      if (ifMatch !== undefined) {
        if (version !== ifMatch)
          throw new ConflictError(
            `Calendar "${id}" is at version ${version}, not ${ifMatch}: someone changed it since you read it. ` +
              'GET it again, reapply your change, and send its version in If-Match.',
          );
      }
      if (existing && sameCalendar(existing, body)) {
        // Identical: no version, no revision bump, no re-evaluation.
        return { value: { calendar: await this.detail(tx, existing), created: false }, changedId: null };
      }
      const before = existing && toCalendarDto(existing, version);
      const saved = await tx.save(
        CalendarEntity,
        assign(existing ?? tx.create(CalendarEntity, { id }), body),
      );
      await this.versions.record(tx, saved);
      const calendar = await this.detail(tx, saved);
      return {
        value: { calendar, created: !existing },
        changedId: id,
        change: { action: existing ? 'update' : 'create', before, after: withoutHistory(calendar) },
      };
    });
  }

  /**
   * Adds a country's (and region's) public holidays for a year range. Dates the calendar already has — one-off, or
   * recurring on that month-day — keep their existing entry, which may be a deliberate part-day holiday.
   */
  async importHolidays(id: string, body: ImportHolidaysBody, actor: Actor): Promise<HolidayImportResult> {
    return this.changes.write('calendar', actor, async (tx) => {
      const calendar = await this.find(tx, id);
      const { holidays, added: fresh, skipped } = mergeImportedHolidays(calendar, body);
      const before = toCalendarDto(calendar, (await this.versions.currentVersions(tx, [id])).get(id) ?? 0);
      if (fresh.length === 0) {
        return { value: { added: 0, skipped, calendar: before }, changedId: null };
      }
      calendar.holidays = holidays;
      assertMeaningful(id, calendar);
      const saved = await tx.save(CalendarEntity, calendar);
      const after = toCalendarDto(saved, await this.versions.record(tx, saved));
      return {
        value: { added: fresh.length, skipped, calendar: after },
        changedId: id,
        change: { action: 'update', before, after },
      };
    });
  }

  /**
   * Deletes a calendar with its versions, when no current policy counts in it and no clock ever ran in it (a stopped
   * clock keeps the calendar version it was judged under, so such a calendar stays for the record).
   */
  async remove(id: string, actor: Actor): Promise<void> {
    if (id === ALWAYS_OPEN_CALENDAR_ID) {
      throw new ConflictError(`The calendar "${id}" is built in and cannot be deleted.`);
    }
    await this.changes.write('calendar', actor, async (tx) => {
      const row = await this.find(tx, id);
      const before = toCalendarDto(row, (await this.versions.currentVersions(tx, [id])).get(id) ?? 0);
      const references = await calendarReferences(tx, id);
      if (Object.keys(references).length > 0) {
        throw new InUseError(
          `Calendar "${id}" is still used by ${describeReferences(references)}. Point the policies' targets at ` +
            'another calendar; a calendar that clocks ran in is kept for their record.',
          references,
        );
      }
      await this.versions.removeAll(tx, id);
      await tx.delete(CalendarEntity, { id });
      return { value: undefined, changedId: id, change: { action: 'delete', before, after: null } };
    });
  }

  /** The ids among `ids` that are neither stored calendars nor the implicit 24/7 one (for policy targets). */
  async missing(ids: readonly string[], tx: EntityManager = this.calendars.manager): Promise<string[]> {
    const wanted = [...new Set(ids)].filter((id) => id !== ALWAYS_OPEN_CALENDAR_ID);
    if (wanted.length === 0) return [];
    const found = new Set((await tx.findBy(CalendarEntity, { id: In(wanted) })).map((c) => c.id));
    return wanted.filter((id) => !found.has(id));
  }

  private async detail(manager: EntityManager, row: CalendarEntity): Promise<CalendarDetailDto> {
    const versions = await this.versions.history(manager, row.id);
    return { ...toCalendarDto(row, versions.at(-1)?.version ?? 0), versions };
  }

  private async find(manager: EntityManager, id: string): Promise<CalendarEntity> {
    const row = await manager.findOneBy(CalendarEntity, { id });
    if (!row) throw new NotFoundError('Calendar', id);
    return row;
  }
}

/**
 * The calendar every target without a calendarId counts in: around the clock, business days in UTC. It is built
 * into the engine (never stored, never changes), and shown here so that "24x7" in a policy can be looked up.
 */
const BUILT_IN_SINCE = new Date(0).toISOString();
const BUILT_IN_ALWAYS_OPEN: CalendarDetailDto = {
  id: ALWAYS_OPEN_CALENDAR_ID,
  name: '24/7 (built in)',
  timeZone: alwaysOpenCalendar.timeZone,
  alwaysOpen: true,
  weekly: [],
  holidays: [],
  version: 1,
  builtIn: true,
  createdAt: BUILT_IN_SINCE,
  updatedAt: BUILT_IN_SINCE,
  versions: [{ version: 1, name: '24/7 (built in)', validFrom: BUILT_IN_SINCE, validTo: null }],
};
const { versions: _history, ...BUILT_IN_ALWAYS_OPEN_SUMMARY } = BUILT_IN_ALWAYS_OPEN;

export function toCalendarDefinition(
  row: Pick<CalendarEntity, 'id' | 'timeZone' | 'alwaysOpen' | 'weekly' | 'holidays'>,
): CalendarDefinition {
  return {
    id: row.id,
    timeZone: row.timeZone,
    alwaysOpen: row.alwaysOpen,
    weekly: row.weekly,
    holidays: row.holidays,
  };
}

export function toCalendarDto(row: CalendarEntity, version: number): CalendarDto {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.timeZone,
    alwaysOpen: row.alwaysOpen,
    weekly: row.weekly,
    holidays: row.holidays,
    version,
    builtIn: false,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A calendar as the list shows it: for the audit log, without the history of versions. */
function withoutHistory(calendar: CalendarDetailDto): CalendarDto {
  const { versions: _history, ...summary } = calendar;
  return summary;
}

function assign(row: CalendarEntity, body: CalendarBody): CalendarEntity {
  row.name = body.name;
  row.timeZone = body.timeZone;
  row.alwaysOpen = body.alwaysOpen;
  row.weekly = body.weekly;
  row.holidays = body.holidays;
  return row;
}

function sameCalendar(row: CalendarEntity, body: CalendarBody): boolean {
  const stored = {
    name: row.name,
    timeZone: row.timeZone,
    alwaysOpen: row.alwaysOpen,
    weekly: row.weekly,
    holidays: row.holidays,
  };
  const given = {
    name: body.name,
    timeZone: body.timeZone,
    alwaysOpen: body.alwaysOpen,
    weekly: body.weekly,
    holidays: body.holidays,
  };
  return canonicalJson(stored) === canonicalJson(given);
}

function assertNotReserved(id: string): void {
  if (id === ALWAYS_OPEN_CALENDAR_ID) {
    throw new ValidationError(
      `The calendar id "${ALWAYS_OPEN_CALENDAR_ID}" is reserved for the built-in 24/7 calendar; choose another id.`,
    );
  }
}

/** The engine's meaning checks (zone, times, overlaps, some working time): all problems in one answer. */
function assertMeaningful(
  id: string,
  body: Pick<CalendarBody, 'timeZone' | 'alwaysOpen' | 'weekly' | 'holidays'>,
): void {
  const { timeZone, alwaysOpen, weekly, holidays } = body;
  const problems = validateCalendarDefinition({ id, timeZone, alwaysOpen, weekly, holidays });
  if (problems.length > 0) {
    throw new ValidationError(`The calendar is not valid: ${problems.join(' ')}`, { problems });
  }
}

/**
 * A calendar's holidays with a country's (and region's) public holidays added: dates the calendar already has —
 * one-off, or recurring on that month-day — keep their existing entry. Sorted by date. Throws a ValidationError for
 * an unknown country, state or region.
 */
export function mergeImportedHolidays(
  calendar: Pick<CalendarBody, 'weekly' | 'holidays'>,
  body: ImportHolidaysBody,
): { holidays: HolidayDefinition[]; added: HolidayDefinition[]; skipped: number } {
  const imported = loadPublicHolidays(body, calendar);
  const taken = new Set(calendar.holidays.map((h) => h.date));
  const added = imported.filter((h) => !taken.has(h.date) && !taken.has(h.date.slice(5)));
  const holidays = [...calendar.holidays, ...added].sort((a, b) => a.date.localeCompare(b.date));
  return { holidays, added, skipped: imported.length - added.length };
}

/** Part-day holidays (e.g. Christmas Eve from 14:00) are cut from the calendar's own weekly hours. */
function loadPublicHolidays(
  body: ImportHolidaysBody,
  calendar: Pick<CalendarBody, 'weekly'>,
): HolidayDefinition[] {
  try {
    return importPublicHolidays({ ...body, weekly: calendar.weekly });
  } catch (error) {
    // The importer throws only for input it cannot use (unknown country, state or region; bad years).
    throw new ValidationError(`Cannot import holidays: ${(error as Error).message}`);
  }
}
