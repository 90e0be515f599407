import { UsageError } from '../errors.js';

const FORMAT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `--as-of`: an ISO date or date-time; without a zone it is UTC. Default: now, to the second. A
 * date that does not exist (2026-02-30) is an error, not the day JavaScript's Date rolls it over to.
 */
export function parseAsOf(text: string | undefined): Date {
  if (!text) return new Date(Math.floor(Date.now() / 1000) * 1000);
  const bad = () => new UsageError(`--as-of "${text}" is not a date or date-time (e.g. 2026-11-21 or 2026-11-21T06:00:00Z)`);
  const parts = FORMAT.exec(text.trim());
  if (!parts) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = parts;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const exists = day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(mo) - 1 && day.getUTCDate() === Number(d);
  if (!exists || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw bad();
  const date = new Date(zone ? text.trim().replace(' ', 'T') : `${text.trim().replace(' ', 'T')}${parts[4] ? '' : 'T00:00:00'}Z`);
  if (Number.isNaN(date.getTime())) throw bad();
  return date;
}
