import { isStorableTimestamp } from './timestamp';

describe('isStorableTimestamp', () => {
  it('takes dates and date-times PostgreSQL reads as a timestamptz', () => {
    for (const value of ['2026-12-01', '2026-12-01T09:30', '2026-12-01T09:30:00Z', '2026-12-01 09:30:00.123+01:00', '2024-02-29T23:59:59.999999Z', '2026-12-01T09:30:00+14:00', '2026-12-01T09:30:00-15:59']) {
      expect({ value, ok: isStorableTimestamp(value) }).toEqual({ value, ok: true });
    }
  });

  it('refuses ISO 8601 forms PostgreSQL refuses, and days that do not exist', () => {
    for (const value of ['2024', '2024-06', '2024-W05', '-2024-01-01', '0000-01-01', '2024-02-31', '2023-02-29', '2024-13-01', '2024-01-01T24:00', '2024-01-01T10:60', '2026-01-01T00:00:00+16:00', '2026-01-01T00:00:00-23:59', '2026-01-01T00:00:00+01:60', 'yesterday', '', 20240101]) {
      expect({ value, ok: isStorableTimestamp(value) }).toEqual({ value, ok: false });
    }
  });
});
