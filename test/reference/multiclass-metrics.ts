/**
 * Independent reference for the multiclass-classification metrics of docs/semantics.md, section 5b.
 *
 * Written from the contract text only, in the most direct way: every count is an explicit loop over
 * the rows, per-class ROC AUC is the Mann-Whitney statistic with explicit average ranks, top-k counts
 * the classes that score strictly higher than the true class and those tied with it, row by row, and
 * averages the hits of every order of the ties. Definitions follow scikit-learn
 * (precision_recall_fscore_support with its default zero_division, 0 in the averages, balanced_accuracy_score,
 * cohen_kappa_score, log_loss, top_k_accuracy_score, roc_auc_score(multi_class='ovr',
 * average='macro')) wherever the contract does not say otherwise.
 */
import type { GroupMetricRow } from './pipeline.js';

export interface MulticlassRow {
  /** The predicted class (compared as text). */
  predicted: string;
  /** The true class (compared as text). */
  label: string;
  /** Raw score per configured class; a missing entry counts as NULL. */
  scores?: Record<string, number | null>;
}

export interface MulticlassOptions {
  /** The configured `class_scores` keys; undefined or empty: no score columns. */
  classes?: string[];
  /** The configured `top_k` values (metric `top_<k>_accuracy` each). */
  topK: number[];
}

/** Window-level metrics (qualifier NULL) without scores, in the contract's order. */
export const MULTICLASS_WINDOW_METRICS = [
  'count',
  'accuracy',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'balanced_accuracy',
  'cohen_kappa',
] as const;

/** Window-level metrics added when scores are configured (plus `top_<k>_accuracy` per k). */
export const MULTICLASS_SCORE_METRICS = ['log_loss', 'brier_score', 'roc_auc_ovr_macro'] as const;

/** Per-class metrics (qualifier = the class). */
export const MULTICLASS_CLASS_METRICS = ['support', 'predicted_count', 'precision', 'recall', 'f1', 'roc_auc'] as const;

/** The separator of the `confusion` qualifier `actual→predicted`. */
export const CONFUSION_ARROW = '\u2192';

const CLIP = 1e-15;

/** Text comparison by Unicode code point (a binary collation). */
function compareText(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i += 1) {
    if (ca[i]! !== cb[i]!) return ca[i]! < cb[i]! ? -1 : 1;
  }
  return ca.length === cb.length ? 0 : ca.length < cb.length ? -1 : 1;
}

/** a / b, or null when b is 0. */
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** Mean of the non-null values; null when there is none. */
function meanOfNonNull(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return null;
  let sum = 0;
  for (const v of present) sum += v;
  return sum / present.length;
}

/** Mean of the values, an undefined (null) one counted as 0; null when there is none. */
function meanWithZeros(values: (number | null)[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v ?? 0;
  return sum / values.length;
}

/** Weighted mean, an undefined (null) value counted as 0; null when the weights sum to 0. */
function weightedMeanWithZeros(pairs: { value: number | null; weight: number }[]): number | null {
  let num = 0;
  let den = 0;
  for (const { value, weight } of pairs) {
    num += weight * (value ?? 0);
    den += weight;
  }
  return den === 0 ? null : num / den;
}

/**
 * Whether the true class is among the first k of a row's classes ordered by score, averaged over
 * every order of the classes tied with it: with `higher` classes above it and `tied` classes (itself
 * included) at its score, each of the tied positions higher + 1 … higher + tied is equally likely.
 */
function topKHit(higher: number, tied: number, k: number): number {
  let inFirstK = 0;
  for (let position = higher + 1; position <= higher + tied; position++) if (position <= k) inFirstK += 1;
  return inFirstK / tied;
}

/**
 * ROC AUC of `value` for the positives against the negatives, by the Mann-Whitney U statistic with
 * average ranks for ties: (sum of the positives' ranks - P (P + 1) / 2) / (P N). Null without a
 * positive or without a negative.
 */
function rocAucByRanks(items: { value: number; positive: boolean }[]): number | null {
  const positives = items.filter((i) => i.positive).length;
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...items].sort((a, b) => a.value - b.value);
  let rankSumPositives = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j]!.value === sorted[i]!.value) j += 1;
    // 1-based ranks i+1 .. j share the average rank
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k += 1) if (sorted[k]!.positive) rankSumPositives += averageRank;
    i = j;
  }
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Renormalized probabilities of a row (one per configured class), or null when the row's scores are
 * not usable: a NULL (or missing) score, or scores summing to 0. Scores summing to 1 within 1e-5 are
 * not divided.
 */
