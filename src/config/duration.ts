// Durations as the configuration writes them ("14 days", "36 hours", "2 weeks").

export const DURATION_PATTERN = /^\s*(\d+)\s*(second|minute|hour|day|week)s?\s*$/;

export const UNIT_SECONDS = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 } as const;

/** "14 days" -> 1209600. The schema has already checked the form. */
export function durationSeconds(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}
