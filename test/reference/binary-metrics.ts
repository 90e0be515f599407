/**
 * Independent reference for the binary-classification metrics of docs/semantics.md, section 5.
 *
 * Written from the contract text only, in the most direct way: every metric is computed from its
 * definition (explicit average ranks for roc_auc, an explicit walk over distinct thresholds for
 * average_precision and ks), with no cumulative-sum shortcuts, so that it is independent in method
 * from an efficient SQL implementation.
 */

export interface BinaryRow {
  score: number;
  label: 0 | 1;
}

/** The metric names, in the order of the contract's table. */
export const BINARY_METRIC_NAMES = [
  'count',
  'positive_rate',
  'mean_score',
  'tp',
  'fp',
  'tn',
  'fn',
  'accuracy',
  'precision',
  'recall',
  'specificity',
  'f1',
  'mcc',
  'roc_auc',
  'average_precision',
  'log_loss',
  'brier_score',
  'ece',
  'ks',
] as const;

export type BinaryMetricName = (typeof BINARY_METRIC_NAMES)[number];

const CLIP = 1e-15;

/** a / b, or null when b is 0 (an undefined value is NULL, never a made-up 0). */
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** Number of rows with `score >= t`, split by label. */
function countAtOrAbove(rows: BinaryRow[], t: number): { pos: number; neg: number } {
  let pos = 0;
  let neg = 0;
  for (const r of rows) {
    if (r.score >= t) {
      if (r.label === 1) pos += 1;
      else neg += 1;
    }
  }
  return { pos, neg };
}

/** Distinct scores, descending. */
function distinctScoresDescending(rows: BinaryRow[]): number[] {
  return [...new Set(rows.map((r) => r.score))].sort((a, b) => b - a);
}

/**
 * roc_auc by the Mann-Whitney U statistic with average ranks for ties:
 * AUC = (sum of the ranks of the positives - P (P + 1) / 2) / (P N).
 */
function rocAuc(rows: BinaryRow[], positives: number, negatives: number): number | null {
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  // Ranks are 1-based; a run of equal scores at positions i..j-1 (0-based) all get the average
  // rank ((i + 1) + j) / 2.
  let rankSumPositives = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j += 1;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k += 1) {
      if (sorted[k]!.label === 1) rankSumPositives += averageRank;
    }
    i = j;
  }
  const u = rankSumPositives - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

/**
 * average_precision: sum over distinct scores s, descending, of (R(s) - R(prev)) * P(s), where
 * P(s), R(s) are the precision and recall of the rule `score >= s` and R(prev) starts at 0.
 */
function averagePrecision(rows: BinaryRow[], positives: number): number | null {
  if (positives === 0) return null;
  let previousRecall = 0;
  let ap = 0;
  for (const s of distinctScoresDescending(rows)) {
    const { pos, neg } = countAtOrAbove(rows, s);
    const precision = pos / (pos + neg); // pos + neg >= 1: s is one of the scores
    const recall = pos / positives;
    ap += (recall - previousRecall) * precision;
    previousRecall = recall;
  }
  return ap;
}

/** ks: max over thresholds t (every distinct score and one above all scores) of TPR(t) - FPR(t). */
function ks(rows: BinaryRow[], positives: number, negatives: number): number | null {
  if (positives === 0 || negatives === 0) return null;
  const thresholds = [Number.POSITIVE_INFINITY, ...distinctScoresDescending(rows)];
  let best = Number.NEGATIVE_INFINITY;
  for (const t of thresholds) {
    const { pos, neg } = countAtOrAbove(rows, t);
    const d = pos / positives - neg / negatives;
    if (d > best) best = d;
  }
  return best;
}

/** ece: 10 equal-width bins, bin = min(floor(10 p), 9) clamped to 0..9; sum |Σy - Σp| / count. */
function ece(rows: BinaryRow[]): number {
  const labelSums = new Array<number>(10).fill(0);
  const scoreSums = new Array<number>(10).fill(0);
  for (const r of rows) {
    const bin = Math.max(0, Math.min(Math.floor(10 * r.score), 9));
    labelSums[bin]! += r.label;
    scoreSums[bin]! += r.score;
  }
  let total = 0;
  for (let b = 0; b < 10; b += 1) total += Math.abs(labelSums[b]! - scoreSums[b]!);
  return total / rows.length;
}

function logLoss(rows: BinaryRow[]): number {
  let total = 0;
  for (const r of rows) {
    const p = Math.min(Math.max(r.score, CLIP), 1 - CLIP);
    total += -(r.label * Math.log(p) + (1 - r.label) * Math.log(1 - p));
  }
  return total / rows.length;
}

