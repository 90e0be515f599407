// "Did you mean …?" for misspelt keys and values.

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/**
 * The closest candidate, if it is close enough to be a plausible typo; first, the one candidate
 * that has the word as a whole part of its name (auc: roc_auc, not the nearer mcc).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const all = [...candidates];
  const lower = word.toLowerCase();
  const holding = all.filter((c) => c.toLowerCase() !== lower && c.toLowerCase().split(/[_.@-]/).includes(lower));
  if (lower.length >= 2 && holding.length === 1) return holding[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of all) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * The one candidate that `word` is a misspelling of (at most two letters off, and more than two letters
 * long), if there is exactly one: `binary_clasification` is binary_classification whatever else is
 * wrong, where `forecasting` (three off) or `binary` (a part) may mean another candidate.
 */
export function misspelling(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const near = [...candidates].filter((c) => c.length > 2 && editDistance(lower, c.toLowerCase()) <= 2);
  return near.length === 1 ? near[0] : undefined;
}

/** Other names dbt's adapters accept for a profile field (dbt-postgres: pass, database; dbt-bigquery: database, schema). */
const DBT_ALIASES: Record<string, string[]> = { pass: ['password'], database: ['dbname', 'project'], schema: ['dataset'] };

/** The key a misspelt or dbt-aliased key most likely means, among the keys still absent. */
export function closestKey(key: string, absent: string[]): string | undefined {
  return closest(key, absent) ?? DBT_ALIASES[key]?.find((k) => absent.includes(k));
}
