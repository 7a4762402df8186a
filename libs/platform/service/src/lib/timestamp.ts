import { buildMessage, ValidateBy } from 'class-validator';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):(\d{2}))?)?$/;

/**
 * A date, or a date and time, that PostgreSQL takes as a timestamptz. ISO 8601 allows forms it
 * refuses (a bare year, week dates, year 0, February 30th), which would fail in a statement as a 500.
 */
export function isStorableTimestamp(value: unknown): boolean {
  const match = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (!match) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  // PostgreSQL takes offsets up to 15:59 (real ones reach 14:00).
  const offsetTaken = offsetHours! <= 15 && offsetMinutes! < 60;
  return year! >= 1 && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day! && hour! < 24 && minute! < 60 && second! < 60 && offsetTaken && !Number.isNaN(Date.parse(value as string));
}

/** class-validator: see isStorableTimestamp. */
export const IsStorableTimestamp = () =>
  ValidateBy({
    name: 'isStorableTimestamp',
    validator: {
      validate: isStorableTimestamp,
      defaultMessage: buildMessage((each) => `${each}$property must be a date (2026-12-01) or a date and time (2026-12-01T09:30:00Z)`),
    },
  });
