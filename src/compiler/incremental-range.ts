// What an incremental run recomputes (docs/semantics.md §7): from the earliest prediction that data
// newer than the previous run can have changed, per granularity, the window holding it and every
// later one. The planning query that finds that prediction is models/plan.sql (planIncrementalRange).
import { closedBefore, type Monitor } from '../config/monitor.js';
import type { Granularity } from '../config/schema.js';
import { windowStart } from '../config/windows.js';
import { stepTemplate } from './pipelines.js';

export interface IncrementalRange {
  /** The previous successful run's as-of: data after it are new to this run. */
  previousAsOf: Date;
  /**
   * Per granularity, the first window start that is recomputed, model metrics and data quality alike.
   * Earlier windows keep their rows; the late outcomes new since the previous run are added to their
   * `outcomes_late` counts (models/write.sql).
   */
  recomputeFrom: Partial<Record<Granularity, Date>>;
  /** The earliest recomputed window start: the session's evaluations hold every kept prediction from here on. */
  windowsFrom: Date;
  /**
   * Kept predictions from here on are re-evaluated: the first recomputed day window when the monitor
   * keeps day rows its data quality can add up (daysCarryWindows), else windowsFrom. Between
   * windowsFrom and this, a week's or month's first days are read as stored: their evaluation rows
   * and their day windows' data-quality counts (models/evaluations.sql, models/data_quality.sql).
   */
  evaluateFrom: Date;
  /**
   * Outcomes from here on can touch a re-evaluated prediction (evaluateFrom - within, for early
   * outcomes); a recommendation's interactions, from evaluateFrom (incrementalRange).
   */
  outcomesFrom: Date;
  /**
   * Forecasts only: the time of the previous run's MASE checkpoint (maseCheckpoint), when no window
   * before it is recomputed. The run then takes MASE's history before this time from the stored
   * `<monitor>__mase_history` table and reads actuals only from a seasonal lag before it. Absent when
   * new data reach further back: the run reads every actual, as a full refresh does.
   */
  maseHistoryAt?: Date;
}

/**
 * Where a forecast run as of `asOf` checkpoints MASE's history (models/forecast/mase_scales.sql,
 * written to `<monitor>__mase_history`): the earliest window start the next run recomputes when no
 * new data point further back, since labels can change up to `within` before this as-of.
 */
export function maseCheckpoint(monitor: Monitor, asOf: Date): Date {
  const close = closedBefore(monitor, asOf);
  return new Date(Math.min(...monitor.granularities.map((g) => windowStart(g, close).getTime())));
}

/**
 * Whether the monitor's data quality is the shared step, models/data_quality.sql, which keeps the
 * stored rows of windows before an incremental run's range and counts the late outcomes to add to
 * them (docs/semantics.md §7). Forecasts and recommendations have their own, and their plans
 * recompute those windows instead.
 */
export const sharedDataQuality = (monitor: Monitor): boolean => stepTemplate(monitor.type, 'data_quality') === 'models/data_quality.sql';

/**
 * Whether an incremental run can take the first days of a recomputed week or month from what earlier
 * runs stored, instead of evaluating them again: the monitor has day windows, whose data-quality rows
 * before the first recomputed day are final but for late outcomes, and the shared data-quality step,
 * which adds those stored day rows up.
 */
export function daysCarryWindows(monitor: Monitor): boolean {
  return monitor.granularities.includes('day') && sharedDataQuality(monitor);
}

/**
 * The incremental range of a run after `previousAsOf` in which new data can have changed the score,
 * label or label status of predictions from `affectedFrom` on (docs/semantics.md §7): per
 * granularity, the window holding that time and every later one.
 */
export function incrementalRange(monitor: Monitor, affectedFrom: Date, previousAsOf: Date): IncrementalRange {
  const recomputeFrom: IncrementalRange['recomputeFrom'] = {};
  for (const g of monitor.granularities) recomputeFrom[g] = windowStart(g, affectedFrom);
  const windowsFrom = new Date(Math.min(...Object.values(recomputeFrom).map((t) => t.getTime())));
  const evaluateFrom = daysCarryWindows(monitor) ? recomputeFrom.day! : windowsFrom;
  // An outcome up to `within` before a prediction is an early one, counted in its windows; an
  // interaction counts only after its request, and one before evaluateFrom lies in no window the
  // run recomputes (docs/semantics.md, section 5e), so a recommendation's are read from there on.
  const outcomesFrom = monitor.recommendation ? evaluateFrom : new Date(evaluateFrom.getTime() - monitor.within.seconds * 1000);
  const range: IncrementalRange = { previousAsOf, recomputeFrom, windowsFrom, evaluateFrom, outcomesFrom };
  if (monitor.forecast) {
    const checkpoint = maseCheckpoint(monitor, previousAsOf);
    if (evaluateFrom.getTime() >= checkpoint.getTime()) range.maseHistoryAt = checkpoint;
  }
  return range;
}

/**
 * The incremental range from the planning query's row (models/plan.sql, or a problem type's own).
 * Labels of predictions made after the previous as-of minus `within` can change without new data
 * (pending ones become missing), so the range never starts later than that.
 */
export function rangeFromPlan(monitor: Monitor, previousAsOf: Date, row: Record<string, unknown> | undefined): IncrementalRange {
  const windowClose = closedBefore(monitor, previousAsOf);
  const planned = row?.affected_from;
  const range = incrementalRange(monitor, planned instanceof Date && planned < windowClose ? planned : windowClose, previousAsOf);
  // A forecast starts from MASE's stored history only if it is the previous run's checkpoint
  // (models/forecast/plan.sql reads its time): an empty table left by a failed first run where DDL
  // cannot be rolled back, or one another version wrote, is read again from every actual.
  const stored = row?.history_at;
  if (range.maseHistoryAt && !(stored instanceof Date && stored.getTime() === range.maseHistoryAt.getTime())) delete range.maseHistoryAt;
  return range;
}
