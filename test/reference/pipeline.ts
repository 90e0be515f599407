/**
 * Independent reference for docs/semantics.md sections 1-6: from raw prediction and outcome events
 * to the evaluation rows and the metric rows (model metrics and data-quality rows).
 *
 * Written from the contract text only. `where` filtering is the caller's job: the events passed in
 * have already passed it. Section 7 (incremental runs) is not modelled: incremental results are
 * checked by comparing them with a full refresh.
 *
 * Sections 1-4 and 6 (dedupe, outcome windows, label status, windows, versions, segments, top-N
 * folding, data-quality rows) are written once, in `runPipeline`, generic over a `Problem`: the part
 * that differs between binary classification (section 5), multiclass classification (5b) and
 * regression (5c) — the prediction and label payloads, what "evaluated" means and the metrics of a
 * group. `referencePipeline` (binary), `referenceMulticlassPipeline` and
 * `referenceRegressionPipeline` are thin wrappers around it.
 */
import { binaryMetrics, type BinaryRow } from './binary-metrics.js';
import { multiclassMetrics } from './multiclass-metrics.js';
import { percentileCont } from './quantile.js';
import { multiOutputRegressionMetrics, regressionMetrics } from './regression-metrics.js';

export interface PredictionEvent {
  key: (string | number)[];
  ts: Date;
  score: number | null;
  modelVersion: string | null;
  segments: Record<string, string | null>;
}

export interface OutcomeEvent {
  key: (string | number)[];
  ts: Date;
  label: number | boolean | null;
}

export type Granularity = 'day' | 'week' | 'month';

/** What every problem type configures (sections 1-4). */
export interface PipelineConfig {
  withinMs: number;
  missing: 'drop' | 'negative';
  predictionDedupe: 'latest' | 'earliest';
  outcomeDedupe: 'latest' | 'earliest';
  granularities: Granularity[];
  segments: { column: string; top: number }[];
  asOf: Date;
}

/** Binary classification. */
export interface ReferenceConfig extends PipelineConfig {
  threshold: number;
  /** approximate_ranking's score_bins (section 5), if set. */
  scoreBins?: number;
}

export interface MetricRow {
  modelVersion: string | null;
  granularity: string;
  /** ISO 'YYYY-MM-DDTHH:MM:SS.sssZ' */
  windowStart: string;
  windowEnd: string;
  segment: string | null;
  segmentValue: string | null;
  metric: string;
  qualifier: string | null;
  value: number | null;
  sampleSize: number;
}

/** One model-metric row of a group, before the group's columns are added. */
export interface GroupMetricRow {
  metric: string;
  qualifier: string | null;
  value: number | null;
  sampleSize: number;
}

export type LabelStatus = 'observed' | 'pending' | 'missing';

export interface EvaluationRow {
  key: (string | number)[];
  predictedAt: Date;
  modelVersion: string | null;
  score: number | null;
  segments: Record<string, string | null>;
  label: number | null;
  labelStatus: LabelStatus;
  observedAt: Date | null;
  labelDelayHours: number | null;
}

export type OutcomeClass = 'counting' | 'late' | 'early' | 'orphan';

/** The value that top-N folding gives to the values outside the top. */
export const OTHER = '__other__';

/**
 * The segment values of a window that keep their own group: the `top` most counted, ties by value;
 * a value spelled like the fold bucket never does (it folds into it, so the bucket stays one group).
 */
export function topValues(counts: Map<string, number>, top: number): Set<string> {
  const ranked = [...counts.entries()].filter(([v]) => v !== OTHER).sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  return new Set(ranked.slice(0, Math.max(0, top)).map(([v]) => v));
}

/** Data-quality metrics written for every granularity, window and model version with a prediction event. */
export const DATA_QUALITY_METRICS = [
  'prediction_events',
  'duplicates_removed',
  'observed',
  'pending',
  'missing',
  'label_coverage',
  'outcomes_late',
  'outcomes_early',
  'label_delay_p50',
  'label_delay_p90',
] as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// The generic pipeline's inputs

/** A prediction event with a problem-specific payload P (binary: the score). */
export interface GenericPredictionEvent<P> {
  key: (string | number)[];
  ts: Date;
  modelVersion: string | null;
  segments: Record<string, string | null>;
  payload: P;
}