function renormalized(row: MulticlassRow, classes: string[]): Map<string, number> | null {
  const raw: number[] = [];
  for (const c of classes) {
    const v = row.scores?.[c];
    if (v === null || v === undefined) return null;
    // (a score below -1e-9 or above 1e300, NaN or infinite, stops the run: docs/semantics.md §5b)
    if (typeof v !== 'number' || !(v >= -1e-9 && v <= 1e300)) throw new Error(`multiclassMetrics: score of ${c} must be a number from 0 to 1e300, or NULL, got ${String(v)}`);
    raw.push(v);
  }
  let sum = 0;
  for (const v of raw) sum += v; // in configuration order
  if (sum === 0) return null;
  // scores that already sum to 1 (within 1e-5, as scikit-learn's np.allclose: 0.2 + 0.7 + 0.1 is
  // 0.9999999999999999, float32 scores miss 1 by 1e-8) are taken as they are, so that equal scores
  // of two rows stay tied (docs/semantics.md §5b)
  const divisor = Math.abs(sum - 1) <= 1e-5 ? 1 : sum;
  const p = new Map<string, number>();
  classes.forEach((c, i) => p.set(c, raw[i]! / divisor));
  return p;
}

/**
 * Every model-metric row of section 5b for one group: the window-level rows (qualifier NULL), the
 * per-class rows (qualifier = class) and the confusion rows (qualifier `actual→predicted`).
 * `rows` are the group's evaluated predictions; no rows gives no metric rows.
 */
