/**
 * Independent reference for docs/semantics.md section 5d (forecasts): from raw forecast rows and
 * actuals to the evaluation rows and the metric rows (model metrics and data-quality rows).
 *
 * Written from the contract text only, in the most direct way: every forecast looks its actual up,
 * every MASE scale is computed from scratch by walking the series' actuals, every metric is a plain
 * loop over the group's rows. `where` filtering is the caller's job: the rows passed in have passed
 * it. Incremental runs are not modelled (they are checked against a full refresh). Only the small
 * generic helpers (text order, UTC windows, row order, percentiles) come from the other references.
 */
import { compareMetricRows, compareText, OTHER, topValues, windowEndOf, windowStartOf, type Granularity, type LabelStatus, type MetricRow } from './pipeline.js';
import { percentileCont } from './quantile.js';

export interface ForecastRow {
  series: (string | number | null)[];
  forecastTime: Date | null;
  targetTime: Date | null;
  /** Only read when `config.forecastLoggedAt`. */
  loggedAt?: Date | null;
  prediction: number | null;
  lower?: number | null;
  upper?: number | null;
  /** By quantile level as configured (`config.quantiles[i].key`); a missing entry is NULL. */
  quantiles?: Record<string, number | null>;
  modelVersion: string | null;
  /** Segment values as text, also for segments that are series columns (the caller writes them). */
  segments: Record<string, string | null>;
}

export interface ActualRow {
  series: (string | number | null)[];
  time: Date | null;
  value: number | null;
  /** Only read when `config.actualLoggedAt`. */
  loggedAt?: Date | null;
}

export interface ForecastConfig {
  withinMs: number;
  forecastDedupe: 'latest' | 'earliest';
  actualDedupe: 'latest' | 'earliest';
  /** `predictions.logged_at` / `outcomes.logged_at` configured. */
  forecastLoggedAt: boolean;
  actualLoggedAt: boolean;
  granularities: Granularity[];
  /** `seriesColumn`: the segment is that series column (not a tie-break: it is part of the identity). */
  segments: { column: string; top: number; seriesColumn?: boolean }[];
  horizonUnit: 'hour' | 'day' | 'week';
  /** undefined: every horizon gets rows. */
  horizons?: number[];
  seasonality: number;
  interval?: { level: number };
  /** In configuration order: the key as written and its level. */
  quantiles?: { key: string; level: number }[];
  asOf: Date;
}

export interface ForecastEvaluation {
  series: (string | number)[];
  forecastTime: Date;
  targetTime: Date;
  horizon: number;
  modelVersion: string | null;
  prediction: number | null;
  lower: number | null;
  upper: number | null;
  quantiles: Record<string, number | null>;
  segments: Record<string, string | null>;
  actual: number | null;
  labelStatus: LabelStatus;
  observedAt: Date | null;
  labelDelayHours: number | null;
}

export interface ForecastResult {
  evaluations: ForecastEvaluation[];
  metrics: MetricRow[];
}

const HOUR_MS = 3_600_000;
const UNIT_MS = { hour: HOUR_MS, day: 24 * HOUR_MS, week: 7 * 24 * HOUR_MS };

const valid = (d: Date | null | undefined): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
const seriesId = (s: readonly (string | number | null)[]) => JSON.stringify(s.map((v) => String(v)));

/** Descending with NULLs last (negative when `a` comes first). */
function descNullsLast(a: number | null | undefined, b: number | null | undefined): number {
  const x = a ?? null;
  const y = b ?? null;
  if (x === null && y === null) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return y - x;
}

function ascTextNullsLast(a: string | null | undefined, b: string | null | undefined): number {
  const x = a ?? null;
  const y = b ?? null;
  if (x === null && y === null) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return compareText(x, y);
}

