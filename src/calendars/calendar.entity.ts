import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { HolidayDefinition, WeeklyInterval } from '../engine/types.js';

/** A business calendar as the engine's CalendarDefinition, plus a display name. Holidays live inside the row. */
@Entity('calendars')
export class CalendarEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, name: 'id', primaryKeyConstraintName: 'pk_calendars' })
  id: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  @Column({ type: 'varchar', length: 64, name: 'time_zone' })
  timeZone: string;

  @Column({ type: 'boolean', name: 'always_open', default: false })
  alwaysOpen: boolean;

  @Column({ type: 'jsonb', name: 'weekly' })
  weekly: WeeklyInterval[];

  @Column({ type: 'jsonb', name: 'holidays' })
  holidays: HolidayDefinition[];

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
