import { DURATION_PATTERN } from './schema.js';

const SECONDS = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 } as const;

/** "14 days" -> 1209600. The schema has already checked the form. */
export function durationSeconds(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * SECONDS[m[2] as keyof typeof SECONDS];
}