export function referenceForecastPipeline(rows: ForecastRow[], actualRows: ActualRow[], config: ForecastConfig): ForecastResult {
  const asOf = config.asOf.getTime();
  const quantiles = config.quantiles ?? [];
  const horizonOf = (f: ForecastRow) => Math.ceil((f.targetTime!.getTime() - f.forecastTime!.getTime()) / UNIT_MS[config.horizonUnit]);

  // Forecast rows: event time <= as_of, no NULL series column, forecast_time or target_time.
  const read = rows.filter((f) => {
    const eventTime = config.forecastLoggedAt ? f.loggedAt : f.forecastTime;
    return valid(eventTime) && eventTime.getTime() <= asOf && f.series.every((v) => v !== null && v !== undefined) && valid(f.forecastTime) && valid(f.targetTime);
  });

  // One row per (series, forecast_time, target_time).
  const order = (a: ForecastRow, b: ForecastRow): number => {
    if (config.forecastLoggedAt) {
      const d = a.loggedAt!.getTime() - b.loggedAt!.getTime();
      if (d !== 0) return config.forecastDedupe === 'latest' ? -d : d;
    }
    let c = descNullsLast(a.prediction, b.prediction);
    if (c !== 0) return c;
    c = ascTextNullsLast(a.modelVersion, b.modelVersion);
    if (c !== 0) return c;
    for (const s of config.segments) {
      if (s.seriesColumn) continue;
      c = ascTextNullsLast(a.segments[s.column], b.segments[s.column]);
      if (c !== 0) return c;
    }
    if (config.interval) {
      c = descNullsLast(a.lower, b.lower) || descNullsLast(a.upper, b.upper);
      if (c !== 0) return c;
    }
    for (const q of quantiles) {
      c = descNullsLast(a.quantiles?.[q.key], b.quantiles?.[q.key]);
      if (c !== 0) return c;
    }
    return 0;
  };
  const identities = new Map<string, ForecastRow[]>();
  for (const f of read) {
    const id = JSON.stringify([seriesId(f.series), f.forecastTime!.getTime(), f.targetTime!.getTime()]);
    identities.set(id, [...(identities.get(id) ?? []), f]);
  }
  const kept: ForecastRow[] = [];
  const duplicates: ForecastRow[] = [];
  for (const group of identities.values()) {
    const sorted = [...group].sort(order);
    kept.push(sorted[0]!);
    duplicates.push(...sorted.slice(1));
  }

  // Actuals: one per series and time.
  const actualsRead = actualRows.filter((a) => {
    const arrival = config.actualLoggedAt ? a.loggedAt : a.time;
    return valid(arrival) && arrival.getTime() <= asOf && valid(a.time) && a.value !== null && a.series.every((v) => v !== null && v !== undefined);
  });
  const actualOf = new Map<string, ActualRow>();
  for (const a of actualsRead) {
    const id = JSON.stringify([seriesId(a.series), a.time!.getTime()]);
    const other = actualOf.get(id);
    if (!other) {
      actualOf.set(id, a);
      continue;
    }
    let better: boolean;
    const d = config.actualLoggedAt ? a.loggedAt!.getTime() - other.loggedAt!.getTime() : 0;
    if (d !== 0) better = config.actualDedupe === 'latest' ? d > 0 : d < 0;
    else better = a.value! > other.value!;
    if (better) actualOf.set(id, a);
  }

  // Evaluations.
  const evaluations: ForecastEvaluation[] = kept.map((f) => {
    const actual = actualOf.get(JSON.stringify([seriesId(f.series), f.targetTime!.getTime()])) ?? null;
    const target = f.targetTime!.getTime();
    const status: LabelStatus = actual ? 'observed' : asOf < target + config.withinMs ? 'pending' : 'missing';
    const observedAt = actual ? (config.actualLoggedAt ? actual.loggedAt! : actual.time!) : null;
    return {
      series: f.series as (string | number)[],
      forecastTime: f.forecastTime!,
      targetTime: f.targetTime!,
      horizon: horizonOf(f),
      modelVersion: f.modelVersion,
      prediction: f.prediction,
      lower: config.interval ? (f.lower ?? null) : null,
      upper: config.interval ? (f.upper ?? null) : null,
      quantiles: Object.fromEntries(quantiles.map((q) => [q.key, f.quantiles?.[q.key] ?? null])),
      segments: Object.fromEntries(config.segments.map((s) => [s.column, f.segments[s.column] ?? null])),
      actual: actual ? actual.value : null,
      labelStatus: status,
      observedAt,
      labelDelayHours: observedAt ? (observedAt.getTime() - f.forecastTime!.getTime()) / HOUR_MS : null,
    };
  });

  // MASE's scale of a series for a window starting at `w`, straight from the definition.
  const lagMs = config.seasonality * UNIT_MS[config.horizonUnit];
  const actualsBySeries = new Map<string, ActualRow[]>();
  for (const a of actualOf.values()) {
    const id = seriesId(a.series);
    actualsBySeries.set(id, [...(actualsBySeries.get(id) ?? []), a]);
  }
  const scaleOf = (series: (string | number)[], w: number): number | null => {
    const own = actualsBySeries.get(seriesId(series)) ?? [];
    const changes: number[] = [];
    for (const a of own) {
      const t = a.time!.getTime();
      if (t >= w) continue;
      const before = own.find((b) => b.time!.getTime() === t - lagMs);
      if (before) changes.push(Math.abs(a.value! - before.value!));
    }
    if (changes.length === 0) return null;
    const scale = changes.reduce((s, x) => s + x, 0) / changes.length;
    return scale > 0 ? scale : null;
  };

  const metrics: MetricRow[] = [];
  for (const g of config.granularities) {
    metrics.push(...modelMetricRows(g, evaluations, config, scaleOf), ...dataQualityRows(g, read, duplicates, evaluations, [...actualOf.values()], config));
  }
  metrics.sort(compareMetricRows);
  return { evaluations, metrics };
}