/** An outcome event with its raw label (checked and converted by `Problem.parseLabel`). */
export interface GenericOutcomeEvent {
  key: (string | number)[];
  ts: Date;
  label: unknown;
}

/** A deduplicated prediction with its label status (section 3); `label` is L or NULL. */
export interface GenericEvaluationRow<P, L> {
  key: (string | number)[];
  predictedAt: Date;
  modelVersion: string | null;
  payload: P;
  segments: Record<string, string | null>;
  label: L | null;
  labelStatus: LabelStatus;
  observedAt: Date | null;
  labelDelayHours: number | null;
}

/** What differs between problem types. */
export interface Problem<P, L> {
  /**
   * Section 1.2, the "prediction values, higher first, NULLs last" step of the tie-break on equal
   * timestamps: negative when `a` is kept before `b`.
   */
  compareTiedPredictions(a: P, b: P): number;
  /** Section 2.1: the label of an outcome event, or null when it is NULL (the event is dropped). */
  parseLabel(raw: unknown): L | null;
  /** Section 2.3: positive when `a` is the higher label (it wins a timestamp tie). */
  compareLabels(a: L, b: L): number;
  /** The label of a `missing` prediction under `join.missing: negative`; undefined = not allowed. */
  negativeLabel?: L;
  /** Whether a row (with `label` already set by section 3) enters the model metrics. */
  isEvaluated(row: GenericEvaluationRow<P, L>): boolean;
  /** The model-metric rows of a group, from its evaluated rows (never called with none). */
  evaluate(rows: GenericEvaluationRow<P, L>[]): GroupMetricRow[];
}

export interface GenericResult<P, L> {
  evaluations: GenericEvaluationRow<P, L>[];
  metrics: MetricRow[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Text comparison by Unicode code point (= byte order of UTF-8, a binary collation). */
export function compareText(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i += 1) {
    if (ca[i]! !== cb[i]!) return ca[i]! < cb[i]! ? -1 : 1;
  }
  return ca.length - cb.length === 0 ? 0 : ca.length < cb.length ? -1 : 1;
}

/** Ascending with NULLs last. */
function ascNullsLast<T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return cmp(a, b);
}

/** Ascending with NULLs first. */
function ascNullsFirst<T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return cmp(a, b);
}

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

function hasNullKeyColumn(key: readonly unknown[]): boolean {
  return key.some(isNullish);
}

/** Keys compare as tuples of their String() values. */
function keyId(key: readonly (string | number)[]): string {
  return JSON.stringify(key.map((k) => String(k)));
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const c = compareText(String(a[i]), String(b[i]));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function segmentValue(event: { segments: Record<string, string | null> }, column: string): string | null {
  const v = event.segments[column];
  return isNullish(v) ? null : v;
}

function toLabel(label: number | boolean): 0 | 1 {
  if (label === true || label === 1) return 1;
  if (label === false || label === 0) return 0;
  throw new Error(`outcome label must be 1/0 or a boolean, got ${String(label)}`);
}

// ---------------------------------------------------------------------------------------------
// Windows (UTC)

export function windowStartOf(ts: Date, granularity: Granularity): Date {
  const y = ts.getUTCFullYear();
  const m = ts.getUTCMonth();
  const d = ts.getUTCDate();
  switch (granularity) {
    case 'day':
      return new Date(Date.UTC(y, m, d));
    case 'week': {
      // ISO week: Monday 00:00 UTC. getUTCDay(): 0 = Sunday ... 6 = Saturday.
      const daysSinceMonday = (ts.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(y, m, d) - daysSinceMonday * DAY_MS);
    }
    case 'month':
      return new Date(Date.UTC(y, m, 1));
  }
}

export function windowEndOf(start: Date, granularity: Granularity): Date {
  switch (granularity) {
    case 'day':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1));
    case 'week':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 7));
    case 'month':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  }
}

// ---------------------------------------------------------------------------------------------
// Sections 1-3

interface KeptPrediction<P, L> {
  event: GenericPredictionEvent<P>;
  id: string;
  outcomeLate: number;
  outcomeEarly: number;
  counting: { ts: Date; label: L }[];
}

interface Orphan {
  ts: Date;
}