export function multiclassMetrics(rows: MulticlassRow[], options: MulticlassOptions): GroupMetricRow[] {
  for (const r of rows) {
    if (typeof r.predicted !== 'string') throw new Error(`multiclassMetrics: predicted must be text, got ${String(r.predicted)}`);
    if (typeof r.label !== 'string') throw new Error(`multiclassMetrics: label must be text, got ${String(r.label)}`);
  }
  const configured = options.classes ?? [];
  if (new Set(configured).size !== configured.length) throw new Error('multiclassMetrics: duplicate configured class');
  for (const k of options.topK) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`multiclassMetrics: top_k values must be positive integers, got ${k}`);
  }
  if (rows.length === 0) return [];
  const hasScores = configured.length > 0;
  const n = rows.length;

  // The group's classes: those present in its labels or predictions.
  const classes = [...new Set([...rows.map((r) => r.label), ...rows.map((r) => r.predicted)])].sort(compareText);
  const labelClasses = new Set(rows.map((r) => r.label));

  // Per-class counts, each by its own loop over the rows.
  interface PerClass {
    cls: string;
    support: number;
    predictedCount: number;
    tp: number;
    fp: number;
    fn: number;
    precision: number | null;
    recall: number | null;
    f1: number | null;
    rocAuc: number | null;
  }

  // Usable score rows (renormalized), for the score-based metrics only.
  const usable: { row: MulticlassRow; p: Map<string, number> }[] = [];
  if (hasScores) {
    for (const row of rows) {
      const p = renormalized(row, configured);
      if (p !== null) usable.push({ row, p });
    }
  }

  const perClass: PerClass[] = classes.map((cls) => {
    let support = 0;
    let predictedCount = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const r of rows) {
      if (r.label === cls) support += 1;
      if (r.predicted === cls) predictedCount += 1;
      if (r.label === cls && r.predicted === cls) tp += 1;
      if (r.label !== cls && r.predicted === cls) fp += 1;
      if (r.label === cls && r.predicted !== cls) fn += 1;
    }
    // One-vs-rest ROC AUC of the renormalized score of cls over the usable rows; NULL without a
    // score column for cls, without usable rows, or when those rows have only one side.
    let rocAuc: number | null = null;
    if (hasScores && configured.includes(cls)) {
      rocAuc = rocAucByRanks(usable.map((u) => ({ value: u.p.get(cls)!, positive: u.row.label === cls })));
    }
    return {
      cls,
      support,
      predictedCount,
      tp,
      fp,
      fn,
      precision: ratio(tp, predictedCount),
      recall: ratio(tp, support),
      f1: ratio(2 * tp, 2 * tp + fp + fn),
      rocAuc,
    };
  });

  let correct = 0;
  for (const r of rows) if (r.predicted === r.label) correct += 1;

  // cohen_kappa: p_o = accuracy, p_e = sum (support/n)(predicted_count/n); NULL when p_e = 1.
  // p_e = 1 exactly when sum support * predicted_count = n^2 (integers, so compared exactly).
  let expectedTimesN2 = 0;
  for (const c of perClass) expectedTimesN2 += c.support * c.predictedCount;
  const po = correct / n;
  const pe = expectedTimesN2 / (n * n);
  const cohenKappa = expectedTimesN2 === n * n ? null : (po - pe) / (1 - pe);

  const window = (metric: string, value: number | null, sampleSize = n): GroupMetricRow => ({
    metric,
    qualifier: null,
    value,
    sampleSize,
  });
  const out: GroupMetricRow[] = [
    window('count', n),
    window('accuracy', correct / n),
    window('precision_macro', meanWithZeros(perClass.map((c) => c.precision))),
    window('recall_macro', meanWithZeros(perClass.map((c) => c.recall))),
    window('f1_macro', meanWithZeros(perClass.map((c) => c.f1))),
    window('precision_weighted', weightedMeanWithZeros(perClass.map((c) => ({ value: c.precision, weight: c.support })))),
    window('recall_weighted', weightedMeanWithZeros(perClass.map((c) => ({ value: c.recall, weight: c.support })))),
    window('f1_weighted', weightedMeanWithZeros(perClass.map((c) => ({ value: c.f1, weight: c.support })))),
    // mean recall over the classes present in the labels (their recall is never NULL)
    window('balanced_accuracy', meanOfNonNull(perClass.filter((c) => labelClasses.has(c.cls)).map((c) => c.recall))),
    window('cohen_kappa', cohenKappa),
  ];

  if (hasScores) {
    const m = usable.length;
    let logLossSum = 0;
    let brierSum = 0;
    for (const { row, p } of usable) {
      const pTrue = p.get(row.label) ?? 0; // a true class without a score column: probability 0
      logLossSum += -Math.log(Math.min(Math.max(pTrue, CLIP), 1 - CLIP));
      // over the configured classes and the true class
      const over = configured.includes(row.label) ? configured : [...configured, row.label];
      for (const c of over) {
        const pc = p.get(c) ?? 0;
        const y = row.label === c ? 1 : 0;
        brierSum += (pc - y) ** 2;
      }
    }
    // roc_auc_ovr_macro: over the classes present in the group's labels that have a score column
    const aucClasses = perClass.filter((c) => labelClasses.has(c.cls) && configured.includes(c.cls));
    let rocMacro: number | null = null;
    if (aucClasses.length >= 2 && aucClasses.every((c) => c.rocAuc !== null)) {
      let sum = 0;
      for (const c of aucClasses) sum += c.rocAuc!;
      rocMacro = sum / aucClasses.length;
    }
    out.push(
      window('log_loss', m === 0 ? null : logLossSum / m, m),
      window('brier_score', m === 0 ? null : brierSum / m, m),
      window('roc_auc_ovr_macro', rocMacro, m),
    );
    for (const k of options.topK) {
      let hits = 0;
      for (const { row, p } of usable) {
        const pTrue = p.get(row.label);
        if (pTrue === undefined) continue; // a true class without a score column is never a hit
        let strictlyHigher = 0;
        let tied = 0;
        for (const c of configured) {
          if (p.get(c)! > pTrue) strictlyHigher += 1;
          else if (p.get(c)! === pTrue) tied += 1;
        }
        hits += topKHit(strictlyHigher, tied, k);
      }
      out.push(window(`top_${k}_accuracy`, m === 0 ? null : hits / m, m));
    }
  }

  for (const c of perClass) {
    const perClassRow = (metric: string, value: number | null): GroupMetricRow => ({
      metric,
      qualifier: c.cls,
      value,
      sampleSize: n,
    });
    out.push(
      perClassRow('support', c.support),
      perClassRow('predicted_count', c.predictedCount),
      perClassRow('precision', c.precision),
      perClassRow('recall', c.recall),
      perClassRow('f1', c.f1),
      perClassRow('roc_auc', c.rocAuc),
    );
  }

  // confusion: one row per (actual, predicted) pair that occurs
  for (const actual of classes) {
    for (const predicted of classes) {
      let count = 0;
      for (const r of rows) if (r.label === actual && r.predicted === predicted) count += 1;
      if (count > 0) out.push({ metric: 'confusion', qualifier: `${actual}${CONFUSION_ARROW}${predicted}`, value: count, sampleSize: n });
    }
  }
  return out;
}