function metricRow(g: Granularity, w: Date, modelVersion: string | null, segment: string | null, segmentValue: string | null, metric: string, qualifier: string | null, value: number | null, sampleSize: number): MetricRow {
  return {
    modelVersion,
    granularity: g,
    windowStart: w.toISOString(),
    windowEnd: windowEndOf(w, g).toISOString(),
    segment,
    segmentValue,
    metric,
    qualifier,
    value,
    sampleSize,
  };
}

function modelMetricRows(
  g: Granularity,
  evaluations: ForecastEvaluation[],
  config: ForecastConfig,
  scaleOf: (series: (string | number)[], w: number) => number | null,
): MetricRow[] {
  // Top values per window and segment column, over every kept forecast of the window.
  const topOf = new Map<string, Set<string>>();
  for (const s of config.segments) {
    const counts = new Map<string, Map<string, number>>();
    for (const e of evaluations) {
      const v = e.segments[s.column];
      if (v === null || v === undefined) continue;
      const w = windowStartOf(e.targetTime, g).toISOString();
      const c = counts.get(w) ?? new Map<string, number>();
      c.set(v, (c.get(v) ?? 0) + 1);
      counts.set(w, c);
    }
    for (const [w, c] of counts) topOf.set(JSON.stringify([w, s.column]), topValues(c, s.top));
  }

  interface Group { w: Date; modelVersion: string | null; segment: string | null; segmentValue: string | null; rows: ForecastEvaluation[] }
  const groups = new Map<string, Group>();
  const add = (w: Date, modelVersion: string | null, segment: string | null, segmentValue: string | null, e: ForecastEvaluation) => {
    const id = JSON.stringify([w.toISOString(), modelVersion, segment, segmentValue]);
    const group = groups.get(id) ?? { w, modelVersion, segment, segmentValue, rows: [] };
    group.rows.push(e);
    groups.set(id, group);
  };
  for (const e of evaluations) {
    if (e.labelStatus !== 'observed' || e.prediction === null) continue;
    const w = windowStartOf(e.targetTime, g);
    add(w, e.modelVersion, null, null, e);
    for (const s of config.segments) {
      const v = e.segments[s.column] ?? null;
      const folded = v === null ? null : topOf.get(JSON.stringify([w.toISOString(), s.column]))!.has(v) ? v : OTHER;
      add(w, e.modelVersion, s.column, folded, e);
    }
    if (config.horizons === undefined || config.horizons.includes(e.horizon)) add(w, e.modelVersion, 'horizon', String(e.horizon), e);
  }

  const out: MetricRow[] = [];
  for (const group of groups.values()) {
    const row = (metric: string, qualifier: string | null, value: number | null, sampleSize: number) =>
      out.push(metricRow(g, group.w, group.modelVersion, group.segment, group.segmentValue, metric, qualifier, value, sampleSize));
    const rows = group.rows;
    const n = rows.length;
    const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
    const errors = rows.map((r) => r.prediction! - r.actual!);
    row('count', null, n, n);
    row('mean_prediction', null, mean(rows.map((r) => r.prediction!)), n);
    row('mean_actual', null, mean(rows.map((r) => r.actual!)), n);
    row('bias', null, mean(errors), n);
    row('mae', null, mean(errors.map(Math.abs)), n);
    row('rmse', null, Math.sqrt(mean(errors.map((e) => e * e))!), n);
    const nonzero = rows.filter((r) => r.actual !== 0);
    row('mape', null, mean(nonzero.map((r) => Math.abs(r.prediction! - r.actual!) / Math.abs(r.actual!))), nonzero.length);
    row('smape', null, mean(rows.map((r) => {
      const den = Math.abs(r.prediction!) + Math.abs(r.actual!);
      return den === 0 ? 0 : (2 * Math.abs(r.prediction! - r.actual!)) / den;
    })), n);
    const sumAbsActual = rows.reduce((s, r) => s + Math.abs(r.actual!), 0);
    row('wape', null, sumAbsActual === 0 ? null : errors.reduce((s, e) => s + Math.abs(e), 0) / sumAbsActual, n);
    const scaled: number[] = [];
    for (const r of rows) {
      const scale = scaleOf(r.series, group.w.getTime());
      if (scale !== null) scaled.push(Math.abs(r.prediction! - r.actual!) / scale);
    }
    row('mase', null, mean(scaled), scaled.length);
    if (config.interval) {
      const alpha = 1 - config.interval.level;
      const withBounds = rows.filter((r) => r.lower !== null && r.upper !== null);
      row('interval_coverage', null, mean(withBounds.map((r) => (r.lower! <= r.actual! && r.actual! <= r.upper! ? 1 : 0))), withBounds.length);
      row('interval_width', null, mean(withBounds.map((r) => r.upper! - r.lower!)), withBounds.length);
      row('interval_score', null, mean(withBounds.map((r) => {
        const y = r.actual!;
        return (r.upper! - r.lower!) + (y < r.lower! ? (2 / alpha) * (r.lower! - y) : 0) + (y > r.upper! ? (2 / alpha) * (y - r.upper!) : 0);
      })), withBounds.length);
    }
    const quantiles = config.quantiles ?? [];
    if (quantiles.length > 0) {
      const values: number[] = [];
      let largest = 0;
      for (const q of quantiles) {
        const losses = rows
          .filter((r) => r.quantiles[q.key] !== null)
          .map((r) => {
            const diff = r.actual! - r.quantiles[q.key]!;
            return Math.max(q.level * diff, (q.level - 1) * diff);
          });
        const loss = mean(losses);
        row('pinball_loss', String(Number(q.key)), loss, losses.length);
        if (loss !== null) values.push(loss);
        largest = Math.max(largest, losses.length);
      }
      row('mean_pinball_loss', null, mean(values), largest);
    }
  }
  return out;
}

