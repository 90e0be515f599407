// Window arithmetic in UTC, mirroring the dialects' windowStart (ISO weeks start on Monday).
import type { Granularity } from './schema.js';

export function windowStart(granularity: Granularity, at: Date): Date {
  // (not Date.UTC, which reads years 0-99 as 1900-1999: a placeholder time such as 0001-01-01 fell in 1901)
  const d = new Date(0);
  d.setUTCFullYear(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  if (granularity === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (granularity === 'month') d.setUTCDate(1);
  return d;
}
