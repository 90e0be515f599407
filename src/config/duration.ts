import { DURATION_PATTERN, UNIT_SECONDS } from './schema.js';

/** "14 days" -> 1209600. The schema has already checked the form. */
export function durationSeconds(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}