/** Order of section 1.2: the first event in this order is the one kept. */
function predictionOrder<P, L>(
  config: PipelineConfig,
  problem: Problem<P, L>,
): (a: GenericPredictionEvent<P>, b: GenericPredictionEvent<P>) => number {
  return (a, b) => {
    const ta = a.ts.getTime();
    const tb = b.ts.getTime();
    if (ta !== tb) return config.predictionDedupe === 'latest' ? tb - ta : ta - tb;
    const s = problem.compareTiedPredictions(a.payload, b.payload);
    if (s !== 0) return s;
    const mv = ascNullsLast(a.modelVersion, b.modelVersion, compareText);
    if (mv !== 0) return mv;
    for (const { column } of config.segments) {
      const c = ascNullsLast(segmentValue(a, column), segmentValue(b, column), compareText);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/**
 * Sections 1-6 for any problem type: the evaluation rows (one per deduplicated prediction, ordered by
 * prediction time then key) and the metric rows (sorted by `compareMetricRows`).
 */
export function runPipeline<P, L>(
  predictions: GenericPredictionEvent<P>[],
  outcomes: GenericOutcomeEvent[],
  config: PipelineConfig,
  problem: Problem<P, L>,
): GenericResult<P, L> {
  if (config.missing === 'negative' && problem.negativeLabel === undefined) {
    throw new Error("join.missing must be 'drop' for this problem type");
  }
  const asOf = config.asOf.getTime();
  const within = config.withinMs;

  // 1.1 Keep events with timestamp <= as_of and no NULL key column.
  const predictionEvents = predictions.filter(
    (p) => isValidDate(p.ts) && p.ts.getTime() <= asOf && !hasNullKeyColumn(p.key),
  );

  // 1.2 / 1.3 One row per key; every other event is a removed duplicate.
  const byKey = new Map<string, GenericPredictionEvent<P>[]>();
  for (const p of predictionEvents) {
    const id = keyId(p.key);
    const list = byKey.get(id);
    if (list) list.push(p);
    else byKey.set(id, [p]);
  }
  const order = predictionOrder(config, problem);
  const kept = new Map<string, KeptPrediction<P, L>>();
  const removedDuplicates: GenericPredictionEvent<P>[] = [];
  for (const [id, events] of byKey) {
    const sorted = [...events].sort(order);
    kept.set(id, { event: sorted[0]!, id, outcomeLate: 0, outcomeEarly: 0, counting: [] });
    removedDuplicates.push(...sorted.slice(1));
  }

  // 2.1 Outcome events with timestamp <= as_of, no NULL key column and a non-NULL label.
  // 2.2 Classify every outcome event against the key's deduplicated prediction.
  const orphans: Orphan[] = [];
  for (const o of outcomes) {
    if (!isValidDate(o.ts) || o.ts.getTime() > asOf || hasNullKeyColumn(o.key)) continue;
    const label = problem.parseLabel(o.label);
    if (label === null) continue;
    const p = kept.get(keyId(o.key));
    const cls = p === undefined ? 'orphan' : classifyOutcome(p.event.ts.getTime(), o.ts.getTime(), within);
    switch (cls) {
      case 'orphan':
        orphans.push({ ts: o.ts });
        break;
      case 'late':
        p!.outcomeLate += 1;
        break;
      case 'early':
        p!.outcomeEarly += 1;
        break;
      case 'counting':
        p!.counting.push({ ts: o.ts, label });
        break;
    }
  }

  // 2.3 + 3: the winning counting outcome and the label status.
  const evaluations: GenericEvaluationRow<P, L>[] = [];
  const evaluationOf = new Map<string, GenericEvaluationRow<P, L>>();
  for (const k of kept.values()) {
    const p = k.event;
    const predictedAt = p.ts.getTime();
    let winner: { ts: Date; label: L } | null = null;
    for (const c of k.counting) {
      if (winner === null) {
        winner = c;
        continue;
      }
      const tc = c.ts.getTime();
      const tw = winner.ts.getTime();
      const better =
        tc === tw ? problem.compareLabels(c.label, winner.label) > 0 : config.outcomeDedupe === 'latest' ? tc > tw : tc < tw;
      if (better) winner = c;
    }
    let status: LabelStatus;
    if (winner !== null) status = 'observed';
    else if (asOf < predictedAt + within) status = 'pending';
    else status = 'missing';

    let label: L | null = null;
    if (status === 'observed') label = winner!.label;
    else if (status === 'missing' && config.missing === 'negative') label = problem.negativeLabel!;

    const segments: Record<string, string | null> = {};
    for (const { column } of config.segments) segments[column] = segmentValue(p, column);

    const row: GenericEvaluationRow<P, L> = {
      key: [...p.key],
      predictedAt: new Date(predictedAt),
      modelVersion: p.modelVersion,
      payload: p.payload,
      segments,
      label,
      labelStatus: status,
      observedAt: winner === null ? null : new Date(winner.ts.getTime()),
      labelDelayHours: winner === null ? null : (winner.ts.getTime() - predictedAt) / HOUR_MS,
    };
    evaluations.push(row);
    evaluationOf.set(k.id, row);
  }
  evaluations.sort(
    (a, b) => a.predictedAt.getTime() - b.predictedAt.getTime() || compareKeys(a.key, b.key),
  );

  const metrics: MetricRow[] = [];
  const keptList = [...kept.values()];
  for (const granularity of config.granularities) {
    metrics.push(
      ...modelMetricRows(granularity, keptList, evaluationOf, config, problem),
      ...dataQualityRows(granularity, predictionEvents, removedDuplicates, keptList, evaluationOf, orphans, config.asOf),
    );
  }
  metrics.sort(compareMetricRows);
  return { evaluations, metrics };
}

/** Section 2.2: the class of an outcome at `o` for a deduplicated prediction at `p` (epoch ms). */
export function classifyOutcome(p: number, o: number, within: number): OutcomeClass {
  if (o >= p && o <= p + within) return 'counting';
  if (o > p + within) return 'late';
  if (o >= p - within && o < p) return 'early';
  return 'orphan';
}

// ---------------------------------------------------------------------------------------------
// Sections 4-5: model metrics

function modelMetricRows<P, L>(
  granularity: Granularity,
  keptPredictions: KeptPrediction<P, L>[],
  evaluationOf: Map<string, GenericEvaluationRow<P, L>>,
  config: PipelineConfig,
  problem: Problem<P, L>,
): MetricRow[] {
  // Top values per window and segment column, over all deduplicated predictions of the window.
  const keepByWindowAndColumn = new Map<string, Set<string>>();
  for (const { column, top } of config.segments) {
    const countsByWindow = new Map<string, Map<string, number>>();
    for (const k of keptPredictions) {
      const v = segmentValue(k.event, column);
      if (v === null) continue;
      const w = windowStartOf(k.event.ts, granularity).toISOString();
      let counts = countsByWindow.get(w);
      if (!counts) countsByWindow.set(w, (counts = new Map()));
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const [w, counts] of countsByWindow) keepByWindowAndColumn.set(JSON.stringify([w, column]), topValues(counts, top));
  }

  interface Group {
    windowStart: Date;
    modelVersion: string | null;
    segment: string | null;
    segmentValue: string | null;
    rows: GenericEvaluationRow<P, L>[];
  }
  const groups = new Map<string, Group>();
  const add = (g: Omit<Group, 'rows'>, row: GenericEvaluationRow<P, L>): void => {
    const id = JSON.stringify([g.windowStart.toISOString(), g.modelVersion, g.segment, g.segmentValue]);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { ...g, rows: [] }));
    group.rows.push(row);
  };

  for (const k of keptPredictions) {
    const e = evaluationOf.get(k.id)!;
    if (!problem.isEvaluated(e)) continue;
    const windowStart = windowStartOf(e.predictedAt, granularity);
    add({ windowStart, modelVersion: e.modelVersion, segment: null, segmentValue: null }, e);
    for (const { column } of config.segments) {
      const v = segmentValue(k.event, column);
      let folded: string | null = v;
      if (v !== null) {
        const keep = keepByWindowAndColumn.get(JSON.stringify([windowStart.toISOString(), column]));
        if (!keep || !keep.has(v)) folded = OTHER;
      }
      add({ windowStart, modelVersion: e.modelVersion, segment: column, segmentValue: folded }, e);
    }
  }

  const out: MetricRow[] = [];
  for (const g of groups.values()) {
    for (const r of problem.evaluate(g.rows)) {
      out.push({
        modelVersion: g.modelVersion,
        granularity,
        windowStart: g.windowStart.toISOString(),
        windowEnd: windowEndOf(g.windowStart, granularity).toISOString(),
        segment: g.segment,
        segmentValue: g.segmentValue,
        metric: r.metric,
        qualifier: r.qualifier,
        value: r.value,
        sampleSize: r.sampleSize,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section 6: data-quality rows (the same for every problem type)

function dataQualityRows<P, L>(
  granularity: Granularity,
  predictionEvents: GenericPredictionEvent<P>[],
  removedDuplicates: GenericPredictionEvent<P>[],
  keptPredictions: KeptPrediction<P, L>[],
  evaluationOf: Map<string, GenericEvaluationRow<P, L>>,
  orphans: Orphan[],
  asOf: Date,
): MetricRow[] {
  interface Counters {
    windowStart: Date;
    modelVersion: string | null;
    predictionEvents: number;
    duplicatesRemoved: number;
    observed: number;
    pending: number;
    missing: number;
    late: number;
    early: number;
    delays: number[];
  }
  const groups = new Map<string, Counters>();
  const groupOf = (ts: Date, modelVersion: string | null, create: boolean): Counters => {
    const windowStart = windowStartOf(ts, granularity);
    const id = JSON.stringify([windowStart.toISOString(), modelVersion]);
    let g = groups.get(id);
    if (!g) {
      if (!create) throw new Error(`internal: no prediction event in window ${id}`);
      g = {
        windowStart,
        modelVersion,
        predictionEvents: 0,
        duplicatesRemoved: 0,
        observed: 0,
        pending: 0,
        missing: 0,
        late: 0,
        early: 0,
        delays: [],
      };
      groups.set(id, g);
    }
    return g;
  };

  for (const p of predictionEvents) groupOf(p.ts, p.modelVersion, true).predictionEvents += 1;
  for (const p of removedDuplicates) groupOf(p.ts, p.modelVersion, false).duplicatesRemoved += 1;
  for (const k of keptPredictions) {
    const g = groupOf(k.event.ts, k.event.modelVersion, false);
    const e = evaluationOf.get(k.id)!;
    g[e.labelStatus] += 1;
    if (e.labelStatus === 'observed') g.delays.push(e.labelDelayHours!);
    g.late += k.outcomeLate;
    g.early += k.outcomeEarly;
  }

  const out: MetricRow[] = [];
  const row = (windowStart: Date, modelVersion: string | null, metric: string, value: number | null, sampleSize: number): MetricRow => ({
    modelVersion,
    granularity,
    windowStart: windowStart.toISOString(),
    windowEnd: windowEndOf(windowStart, granularity).toISOString(),
    segment: null,
    segmentValue: null,
    metric,
    qualifier: null,
    value,
    sampleSize,
  });
  for (const g of groups.values()) {
    const w = g.windowStart;
    const mv = g.modelVersion;
    const covered = g.observed + g.missing;
    out.push(
      row(w, mv, 'prediction_events', g.predictionEvents, g.predictionEvents),
      row(w, mv, 'duplicates_removed', g.duplicatesRemoved, g.duplicatesRemoved),
      row(w, mv, 'observed', g.observed, g.observed),
      row(w, mv, 'pending', g.pending, g.pending),
      row(w, mv, 'missing', g.missing, g.missing),
      row(w, mv, 'label_coverage', covered === 0 ? null : g.observed / covered, covered),
      row(w, mv, 'outcomes_late', g.late, g.late),
      row(w, mv, 'outcomes_early', g.early, g.early),
      row(w, mv, 'label_delay_p50', percentileCont(g.delays, 0.5), g.observed),
      row(w, mv, 'label_delay_p90', percentileCont(g.delays, 0.9), g.observed),
    );
  }

  // outcomes_orphan: by the window of the orphan's own timestamp, model_version NULL, for every
  // window that has an orphan or a prediction event.
  const orphanCounts = new Map<string, { windowStart: Date; n: number }>();
  const touch = (ts: Date): { windowStart: Date; n: number } => {
    const windowStart = windowStartOf(ts, granularity);
    const id = windowStart.toISOString();
    let c = orphanCounts.get(id);
    if (!c) orphanCounts.set(id, (c = { windowStart, n: 0 }));
    return c;
  };
  for (const p of predictionEvents) touch(p.ts);
  for (const o of orphans) touch(o.ts).n += 1;
  for (const w of emptyWindows(granularity, predictionEvents.map((p) => p.ts), asOf)) {
    out.push(row(w, null, 'prediction_events', 0, 0));
    touch(w);
  }
  for (const c of orphanCounts.values()) out.push(row(c.windowStart, null, 'outcomes_orphan', c.n, c.n));
  return out;
}

/**
 * Section 6: the windows with no prediction event, from the first window with one to the last that
 * starts before the as-of (each gets prediction_events 0, model version NULL, and an outcomes_orphan row).
 */
export function emptyWindows(granularity: Granularity, eventTimes: Date[], asOf: Date): Date[] {
  if (eventTimes.length === 0) return [];
  const withEvents = new Set(eventTimes.map((t) => windowStartOf(t, granularity).getTime()));
  const first = Math.min(...withEvents);
  const out: Date[] = [];
  for (let w = new Date(first); w.getTime() < asOf.getTime(); w = windowEndOf(w, granularity)) {
    if (!withEvents.has(w.getTime())) out.push(w);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deterministic order: granularity, windowStart, modelVersion, segment, segmentValue, metric,
// qualifier; NULLs first; text by code point.

export function compareMetricRows(a: MetricRow, b: MetricRow): number {
  return (
    compareText(a.granularity, b.granularity) ||
    compareText(a.windowStart, b.windowStart) ||
    ascNullsFirst(a.modelVersion, b.modelVersion, compareText) ||
    ascNullsFirst(a.segment, b.segment, compareText) ||
    ascNullsFirst(a.segmentValue, b.segmentValue, compareText) ||
    compareText(a.metric, b.metric) ||
    ascNullsFirst(a.qualifier, b.qualifier, compareText)
  );
}

// ---------------------------------------------------------------------------------------------
// Binary classification (section 5): the original API

function binaryProblem(threshold: number, scoreBins?: number): Problem<number | null, 0 | 1> {
  return {
    // score descending, NULLs last
    compareTiedPredictions: (a, b) => ascNullsLast(a, b, (x, y) => y - x),
    parseLabel: (raw) => (isNullish(raw) ? null : toLabel(raw as number | boolean)),
    compareLabels: (a, b) => a - b,
    negativeLabel: 0,
    // label is set when observed, or missing with `missing: negative` (then 0); NULL scores never count
    isEvaluated: (e) => e.payload !== null && e.label !== null,
    evaluate: (rows) => {
      const binaryRows: BinaryRow[] = rows.map((r) => ({ score: r.payload!, label: r.label! }));
      return Object.entries(binaryMetrics(binaryRows, threshold, scoreBins)).map(([metric, value]) => ({
        metric,
        qualifier: null,
        value,
        sampleSize: binaryRows.length,
      }));
    },
  };
}

export function referencePipeline(
  predictions: PredictionEvent[],
  outcomes: OutcomeEvent[],
  config: ReferenceConfig,
): ReferenceResult {
  const result = runPipeline(
    predictions.map((p) => ({ key: p.key, ts: p.ts, modelVersion: p.modelVersion, segments: p.segments, payload: p.score })),
    outcomes,
    config,
    binaryProblem(config.threshold, config.scoreBins),
  );
  return {
    evaluations: result.evaluations.map((e) => ({
      key: e.key,
      predictedAt: e.predictedAt,
      modelVersion: e.modelVersion,
      score: e.payload,
      segments: e.segments,
      label: e.label,
      labelStatus: e.labelStatus,
      observedAt: e.observedAt,
      labelDelayHours: e.labelDelayHours,
    })),
    metrics: result.metrics,
  };
}

export interface ReferenceResult {
  evaluations: EvaluationRow[];
  metrics: MetricRow[];
}

// ---------------------------------------------------------------------------------------------
// Multiclass classification (section 5b)

export interface MulticlassPredictionEvent {
  key: (string | number)[];
  ts: Date;
  /** Compared as text (String()); NULL: the prediction is never evaluated. */
  predictedClass: string | number | null;
  /** One score per configured class (a missing entry is NULL). */
  classScores?: Record<string, number | null>;
  modelVersion: string | null;
  segments: Record<string, string | null>;
}

export interface MulticlassOutcomeEvent {
  key: (string | number)[];
  ts: Date;
  /** The true class, compared as text (String()); NULL: the event is dropped (section 2.1). */
  label: string | number | boolean | null;
}

export interface MulticlassConfig extends Omit<PipelineConfig, 'missing'> {
  /** Must be 'drop' (the default); 'negative' throws. */
  missing?: 'drop' | 'negative';
  /** The keys of `class_scores`, in configuration order; undefined or empty: no scores. */
  classes?: string[];
  /** `top_k` (default none). */
  topK?: number[];
}

export interface MulticlassEvaluationRow {
  key: (string | number)[];
  predictedAt: Date;
  modelVersion: string | null;
  predictedClass: string | null;
  classScores: Record<string, number | null> | null;
  segments: Record<string, string | null>;
  label: string | null;
  labelStatus: LabelStatus;
  observedAt: Date | null;
  labelDelayHours: number | null;
}

export interface MulticlassResult {
  evaluations: MulticlassEvaluationRow[];
  metrics: MetricRow[];
}

interface MulticlassPayload {
  predictedClass: string | null;
  classScores: Record<string, number | null> | null;
}

function asText(v: string | number | boolean, what: string): string {
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  throw new Error(`${what} must be text, a finite number or a boolean, got ${String(v)}`);
}

function multiclassProblem(config: MulticlassConfig): Problem<MulticlassPayload, string> {
  const classes = config.classes ?? [];
  const topK = config.topK ?? [];
  return {
    // Section 1.2: the higher predicted class (text, by code point), then each class score descending
    // in configuration order; NULLs last
    compareTiedPredictions: (a, b) => {
      const c = ascNullsLast(a.predictedClass, b.predictedClass, (x, y) => compareText(y, x));
      if (c !== 0) return c;
      for (const cls of classes) {
        const s = ascNullsLast(a.classScores?.[cls] ?? null, b.classScores?.[cls] ?? null, (x, y) => y - x);
        if (s !== 0) return s;
      }
      return 0;
    },
    parseLabel: (raw) => (isNullish(raw) ? null : asText(raw as string | number | boolean, 'multiclass outcome label')),
    // "ties on the timestamp go to the higher label": labels are text, compared by code point
    compareLabels: (a, b) => compareText(a, b),
    isEvaluated: (e) => e.labelStatus === 'observed' && e.payload.predictedClass !== null,
    evaluate: (rows) =>
      multiclassMetrics(
        rows.map((r) => ({
          predicted: r.payload.predictedClass!,
          label: r.label!,
          ...(r.payload.classScores === null ? {} : { scores: r.payload.classScores }),
        })),
        { classes, topK },
      ),
  };
}

export function referenceMulticlassPipeline(
  predictions: MulticlassPredictionEvent[],
  outcomes: MulticlassOutcomeEvent[],
  config: MulticlassConfig,
): MulticlassResult {
  const result = runPipeline<MulticlassPayload, string>(
    predictions.map((p) => ({
      key: p.key,
      ts: p.ts,
      modelVersion: p.modelVersion,
      segments: p.segments,
      payload: {
        predictedClass: isNullish(p.predictedClass) ? null : asText(p.predictedClass, 'predicted class'),
        classScores: p.classScores === undefined ? null : { ...p.classScores },
      },
    })),
    outcomes,
    { ...config, missing: config.missing ?? 'drop' },
    multiclassProblem(config),
  );
  return {
    evaluations: result.evaluations.map(({ payload, ...rest }) => ({
      ...rest,
      predictedClass: payload.predictedClass,
      classScores: payload.classScores,
    })),
    metrics: result.metrics,
  };
}

// ---------------------------------------------------------------------------------------------
// Regression, single and multi-output (section 5c)

export interface RegressionPredictionEvent {
  key: (string | number)[];
  ts: Date;
  /** Prediction per output name (a missing entry is NULL). */
  predictions: Record<string, number | null>;
  modelVersion: string | null;
  segments: Record<string, string | null>;
}

export interface RegressionOutcomeEvent {
  key: (string | number)[];
  ts: Date;
  /** Label per output name (a missing entry is NULL). An event whose labels are all NULL is dropped. */
  labels: Record<string, number | null> | null;
}

export interface RegressionConfig extends Omit<PipelineConfig, 'missing'> {
  /** Must be 'drop' (the default); 'negative' throws. */
  missing?: 'drop' | 'negative';
  /** Output names in configuration order; exactly one when `multiOutput` is false. */
  outputs: string[];
  /** false: single output (`qualifier` NULL); true: `outputs:` configured (per-output rows + averages). */
  multiOutput: boolean;
}

export interface RegressionEvaluationRow {
  key: (string | number)[];
  predictedAt: Date;
  modelVersion: string | null;
  predictions: Record<string, number | null>;
  segments: Record<string, string | null>;
  labels: Record<string, number | null> | null;
  labelStatus: LabelStatus;
  observedAt: Date | null;
  labelDelayHours: number | null;
}

export interface RegressionResult {
  evaluations: RegressionEvaluationRow[];
  metrics: MetricRow[];
}

type OutputValues = Record<string, number | null>;

function outputValues(raw: Record<string, number | null | undefined>, outputs: string[], what: string): OutputValues {
  const out: OutputValues = {};
  for (const o of outputs) {
    const v = raw[o];
    if (isNullish(v)) out[o] = null;
    else if (typeof v === 'number' && Number.isFinite(v)) out[o] = v;
    else throw new Error(`${what} of output ${o} must be a finite number or NULL, got ${String(v)}`);
  }
  return out;
}

function regressionProblem(config: RegressionConfig): Problem<OutputValues, OutputValues> {
  const { outputs, multiOutput } = config;
  if (outputs.length === 0) throw new Error('regression: at least one output');
  if (!multiOutput && outputs.length !== 1) throw new Error('regression: a single-output problem has exactly one output');
  if (new Set(outputs).size !== outputs.length) throw new Error('regression: output names must be unique');
  const evaluable = (p: OutputValues, l: OutputValues, o: string): boolean => p[o] !== null && l[o] !== null;
  return {
    // Section 1.2: each output's prediction descending, in configuration order; NULLs last
    compareTiedPredictions: (a, b) => {
      for (const o of outputs) {
        const c = ascNullsLast(a[o] ?? null, b[o] ?? null, (x: number, y: number) => y - x);
        if (c !== 0) return c;
      }
      return 0;
    },
    parseLabel: (raw) => {
      if (isNullish(raw)) return null;
      const labels = outputValues(raw as Record<string, number | null>, outputs, 'outcome label');
      return outputs.every((o) => labels[o] === null) ? null : labels;
    },
    // "ties on the timestamp go to the higher label": outputs in configuration order, NULLs last
    compareLabels: (a, b) => {
      for (const o of outputs) {
        const c = ascNullsLast(a[o] ?? null, b[o] ?? null, (x: number, y: number) => y - x);
        if (c !== 0) return -c;
      }
      return 0;
    },
    isEvaluated: (e) => e.labelStatus === 'observed' && outputs.some((o) => evaluable(e.payload, e.label!, o)),
    evaluate: (rows) => {
      if (!multiOutput) {
        const o = outputs[0]!;
        return regressionMetrics(rows.map((r) => ({ prediction: r.payload[o]!, label: r.label![o]! })));
      }
      return multiOutputRegressionMetrics(
        rows.map((r) => Object.fromEntries(outputs.map((o) => [o, { prediction: r.payload[o]!, label: r.label![o]! }]))),
        outputs,
      );
    },
  };
}

export function referenceRegressionPipeline(
  predictions: RegressionPredictionEvent[],
  outcomes: RegressionOutcomeEvent[],
  config: RegressionConfig,
): RegressionResult {
  const problem = regressionProblem(config);
  const result = runPipeline<OutputValues, OutputValues>(
    predictions.map((p) => ({
      key: p.key,
      ts: p.ts,
      modelVersion: p.modelVersion,
      segments: p.segments,
      payload: outputValues(p.predictions, config.outputs, 'prediction'),
    })),
    outcomes.map((o) => ({ key: o.key, ts: o.ts, label: o.labels })),
    { ...config, missing: config.missing ?? 'drop' },
    problem,
  );
  return {
    evaluations: result.evaluations.map(({ payload, label, ...rest }) => ({ ...rest, predictions: payload, labels: label })),
    metrics: result.metrics,
  };
}