/** `scoreBins`: with approximate_ranking, whose metrics replace the exact ranking metrics. */
export function binaryMetrics(
  rows: { score: number; label: 0 | 1 }[],
  threshold: number,
  scoreBins?: number,
): Record<string, number | null> {
  if (rows.length === 0) throw new Error('binaryMetrics: no rows (a group needs at least one evaluated prediction)');
  for (const r of rows) {
    if (typeof r.score !== 'number' || !Number.isFinite(r.score)) {
      throw new Error(`binaryMetrics: score must be a finite number, got ${String(r.score)}`);
    }
    if (r.label !== 0 && r.label !== 1) throw new Error(`binaryMetrics: label must be 0 or 1, got ${String(r.label)}`);
  }

  const count = rows.length;
  let positives = 0;
  let scoreSum = 0;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let brierSum = 0;
  for (const r of rows) {
    positives += r.label;
    scoreSum += r.score;
    brierSum += (r.score - r.label) ** 2;
    const predictedPositive = r.score >= threshold;
    if (predictedPositive && r.label === 1) tp += 1;
    else if (predictedPositive && r.label === 0) fp += 1;
    else if (!predictedPositive && r.label === 0) tn += 1;
    else fn += 1;
  }
  const negatives = count - positives;

  const mccFactors = [tp + fp, tp + fn, tn + fp, tn + fn];
  const mcc = mccFactors.some((f) => f === 0)
    ? null
    : (tp * tn - fp * fn) / Math.sqrt(mccFactors.reduce((a, b) => a * b, 1));

  const result: Record<BinaryMetricName, number | null> = {
    count,
    positive_rate: positives / count,
    mean_score: scoreSum / count,
    tp,
    fp,
    tn,
    fn,
    accuracy: (tp + tn) / count,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    mcc,
    roc_auc: rocAuc(rows, positives, negatives),
    average_precision: averagePrecision(rows, positives),
    log_loss: logLoss(rows),
    brier_score: brierSum / count,
    ece: ece(rows),
    ks: ks(rows, positives, negatives),
  };
  return scoreBins ? { ...result, ...approximateRankingMetrics(rows, scoreBins) } : result;
}

// ---------------------------------------------------------------------------------------------
// approximate_ranking (docs/semantics.md, section 5, "Approximate ranking")

/** The ranking metrics that approximate_ranking replaces, each followed by its error bound. */
export const APPROXIMATE_RANKING_METRICS = [
  'roc_auc',
  'roc_auc_error_bound',
  'average_precision',
  'average_precision_error_bound',
  'ks',
  'ks_error_bound',
] as const;

/**
 * A score's bin: the calibration bin c = min(max(floor(10 s), 0), 9), cut in k = bins / 10 equal
 * parts, c k + min(max(floor((10 s - c) k), 0), k - 1), in double arithmetic as written.
 */
export function scoreBin(score: number, bins: number): number {
  const k = bins / 10;
  const c = Math.min(Math.max(Math.floor(score * 10), 0), 9);
  return c * k + Math.min(Math.max(Math.floor((score * 10 - c) * k), 0), k - 1);
}

/**
 * roc_auc, average_precision and ks as defined above, of the rows with every score replaced by its
 * bin (a bin is one tied score), and the contract's error bound of each:
 *   roc_auc:            sum over bins of p q / (2 P N)
 *   average_precision:  max(U - AP, AP - L), U = sum over bins of p / P * (A + p) / (C + p),
 *                       L = sum over bins of p / P * (A + 1) / (C + q + 1)
 *   ks:                 max(0, max over bins of TPR - FPR counting the whole bin, plus q / N) - ks
 * where a bin holds p positives and q negatives, and A positives and C rows are in higher bins.
 */
export function approximateRankingMetrics(rows: BinaryRow[], bins: number): Record<(typeof APPROXIMATE_RANKING_METRICS)[number], number | null> {
  const binned = rows.map((r) => ({ score: scoreBin(r.score, bins), label: r.label }));
  const positives = rows.filter((r) => r.label === 1).length;
  const negatives = rows.length - positives;
  const counts = new Map<number, { p: number; q: number }>();
  for (const r of binned) {
    const c = counts.get(r.score) ?? { p: 0, q: 0 };
    if (r.label === 1) c.p += 1;
    else c.q += 1;
    counts.set(r.score, c);
  }
  let tiePairs = 0;
  let upper = 0;
  let lower = 0;
  let ksUpper = 0;
  let above = 0; // rows in higher bins
  let positivesAbove = 0;
  for (const bin of [...counts.keys()].sort((a, b) => b - a)) {
    const { p, q } = counts.get(bin)!;
    tiePairs += p * q;
    if (p > 0) {
      upper += (p / positives) * ((positivesAbove + p) / (above + p));
      lower += (p / positives) * ((positivesAbove + 1) / (above + q + 1));
    }
    const tprMinusFpr = (positivesAbove + p) / positives - (above - positivesAbove + q) / negatives;
    ksUpper = Math.max(ksUpper, tprMinusFpr + q / negatives);
    above += p + q;
    positivesAbove += p;
  }
  const auc = rocAuc(binned, positives, negatives);
  const ap = averagePrecision(binned, positives);
  const k = ks(binned, positives, negatives);
  return {
    roc_auc: auc,
    roc_auc_error_bound: positives === 0 || negatives === 0 ? null : tiePairs / (2 * positives * negatives),
    average_precision: ap,
    average_precision_error_bound: ap === null ? null : Math.max(upper - ap, ap - lower),
    ks: k,
    ks_error_bound: k === null ? null : ksUpper - k,
  };
}
