/**
 * Exact percentile with linear interpolation between the closest ranks: numpy's default
 * (`method='linear'`) and SQL `percentile_cont`.
 *
 * With the values sorted ascending as v[0..n-1], the position is h = q (n - 1) and the result is
 * v[floor(h)] + (h - floor(h)) (v[ceil(h)] - v[floor(h)]). NULL (null) for no values.
 */
export function percentileCont(values: number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new Error(`percentileCont: q must be in [0, 1], got ${q}`);
  if (values.length === 0) return null;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`percentileCont: not a finite number: ${String(v)}`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const h = q * (sorted.length - 1);
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const low = sorted[lo]!;
  const high = sorted[hi]!;
  return low + (h - lo) * (high - low);
}
