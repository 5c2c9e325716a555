import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import type { HolidayDefinition, WeeklyInterval } from '../engine/types.js';
import { CalendarEntity } from './calendar.entity.js';

/**
 * One immutable version of a calendar, in force over [valid_from, valid_to); valid_to is null for the current one.
 * Stopped clocks are judged under the version in force when their stop became known (SEMANTICS 9), so a version row
 * is never updated except to close it. `calendars` keeps the current definition for the admin API.
 */
@Entity('calendar_versions')
@Index('uq_calendar_versions_current', ['calendarId'], { unique: true, where: '"valid_to" IS NULL' })
@Check('ck_calendar_versions_valid_range', '"valid_to" IS NULL OR "valid_to" > "valid_from"')
export class CalendarVersionEntity {
  // RESTRICT: the history judges stopped clocks, so it must not vanish with the calendar.
  @ForeignKey(() => CalendarEntity, { name: 'fk_calendar_versions_calendar', onDelete: 'RESTRICT' })
  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    name: 'calendar_id',
    primaryKeyConstraintName: 'pk_calendar_versions',
  })
  calendarId: string;

  @PrimaryColumn({ type: 'integer', name: 'version', primaryKeyConstraintName: 'pk_calendar_versions' })
  version: number;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  @Column({ type: 'varchar', length: 64, name: 'time_zone' })
  timeZone: string;

  @Column({ type: 'boolean', name: 'always_open' })
  alwaysOpen: boolean;

  @Column({ type: 'jsonb', name: 'weekly' })
  weekly: WeeklyInterval[];

  @Column({ type: 'jsonb', name: 'holidays' })
  holidays: HolidayDefinition[];

  @Column({ type: 'timestamptz', name: 'valid_from' })
  validFrom: Date;

  @Column({ type: 'timestamptz', name: 'valid_to', nullable: true })
  validTo: Date | null;
}
