import { Injectable } from '@nestjs/common';
import { type EntityManager, In, IsNull } from 'typeorm';
import { ConfigChangesService } from '../policies/config-core/config-changes.service.js';
import type { CalendarEntity } from './calendar.entity.js';
import { CalendarVersionEntity } from './calendar-version.entity.js';
import type { CalendarVersionSummary } from './calendars.schemas.js';

/** Only the columns that say which version is in force: the definitions (thousands of holidays) stay unread. */
const SUMMARY = { calendarId: true, version: true, name: true, validFrom: true, validTo: true } as const;

/**
 * The history of calendar definitions, written in the same transaction as the change to `calendars` and with the
 * same conventions as policy versions: the database clock, the previous version closed at the new one's start.
 */
@Injectable()
export class CalendarVersionsService {
  constructor(private readonly changes: ConfigChangesService) {}

  /** Records `row` (already saved) as the calendar's next version; returns its number. */
  async record(tx: EntityManager, row: CalendarEntity): Promise<number> {
    const current = await tx.findOne(CalendarVersionEntity, {
      where: { calendarId: row.id, validTo: IsNull() },
      select: SUMMARY,
    });
    // The database clock, so that all processes agree; strictly after the previous version even if clocks step back.
    const now = (await this.changes.now(tx)).getTime();
    const validFrom = new Date(current ? Math.max(now, current.validFrom.getTime() + 1) : now);
    const version = (current?.version ?? 0) + 1;
    if (current) {
      // Closed first: the partial unique index allows one current version per calendar.
      await tx.update(
        CalendarVersionEntity,
        { calendarId: row.id, version: current.version },
        { validTo: validFrom },
      );
    }
    await tx.insert(CalendarVersionEntity, {
      calendarId: row.id,
      version,
      name: row.name,
      timeZone: row.timeZone,
      alwaysOpen: row.alwaysOpen,
      weekly: row.weekly,
      holidays: row.holidays,
      validFrom,
      validTo: null,
    });
    return version;
  }

  /** Drops a calendar's whole history (only for a calendar no clock ever ran in). */
  async removeAll(tx: EntityManager, calendarId: string): Promise<void> {
    await tx.delete(CalendarVersionEntity, { calendarId });
  }

  /** calendarId → current version number, for the given calendars. */
  async currentVersions(tx: EntityManager, ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await tx.find(CalendarVersionEntity, {
      where: { calendarId: In([...ids]), validTo: IsNull() },
      select: { calendarId: true, version: true },
    });
    return new Map(rows.map((row) => [row.calendarId, row.version]));
  }

  /** Every version of one calendar, oldest first, without the definitions. */
  async history(tx: EntityManager, id: string): Promise<CalendarVersionSummary[]> {
    const rows = await tx.find(CalendarVersionEntity, {
      where: { calendarId: id },
      select: SUMMARY,
      order: { version: 'ASC' },
    });
    return rows.map((row) => ({
      version: row.version,
      name: row.name,
      validFrom: row.validFrom.toISOString(),
      validTo: row.validTo?.toISOString() ?? null,
    }));
  }
}
