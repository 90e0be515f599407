/** `--as-of`: an ISO date or date-time; without a zone it is UTC. Default: now, to the second. */
export function parseAsOf(text: string | undefined): Date {
  if (!text) return new Date(Math.floor(Date.now() / 1000) * 1000);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : hasZone ? text : `${text.replace(' ', 'T')}Z`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`--as-of "${text}" is not a date or date-time (e.g. 2026-11-21 or 2026-11-21T06:00:00Z)`);
  return date;
}
