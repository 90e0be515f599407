import { UsageError } from '../errors.js';

// YYYY-MM-DD, optionally with a time (T or a space; minutes, seconds, any fraction) and a zone (Z or
// ±HH[:]MM, optionally after a space, as `git log --date=iso` writes it)
const FORMAT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(?: ?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * `--as-of`: an ISO date or date-time; without a zone it is UTC. Default (undefined): now, to the second. A
 * date that does not exist (2026-02-30) is an error, not the day JavaScript's Date rolls it over to, and
 * so is a time finer than a millisecond (trailing zeros aside), which a JavaScript Date cannot hold.
 */
export function parseAsOf(text: string | undefined): Date {
  if (text === undefined) return new Date(Math.floor(Date.now() / 1000) * 1000);
  // `--as-of` without a value (or `--as-of=`, `--as-of "$UNSET"`) is a mistake, not "now"
  if (text.trim() === '') throw new UsageError('--as-of needs a UTC date or date-time (e.g. 2026-11-21 or 2026-11-21T06:00:00Z); leave --as-of out to mean now');
  const bad = () => new UsageError(`--as-of "${text}" is not a date or date-time (e.g. 2026-11-21 or 2026-11-21T06:00:00Z)`);
  const parts = FORMAT.exec(text.trim());
  if (!parts) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = parts;
  const day = new Date(0);
  day.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // (Date.UTC reads years 0-99 as 1900-1999)
  const exists = day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(mo) - 1 && day.getUTCDate() === Number(d);
  if (!exists || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw bad();
  const [zoneHours, zoneMinutes] = zone === 'Z' ? [0, 0] : [Number(zone.slice(1, 3)), Number(zone.slice(-2))];
  if (zoneHours > 23 || zoneMinutes > 59) throw bad();
  const offset = (zone.startsWith('-') ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  // Times are kept to the millisecond: a finer as-of would be cut, and an event between the two left out
  if (/[1-9]/.test(fraction.slice(4))) throw new UsageError(`--as-of "${text}" is finer than a millisecond; give at most 3 decimals of a second`);
  const ms = Number(fraction.slice(1, 4).padEnd(3, '0'));
  return new Date(day.getTime() + ((Number(h) * 60 + Number(mi) - offset) * 60 + Number(s)) * 1000 + ms);
}
