import { describe, expect, it } from 'vitest';
import {
  compileCalendar,
  importPublicHolidays,
  listHolidayCountries,
} from '../../src/engine/calendar/index.js';
import { listHolidayStates } from '../../src/engine/calendar/holiday-import.js';
import { MON_FRI, on } from './calendar-fixtures.js';

describe('importPublicHolidays', () => {
  it('imports the public holidays of Bavaria (DE/BY) as local dates with names', () => {
    const holidays = importPublicHolidays({ country: 'DE', state: 'BY', fromYear: 2026, toYear: 2026 });
    const dates = holidays.map((h) => h.date);
    expect(dates).toContain('2026-01-06'); // Heilige Drei Könige: Bavaria, not all of Germany
    expect(dates).toContain('2026-06-04'); // Fronleichnam
    expect(dates).toContain('2026-12-25');
    expect(dates).not.toContain('2026-12-24'); // a 'bank' part day, not public
    expect(holidays.find((h) => h.date === '2026-10-03')?.name).toBe('Tag der Deutschen Einheit');
    expect(holidays.every((h) => /^\d{4}-\d{2}-\d{2}$/.test(h.date) && h.intervals === undefined)).toBe(true);
    expect(dates).toEqual([...dates].sort());
  });

  it('a region without a state is taken as the state (DE/BY)', () => {
    expect(
      importPublicHolidays({ country: 'DE', region: 'BY', fromYear: 2026, toYear: 2026 }).map((h) => h.date),
    ).toContain('2026-01-06');
    expect(
      importPublicHolidays({ country: 'DE', fromYear: 2026, toYear: 2026 }).map((h) => h.date),
    ).not.toContain('2026-01-06');
  });

  it('imports US federal holidays over a year range, with substitute days', () => {
    const holidays = importPublicHolidays({ country: 'us', fromYear: 2026, toYear: 2027, language: 'en' });
    const dates = holidays.map((h) => h.date);
    expect(dates).toEqual(expect.arrayContaining(['2026-07-04', '2026-11-26', '2027-07-05', '2027-12-24']));
    expect(holidays.find((h) => h.date === '2026-11-26')?.name).toBe('Thanksgiving Day');
  });

  it('a part-day holiday (Christmas Eve from 14:00) becomes the weekly intervals cut at 14:00 when weekly is given', () => {
    const weekly = on(MON_FRI, ['09:00', '12:00'], ['13:00', '17:30']);
    const holidays = importPublicHolidays({
      country: 'DE',
      state: 'BY',
      fromYear: 2026,
      toYear: 2026,
      types: ['public', 'bank'],
      weekly,
    });
    expect(holidays.find((h) => h.date === '2026-12-24')).toEqual({
      date: '2026-12-24',
      name: 'Heiliger Abend (from 14:00)',
      intervals: [
        { start: '09:00', end: '12:00' },
        { start: '13:00', end: '14:00' },
      ],
    });
    const cal = compileCalendar({ id: 'by', timeZone: 'Europe/Berlin', weekly, holidays });
    expect(
      cal.businessTimeBetween(Date.parse('2026-12-23T23:00:00Z'), Date.parse('2026-12-24T23:00:00Z')),
    ).toBe(4 * 3_600_000);
  });

  it('without weekly, a part-day holiday is a whole day off', () => {
    const holidays = importPublicHolidays({
      country: 'DE',
      fromYear: 2026,
      toYear: 2026,
      types: ['public', 'bank'],
    });
    expect(holidays.find((h) => h.date === '2026-12-24')).toEqual({
      date: '2026-12-24',
      name: 'Heiliger Abend (from 14:00)',
    });
  });

  it('throws a clear error for an unknown country, state or region', () => {
    expect(() => importPublicHolidays({ country: 'XX', fromYear: 2026, toYear: 2026 })).toThrow(
      /Unknown holiday country "XX"; use an ISO 3166-1 alpha-2 code/,
    );
    expect(() => importPublicHolidays({ country: 'DE', state: 'ZZ', fromYear: 2026, toYear: 2026 })).toThrow(
      /Unknown state of DE: "ZZ"; use one of .*BY/,
    );
    expect(() =>
      importPublicHolidays({ country: 'DE', state: 'BY', region: 'QQ', fromYear: 2026, toYear: 2026 }),
    ).toThrow(/Unknown region of DE-BY/);
    expect(() => importPublicHolidays({ country: 'DE', fromYear: 2027, toYear: 2026 })).toThrow(
      /fromYear ≤ toYear/,
    );
  });

  it('lists supported countries and states', () => {
    const countries = listHolidayCountries();
    expect(countries.find((c) => c.code === 'DE')?.name).toBe('Germany');
    expect(countries.length).toBeGreaterThan(100);
    expect(listHolidayStates('DE').map((s) => s.code)).toContain('BY');
  });
});
