// Window arithmetic in UTC, mirroring the dialects' windowStart (ISO weeks start on Monday).
import type { Granularity } from './schema.js';

export function windowStart(granularity: Granularity, at: Date): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (granularity === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (granularity === 'month') d.setUTCDate(1);
  return d;
}