function dataQualityRows(
  g: Granularity,
  read: ForecastRow[],
  duplicates: ForecastRow[],
  evaluations: ForecastEvaluation[],
  actuals: ActualRow[],
  config: ForecastConfig,
): MetricRow[] {
  interface Counters { w: Date; modelVersion: string | null; events: number; duplicates: number; observed: number; pending: number; missing: number; late: number; early: number; delays: number[] }
  const groups = new Map<string, Counters>();
  const groupOf = (target: Date, modelVersion: string | null): Counters => {
    const w = windowStartOf(target, g);
    const id = JSON.stringify([w.toISOString(), modelVersion]);
    const c = groups.get(id) ?? { w, modelVersion, events: 0, duplicates: 0, observed: 0, pending: 0, missing: 0, late: 0, early: 0, delays: [] };
    groups.set(id, c);
    return c;
  };
  for (const f of read) groupOf(f.targetTime!, f.modelVersion).events += 1;
  for (const f of duplicates) groupOf(f.targetTime!, f.modelVersion).duplicates += 1;
  for (const e of evaluations) {
    const c = groupOf(e.targetTime, e.modelVersion);
    c[e.labelStatus] += 1;
    if (e.labelStatus === 'observed') {
      c.delays.push(e.labelDelayHours!);
      if (config.actualLoggedAt && e.observedAt!.getTime() > e.targetTime.getTime() + config.withinMs) c.late += 1;
      if (config.actualLoggedAt && e.observedAt!.getTime() < e.forecastTime.getTime()) c.early += 1;
    }
  }
  const out: MetricRow[] = [];
  for (const c of groups.values()) {
    const row = (metric: string, value: number | null, sampleSize: number) => out.push(metricRow(g, c.w, c.modelVersion, null, null, metric, null, value, sampleSize));
    const covered = c.observed + c.missing;
    row('prediction_events', c.events, c.events);
    row('duplicates_removed', c.duplicates, c.duplicates);
    row('observed', c.observed, c.observed);
    row('pending', c.pending, c.pending);
    row('missing', c.missing, c.missing);
    row('label_coverage', covered === 0 ? null : c.observed / covered, covered);
    row('outcomes_late', c.late, c.late);
    row('outcomes_early', c.early, c.early);
    row('label_delay_p50', percentileCont(c.delays, 0.5), c.observed);
    row('label_delay_p90', percentileCont(c.delays, 0.9), c.observed);
  }

  // Orphans: deduplicated actuals no kept forecast has, in windows with a forecast row.
  const forecastWindows = new Set(read.map((f) => windowStartOf(f.targetTime!, g).toISOString()));
  const keptTargets = new Set(evaluations.map((e) => JSON.stringify([seriesId(e.series), e.targetTime.getTime()])));
  const orphans = new Map<string, number>([...forecastWindows].map((w) => [w, 0]));
  for (const a of actuals) {
    if (keptTargets.has(JSON.stringify([seriesId(a.series), a.time!.getTime()]))) continue;
    const w = windowStartOf(a.time!, g).toISOString();
    if (orphans.has(w)) orphans.set(w, orphans.get(w)! + 1);
  }
  for (const [w, n] of orphans) out.push(metricRow(g, new Date(w), null, null, null, 'outcomes_orphan', null, n, n));
  return out;
}
