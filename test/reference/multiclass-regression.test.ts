/**
 * Tests of the multiclass (docs/semantics.md 5b) and regression (5c) references, against values
 * computed by hand (arithmetic in the comments) or documented by scikit-learn, and of the generic
 * pipeline serving those problem types.
 */
import { describe, expect, it } from 'vitest';
import {
  CONFUSION_ARROW,
  MULTICLASS_CLASS_METRICS,
  MULTICLASS_WINDOW_METRICS,
  multiclassMetrics,
  type MulticlassRow,
} from './multiclass-metrics.js';
import {
  DATA_QUALITY_METRICS,
  OTHER,
  referenceMulticlassPipeline,
  referencePipeline,
  referenceRegressionPipeline,
  type GroupMetricRow,
  type MetricRow,
  type MulticlassConfig,
  type MulticlassOutcomeEvent,
  type MulticlassPredictionEvent,
  type OutcomeEvent,
  type PredictionEvent,
  type RegressionConfig,
  type RegressionOutcomeEvent,
  type RegressionPredictionEvent,
} from './pipeline.js';
import { REGRESSION_METRIC_NAMES, multiOutputRegressionMetrics, regressionMetrics } from './regression-metrics.js';

const CLIPPED = -Math.log(1e-15); // 34.538776394910684

/** The one row with this metric and qualifier. */
function row(rows: GroupMetricRow[], metric: string, qualifier: string | null = null): GroupMetricRow {
  const found = rows.filter((r) => r.metric === metric && r.qualifier === qualifier);
  expect(found, `${metric} / ${String(qualifier)}`).toHaveLength(1);
  return found[0]!;
}
const v = (rows: GroupMetricRow[], metric: string, qualifier: string | null = null): number | null => row(rows, metric, qualifier).value;
const has = (rows: GroupMetricRow[], metric: string, qualifier: string | null = null): boolean =>
  rows.some((r) => r.metric === metric && r.qualifier === qualifier);

/** x cut (not rounded) to `digits` decimals, as scikit-learn's docs print values ("0.948..."). */
const truncated = (x: number | null, digits: number): number => Math.trunc(x! * 10 ** digits) / 10 ** digits;

const mc = (labels: string[], predicted: string[], scores?: Record<string, number | null>[]): MulticlassRow[] =>
  labels.map((label, i) => ({ label, predicted: predicted[i]!, ...(scores ? { scores: scores[i]! } : {}) }));

// ------------------------------------------------------------------------------------------------
// multiclassMetrics

describe('multiclassMetrics: scikit-learn documented examples', () => {
  it('precision_recall_fscore_support doc: cat/dog/pig', () => {
    // y_true = [cat, dog, pig, cat, dog, pig], y_pred = [cat, pig, dog, cat, cat, dog]
    const m = multiclassMetrics(mc(['cat', 'dog', 'pig', 'cat', 'dog', 'pig'], ['cat', 'pig', 'dog', 'cat', 'cat', 'dog']), { topK: [] });
    // cat: support 2, predicted 3 (rows 0, 3, 4), tp 2 -> P 2/3, R 1, F1 4 / (4 + 1 + 0) = .8
    expect(v(m, 'support', 'cat')).toBe(2);
    expect(v(m, 'predicted_count', 'cat')).toBe(3);
    expect(v(m, 'precision', 'cat')).toBeCloseTo(2 / 3, 12);
    expect(v(m, 'recall', 'cat')).toBe(1);
    expect(v(m, 'f1', 'cat')).toBeCloseTo(0.8, 12);
    // dog: support 2, predicted 2, tp 0 -> 0, 0, 0 / (0 + 2 + 2) = 0; pig: support 2, predicted 1 -> 0, 0, 0
    expect([v(m, 'precision', 'dog'), v(m, 'recall', 'dog'), v(m, 'f1', 'dog')]).toEqual([0, 0, 0]);
    expect([v(m, 'predicted_count', 'pig'), v(m, 'precision', 'pig'), v(m, 'recall', 'pig'), v(m, 'f1', 'pig')]).toEqual([1, 0, 0, 0]);
    // sklearn doc, average='macro': (0.222..., 0.333..., 0.266...); 'weighted' the same (equal supports)
    expect(v(m, 'precision_macro')).toBeCloseTo(2 / 9, 12);
    expect(v(m, 'recall_macro')).toBeCloseTo(1 / 3, 12);
    expect(v(m, 'f1_macro')).toBeCloseTo(0.8 / 3, 12);
    expect(v(m, 'precision_weighted')).toBeCloseTo(2 / 9, 12);
    expect(v(m, 'recall_weighted')).toBeCloseTo(1 / 3, 12);
    expect(v(m, 'f1_weighted')).toBeCloseTo(0.8 / 3, 12);
    // average='micro' = accuracy = 2/6
    expect(v(m, 'accuracy')).toBeCloseTo(1 / 3, 12);
    expect(v(m, 'count')).toBe(6);
    expect(v(m, 'balanced_accuracy')).toBeCloseTo(1 / 3, 12); // (1 + 0 + 0) / 3
    // p_o = 2/6, p_e = (2*3 + 2*2 + 2*1) / 36 = 1/3 -> kappa 0
    expect(v(m, 'cohen_kappa')).toBeCloseTo(0, 12);
    // confusion: cat→cat 2, dog→pig 1, pig→dog 2, dog→cat 1
    const confusion = m.filter((r) => r.metric === 'confusion').map((r) => [r.qualifier, r.value, r.sampleSize]);
    expect(confusion).toEqual([
      [`cat${CONFUSION_ARROW}cat`, 2, 6],
      [`dog${CONFUSION_ARROW}cat`, 1, 6],
      [`dog${CONFUSION_ARROW}pig`, 1, 6],
      [`pig${CONFUSION_ARROW}dog`, 2, 6],
    ]);
    expect(`cat${CONFUSION_ARROW}cat`).toBe('cat→cat');
    // no scores configured: no score-based window rows; per-class roc_auc rows are NULL
    for (const metric of ['log_loss', 'brier_score', 'roc_auc_ovr_macro']) expect(has(m, metric)).toBe(false);
    expect(v(m, 'roc_auc', 'cat')).toBeNull();
  });

  it('row set: window rows, 6 rows per class of the group, one per occurring confusion pair', () => {
    const m = multiclassMetrics(mc(['cat', 'dog', 'pig', 'cat', 'dog', 'pig'], ['cat', 'pig', 'dog', 'cat', 'cat', 'dog']), { topK: [1] });
    expect(m.filter((r) => r.qualifier === null).map((r) => r.metric)).toEqual([...MULTICLASS_WINDOW_METRICS]); // no top-k without scores
    expect(m.filter((r) => r.qualifier === 'dog').map((r) => r.metric)).toEqual([...MULTICLASS_CLASS_METRICS]);
    expect(m).toHaveLength(10 + 3 * 6 + 4);
    for (const r of m) expect(r.sampleSize).toBe(6);
  });

  it('balanced_accuracy_score doc: 0.625; cohen_kappa 0.25', () => {
    // y_true = [0,1,0,0,1,0], y_pred = [0,1,0,0,0,1]: recall(0) = 3/4, recall(1) = 1/2 -> .625
    const m = multiclassMetrics(mc(['0', '1', '0', '0', '1', '0'], ['0', '1', '0', '0', '0', '1']), { topK: [] });
    expect(v(m, 'balanced_accuracy')).toBeCloseTo(0.625, 12);
    // p_o = 4/6; supports 4, 2; predicted 4, 2 -> p_e = (16 + 4) / 36 = 5/9; (2/3 - 5/9) / (4/9) = 1/4
    expect(v(m, 'cohen_kappa')).toBeCloseTo(0.25, 12);
  });

  it('cohen_kappa_score doc: 0.6875', () => {
    // labels [neg, pos, neg, neu, pos], predicted [neg, pos, neg, neu, neg]
    // p_o = 4/5; supports neg 2, pos 2, neu 1; predicted neg 3, pos 1, neu 1
    // p_e = (2*3 + 2*1 + 1*1) / 25 = 9/25; (.8 - .36) / .64 = .6875
    const m = multiclassMetrics(
      mc(['negative', 'positive', 'negative', 'neutral', 'positive'], ['negative', 'positive', 'negative', 'neutral', 'negative']),
      { topK: [] },
    );
    expect(v(m, 'cohen_kappa')).toBeCloseTo(0.6875, 12);
  });

  // top_k_accuracy_score doc: y_true = [0, 1, 2, 2], y_score = [[.5,.2,.2],[.3,.4,.2],[.2,.4,.3],[.7,.2,.1]],
  // k=2 -> 0.75. Given here unnormalized as integers (x10) so every renormalized value is exact:
  // rows sum to 9, 9, 9, 10 -> p = [5/9,2/9,2/9], [3/9,4/9,2/9], [2/9,4/9,3/9], [.7,.2,.1].
  const topKRows = mc(
    ['0', '1', '2', '2'],
    ['0', '1', '1', '0'], // argmax
    [
      { '0': 5, '1': 2, '2': 2 },
      { '0': 3, '1': 4, '2': 2 },
      { '0': 2, '1': 4, '2': 3 },
      { '0': 7, '1': 2, '2': 1 },
    ],
  );

  it('top_k_accuracy_score doc (unnormalized scores): top-2 .75, top-1 .5, top-3 1', () => {
    const m = multiclassMetrics(topKRows, { classes: ['0', '1', '2'], topK: [1, 2, 3] });
    // classes strictly higher than the true class: row0 0, row1 0, row2 1 (4/9 > 3/9), row3 2
    expect(v(m, 'top_2_accuracy')).toBeCloseTo(0.75, 12);
    expect(v(m, 'top_1_accuracy')).toBeCloseTo(0.5, 12);
    expect(v(m, 'top_3_accuracy')).toBe(1);
    expect(row(m, 'top_2_accuracy').sampleSize).toBe(4);
  });

  it('same data: log_loss, brier_score, per-class and macro ROC AUC on renormalized scores', () => {
    const m = multiclassMetrics(topKRows, { classes: ['0', '1', '2'], topK: [] });
    // p(true) = 5/9, 4/9, 3/9, .1 (sklearn's log_loss renormalizes the same way)
    expect(v(m, 'log_loss')).toBeCloseTo(-(Math.log(5 / 9) + Math.log(4 / 9) + Math.log(1 / 3) + Math.log(0.1)) / 4, 12);
    expect(v(m, 'log_loss')).toBeCloseTo(1.1999785, 6);
    // brier: row0 (4/9)^2 + (2/9)^2 + (2/9)^2 = 24/81; row1 (3^2 + 5^2 + 2^2)/81 = 38/81;
    // row2 (2^2 + 4^2 + 6^2)/81 = 56/81; row3 .49 + .04 + .81 = 1.34 -> (118/81 + 1.34) / 4
    expect(v(m, 'brier_score')).toBeCloseTo((118 / 81 + 1.34) / 4, 12);
    // class 0: positive row0 (5/9) vs 3/9, 2/9, .7 -> 2/3
    expect(v(m, 'roc_auc', '0')).toBeCloseTo(2 / 3, 12);
    // class 1: positive row1 (4/9) vs 2/9 (win), 4/9 (tie: 1/2), .2 (win) -> 2.5 / 3
    expect(v(m, 'roc_auc', '1')).toBeCloseTo(5 / 6, 12);
    // class 2: positives 3/9, .1 vs negatives 2/9, 2/9 -> (2 + 0) / 4
    expect(v(m, 'roc_auc', '2')).toBeCloseTo(0.5, 12);
    expect(v(m, 'roc_auc_ovr_macro')).toBeCloseTo((2 / 3 + 5 / 6 + 1 / 2) / 3, 12);
    expect(row(m, 'roc_auc', '1').sampleSize).toBe(4);
    // classification part: class 2 never predicted
    // 0: support 1, predicted 2, tp 1 -> P .5, R 1, F1 2/3; 1: the same; 2: support 2, predicted 0 -> P NULL, R 0, F1 0
    expect(v(m, 'precision', '2')).toBeNull();
    expect(v(m, 'recall', '2')).toBe(0);
    expect(v(m, 'f1', '2')).toBe(0); // 0 / (0 + 0 + 2)
    // (scikit-learn's default: class 2's undefined precision is 0 in the averages)
    expect(v(m, 'precision_macro')).toBeCloseTo(1 / 3, 12); // (.5 + .5 + 0) / 3
    expect(v(m, 'recall_macro')).toBeCloseTo(2 / 3, 12);
    expect(v(m, 'f1_macro')).toBeCloseTo(4 / 9, 12);
    expect(v(m, 'precision_weighted')).toBeCloseTo(0.25, 12); // (1*.5 + 1*.5 + 2*0) / 4
    expect(v(m, 'recall_weighted')).toBeCloseTo(0.5, 12); // (1 + 1 + 0) / 4
    expect(v(m, 'f1_weighted')).toBeCloseTo(1 / 3, 12); // (2/3 + 2/3 + 0) / 4
    expect(v(m, 'balanced_accuracy')).toBeCloseTo(2 / 3, 12);
    // p_o = .5, p_e = (1*2 + 1*2 + 2*0) / 16 = .25 -> .25 / .75
    expect(v(m, 'cohen_kappa')).toBeCloseTo(1 / 3, 12);
  });

  it('log_loss doc: spam/ham 0.21616', () => {
    // log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]]), columns ham, spam
    const m = multiclassMetrics(
      mc(['spam', 'ham', 'ham', 'spam'], ['spam', 'ham', 'ham', 'spam'], [
        { ham: 0.1, spam: 0.9 },
        { ham: 0.9, spam: 0.1 },
        { ham: 0.8, spam: 0.2 },
        { ham: 0.35, spam: 0.65 },
      ]),
      { classes: ['ham', 'spam'], topK: [] },
    );
    expect(v(m, 'log_loss')).toBeCloseTo(-(2 * Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4, 12);
    expect(truncated(v(m, 'log_loss'), 5)).toBe(0.21616);
    // brier: .01+.01, .01+.01, .04+.04, .1225+.1225 -> .365 / 4
    expect(v(m, 'brier_score')).toBeCloseTo(0.09125, 12);
    expect(v(m, 'roc_auc', 'ham')).toBe(1); // .9, .8 vs .1, .35
    expect(v(m, 'roc_auc', 'spam')).toBe(1);
    expect(v(m, 'roc_auc_ovr_macro')).toBe(1);
    expect(v(m, 'cohen_kappa')).toBe(1); // p_o = 1, p_e = (2*2 + 2*2) / 16 = .5
  });
});

describe('multiclassMetrics: edge cases', () => {
  it('a class never seen in the labels (only predicted)', () => {
    // labels [a, a, b], predicted [a, c, b]; scores x10 per row
    const m = multiclassMetrics(
      mc(['a', 'a', 'b'], ['a', 'c', 'b'], [
        { a: 6, b: 2, c: 2 },
        { a: 3, b: 2, c: 5 },
        { a: 1, b: 8, c: 1 },
      ]),
      { classes: ['a', 'b', 'c'], topK: [1] },
    );
    // c: support 0, predicted 1, tp 0 -> P 0, R NULL, F1 0 / (0 + 1 + 0) = 0
    expect([v(m, 'support', 'c'), v(m, 'predicted_count', 'c'), v(m, 'precision', 'c'), v(m, 'recall', 'c'), v(m, 'f1', 'c')]).toEqual([0, 1, 0, null, 0]);
    // a: support 2, predicted 1, tp 1 -> 1, .5, 2 / (2 + 0 + 1); b: 1, 1, 1
    expect(v(m, 'f1', 'a')).toBeCloseTo(2 / 3, 12);
    expect(v(m, 'precision_macro')).toBeCloseTo(2 / 3, 12); // (1 + 1 + 0) / 3
    expect(v(m, 'recall_macro')).toBeCloseTo(0.5, 12); // (.5 + 1 + 0) / 3, c's undefined recall counted 0
    expect(v(m, 'f1_macro')).toBeCloseTo(5 / 9, 12); // (2/3 + 1 + 0) / 3
    // precision [1,1,0] support [2,1,0] -> 3/3; recall [.5,1,0] -> 2/3; f1 -> (4/3 + 1) / 3
    expect(v(m, 'precision_weighted')).toBeCloseTo(1, 12);
    expect(v(m, 'recall_weighted')).toBeCloseTo(2 / 3, 12);
    expect(v(m, 'f1_weighted')).toBeCloseTo(7 / 9, 12);
    expect(v(m, 'balanced_accuracy')).toBeCloseTo(0.75, 12); // over a, b only
    // p_e = (2*1 + 1*1 + 0*1) / 9 = 1/3, p_o = 2/3 -> (1/3) / (2/3)
    expect(v(m, 'cohen_kappa')).toBeCloseTo(0.5, 12);
    // roc_auc: a: .6, .3 vs .1 -> 1; b: .8 vs .2, .2 -> 1; c absent from the labels -> NULL
    expect(v(m, 'roc_auc', 'a')).toBe(1);
    expect(v(m, 'roc_auc', 'b')).toBe(1);
    expect(v(m, 'roc_auc', 'c')).toBeNull();
    // macro over the classes present in the labels with a score column (a, b): c does not make it NULL
    expect(v(m, 'roc_auc_ovr_macro')).toBe(1);
    expect(v(m, 'log_loss')).toBeCloseTo(-(Math.log(0.6) + Math.log(0.3) + Math.log(0.8)) / 3, 12);
    // top-1: row0 a .6 top (hit), row1 a .3 < c .5 (miss), row2 b .8 (hit)
    expect(v(m, 'top_1_accuracy')).toBeCloseTo(2 / 3, 12);
  });

  it('a configured class absent from the group has no per-class rows', () => {
    const m = multiclassMetrics(mc(['a', 'b'], ['a', 'b'], [{ a: 1, b: 0, z: 0 }, { a: 0, b: 1, z: 0 }]), { classes: ['a', 'b', 'z'], topK: [] });
    expect(m.some((r) => r.qualifier === 'z')).toBe(false);
    expect(v(m, 'roc_auc_ovr_macro')).toBe(1);
    expect(v(m, 'brier_score')).toBe(0); // z contributes (0 - 0)^2
  });

  it('a label outside the configured classes: probability 0, clipped; never a top-k hit', () => {
    // configured a, b; rows: (a, a, 3:1), (b, b, 1:3), (z, a, 1:1) -> p [.75,.25], [.25,.75], [.5,.5]
    const m = multiclassMetrics(
      mc(['a', 'b', 'z'], ['a', 'b', 'a'], [{ a: 3, b: 1 }, { a: 1, b: 3 }, { a: 1, b: 1 }]),
      { classes: ['a', 'b'], topK: [1, 5] },
    );
    // log_loss: -ln .75 twice, then -ln(1e-15) = 34.5387...
    expect(v(m, 'log_loss')).toBeCloseTo((-2 * Math.log(0.75) + CLIPPED) / 3, 10);
    // brier over a, b and the true class z: .0625+.0625, .0625+.0625, .25+.25+1 -> 1.75 / 3
    expect(v(m, 'brier_score')).toBeCloseTo(1.75 / 3, 12);
    expect(v(m, 'top_1_accuracy')).toBeCloseTo(2 / 3, 12);
    expect(v(m, 'top_5_accuracy')).toBeCloseTo(2 / 3, 12); // z is never a hit, whatever k
    // a: .75 vs .25, .5 -> 1; b: .75 vs .25, .5 -> 1; z has no score column -> NULL
    expect(v(m, 'roc_auc', 'a')).toBe(1);
    expect(v(m, 'roc_auc', 'z')).toBeNull();
    expect(v(m, 'roc_auc_ovr_macro')).toBe(1); // over a, b (z has no score column)
    expect([v(m, 'support', 'z'), v(m, 'predicted_count', 'z'), v(m, 'precision', 'z'), v(m, 'recall', 'z')]).toEqual([1, 0, null, 0]);
  });

  it('rows with a NULL score or scores summing to 0 leave the score metrics only', () => {
    const m = multiclassMetrics(
      mc(['a', 'b', 'b', 'b', 'a'], ['a', 'b', 'a', 'b', 'b'], [
        { a: 2, b: 2 }, // usable: .5 .5
        { a: 0, b: 0 }, // sums to 0
        { a: null, b: 1 }, // NULL
        { a: 1, b: 3 }, // usable: .25 .75
        { a: 1 }, // b missing = NULL
      ]),
      { classes: ['a', 'b'], topK: [1] },
    );
    expect(v(m, 'count')).toBe(5);
    expect(v(m, 'accuracy')).toBeCloseTo(3 / 5, 12);
    expect(row(m, 'accuracy').sampleSize).toBe(5);
    expect(v(m, 'log_loss')).toBeCloseTo(-(Math.log(0.5) + Math.log(0.75)) / 2, 12);
    expect(row(m, 'log_loss').sampleSize).toBe(2);
    expect(row(m, 'brier_score').sampleSize).toBe(2);
    expect(row(m, 'roc_auc_ovr_macro').sampleSize).toBe(2);
    expect(row(m, 'top_1_accuracy').sampleSize).toBe(2);
    // top-1 with ties: row0 a .5 = b .5, true a: one of two tied places fits -> 1/2; row3 b .75 -> hit
    expect(v(m, 'top_1_accuracy')).toBe(0.75);
    // roc a over usable rows: positive .5 vs negative .25 -> 1; per-class rows keep the group's count
    expect(v(m, 'roc_auc', 'a')).toBe(1);
    expect(row(m, 'roc_auc', 'a').sampleSize).toBe(5);
    expect(v(m, 'support', 'b')).toBe(3); // classification metrics use every row
  });

  it('a class present in the group labels only on unusable rows makes roc_auc_ovr_macro NULL', () => {
    const m = multiclassMetrics(
      mc(['a', 'b', 'c'], ['a', 'b', 'c'], [{ a: 8, b: 1, c: 1 }, { a: 1, b: 8, c: 1 }, { a: 1, b: 1, c: null }]),
      { classes: ['a', 'b', 'c'], topK: [] },
    );
    expect(v(m, 'roc_auc', 'a')).toBe(1);
    expect(v(m, 'roc_auc', 'c')).toBeNull(); // no usable row has label c
    expect(v(m, 'roc_auc_ovr_macro')).toBeNull(); // c is present in the labels and has a score column
  });

  it('no usable score row: score metrics NULL with sample_size 0', () => {
    const m = multiclassMetrics(mc(['a', 'b'], ['a', 'a'], [{ a: 0, b: 0 }, { a: null, b: 1 }]), { classes: ['a', 'b'], topK: [2] });
    for (const metric of ['log_loss', 'brier_score', 'roc_auc_ovr_macro', 'top_2_accuracy']) {
      expect(v(m, metric)).toBeNull();
      expect(row(m, metric).sampleSize).toBe(0);
    }
    expect(v(m, 'roc_auc', 'a')).toBeNull();
  });

  it('one-row window', () => {
    const m = multiclassMetrics(mc(['a'], ['a'], [{ a: 0.25, b: 0.25 }]), { classes: ['a', 'b'], topK: [1] });
    expect(v(m, 'count')).toBe(1);
    expect(v(m, 'accuracy')).toBe(1);
    expect([v(m, 'precision_macro'), v(m, 'recall_macro'), v(m, 'f1_macro'), v(m, 'balanced_accuracy')]).toEqual([1, 1, 1, 1]);
    expect(v(m, 'cohen_kappa')).toBeNull(); // p_e = (1*1)/1 = 1
    expect(v(m, 'roc_auc', 'a')).toBeNull(); // every row has label a
    expect(v(m, 'roc_auc_ovr_macro')).toBeNull(); // fewer than two classes in the labels
    expect(v(m, 'log_loss')).toBeCloseTo(-Math.log(0.5), 12); // renormalized .5
    expect(v(m, 'brier_score')).toBeCloseTo(0.5, 12); // (.5 - 1)^2 + (.5 - 0)^2
    expect(v(m, 'top_1_accuracy')).toBe(0.5); // a tied with b: either may come first
    expect(m).toHaveLength(10 + 4 + 6 + 1);
  });

  it('one-row window, wrong class', () => {
    const m = multiclassMetrics(mc(['a'], ['b']), { topK: [] });
    // a: support 1, predicted 0 -> P NULL, R 0, F1 0; b: support 0, predicted 1 -> P 0, R NULL, F1 0
    expect(v(m, 'precision_macro')).toBe(0);
    expect(v(m, 'recall_macro')).toBe(0);
    expect(v(m, 'f1_macro')).toBe(0);
    expect(v(m, 'balanced_accuracy')).toBe(0);
    // p_e = (1*0 + 0*1) / 1 = 0, p_o = 0 -> 0
    expect(v(m, 'cohen_kappa')).toBe(0);
    // weighted precision: a's undefined precision counts 0, weighted by its support 1 -> 0 / 1
    expect(v(m, 'precision_weighted')).toBe(0);
    expect(v(m, 'recall_weighted')).toBe(0);
    expect(v(m, 'f1_weighted')).toBe(0); // (1*0 + 0*0) / 1
  });

  it('every prediction and label the same class: kappa NULL; all wrong: kappa negative', () => {
    expect(v(multiclassMetrics(mc(['a', 'a', 'a'], ['a', 'a', 'a']), { topK: [] }), 'cohen_kappa')).toBeNull();
    // labels a, b; predicted b, a: p_o = 0, p_e = (1*1 + 1*1)/4 = .5 -> -.5 / .5 = -1
    expect(v(multiclassMetrics(mc(['a', 'b'], ['b', 'a']), { topK: [] }), 'cohen_kappa')).toBeCloseTo(-1, 12);
    // labels all a, predicted a, b: p_o = .5, p_e = (2*1 + 0*1)/4 = .5 -> 0
    expect(v(multiclassMetrics(mc(['a', 'a'], ['a', 'b']), { topK: [] }), 'cohen_kappa')).toBeCloseTo(0, 12);
  });

  it('ties in scores: ROC AUC counts 1/2, top-k the share of the tied places that fit in k', () => {
    // three classes all scored 1 on every row: every p is 1/3
    const m = multiclassMetrics(
      mc(['a', 'b', 'c', 'a'], ['a', 'a', 'a', 'a'], [{ a: 1, b: 1, c: 1 }, { a: 1, b: 1, c: 1 }, { a: 1, b: 1, c: 1 }, { a: 1, b: 1, c: 1 }]),
      { classes: ['a', 'b', 'c'], topK: [1] },
    );
    expect(v(m, 'roc_auc', 'a')).toBeCloseTo(0.5, 12);
    expect(v(m, 'roc_auc', 'b')).toBeCloseTo(0.5, 12);
    expect(v(m, 'roc_auc_ovr_macro')).toBeCloseTo(0.5, 12);
    // (uniform scores: the true class is first in one order of the three in three)
    expect(v(m, 'top_1_accuracy')).toBeCloseTo(1 / 3, 15);
    // partial ties: scores a:b:c = 2:2:1 and true class c -> two strictly higher: top-2 miss, top-3 hit
    const t = multiclassMetrics(mc(['c', 'a'], ['a', 'a'], [{ a: 2, b: 2, c: 1 }, { a: 2, b: 2, c: 1 }]), { classes: ['a', 'b', 'c'], topK: [1, 2, 3] });
    // row1: true a .4, tied with b .4, nothing strictly higher -> 1/2 at k = 1, a hit from k = 2
    expect([v(t, 'top_1_accuracy'), v(t, 'top_2_accuracy'), v(t, 'top_3_accuracy')]).toEqual([0.25, 0.5, 1]);
    // roc c: positive .2 vs negative .2 -> 1/2; roc a: positive .4 vs negative .4 -> 1/2
    expect(v(t, 'roc_auc', 'c')).toBeCloseTo(0.5, 12);
    expect(v(t, 'roc_auc', 'a')).toBeCloseTo(0.5, 12);
  });

  it('ROC AUC ranks renormalized scores, not raw ones', () => {
    // raw a-scores 4 (label a) and 3 (label b); rows sum to 8 and 4 -> p(a) = .5 and .75
    const m = multiclassMetrics(mc(['a', 'b'], ['a', 'a'], [{ a: 4, b: 4 }, { a: 3, b: 1 }]), { classes: ['a', 'b'], topK: [] });
    expect(v(m, 'roc_auc', 'a')).toBe(0); // .5 (positive) < .75 (negative)
    expect(v(m, 'roc_auc', 'b')).toBe(0); // b: .25 (positive) < .5 (negative)
  });

  it('keeps equal scores of rows that sum to 1 up to rounding tied (scikit-learn on the same probabilities)', () => {
    // 0.2 + 0.7 + 0.1 is 0.9999999999999999 in doubles: divided by it, row 1's 0.2 "outranked" row 0's.
    // roc a: positive 0.2 (row 0) vs negatives 0.2 (row 1, a tie: 1/2) and 0.1 (row 2, a win): 0.75;
    // b: 0.7 beats 0.1 and 0.2: 1; c: 0.7 (row 2) vs 0.7 (row 0, tie) and 0.1 (win): 0.75
    const rows = mc(['a', 'b', 'c'], ['a', 'b', 'c'], [{ a: 0.2, b: 0.1, c: 0.7 }, { a: 0.2, b: 0.7, c: 0.1 }, { a: 0.1, b: 0.2, c: 0.7 }]);
    expect(0.2 + 0.7 + 0.1).not.toBe(1); // (the case this is about)
    const m = multiclassMetrics(rows, { classes: ['a', 'b', 'c'], topK: [] });
    expect([v(m, 'roc_auc', 'a'), v(m, 'roc_auc', 'b'), v(m, 'roc_auc', 'c')]).toEqual([0.75, 1, 0.75]);
    expect(v(m, 'roc_auc_ovr_macro')).toBeCloseTo(2.5 / 3, 15);
    // the same probabilities as a float32 model writes them: their sums miss 1 by about 1e-8
    const f = (x: number) => Math.fround(x);
    const float32 = mc(['a', 'b', 'c'], ['a', 'b', 'c'], [{ a: f(0.2), b: f(0.1), c: f(0.7) }, { a: f(0.2), b: f(0.3), c: f(0.5) }, { a: f(0.1), b: f(0.2), c: f(0.7) }]);
    expect(Math.abs(f(0.2) + f(0.3) + f(0.5) - 1)).toBeGreaterThan(1e-9);
    const m32 = multiclassMetrics(float32, { classes: ['a', 'b', 'c'], topK: [] });
    expect([v(m32, 'roc_auc', 'a'), v(m32, 'roc_auc', 'c')]).toEqual([0.75, 0.75]);
  });

  it('log_loss clips a renormalized probability of 0 or 1', () => {
    const m = multiclassMetrics(mc(['a', 'b'], ['b', 'b'], [{ a: 0, b: 5 }, { a: 0, b: 5 }]), { classes: ['a', 'b'], topK: [] });
    // row0 p(a) = 0 -> 1e-15; row1 p(b) = 1 -> 1 - 1e-15 (about 1.1e-15 after float rounding)
    expect(v(m, 'log_loss')).toBeCloseTo(CLIPPED / 2, 6);
    expect(v(m, 'brier_score')).toBeCloseTo(1, 12); // (0-1)^2 + (1-0)^2 = 2, 0 -> 2 / 2
  });

  it('no rows gives no metric rows; invalid input throws', () => {
    expect(multiclassMetrics([], { topK: [1] })).toEqual([]);
    expect(() => multiclassMetrics(mc(['a'], ['a']), { topK: [0] })).toThrow();
    expect(() => multiclassMetrics(mc(['a'], ['a'], [{ a: Number.NaN }]), { classes: ['a'], topK: [] })).toThrow();
    // a negative score (a logit) stops the run; down to -1e-9 it is a probability computed as 1 less others
    expect(() => multiclassMetrics(mc(['a'], ['a'], [{ a: -0.5, b: 1.5 }]), { classes: ['a', 'b'], topK: [] })).toThrow(/from 0 to 1e300/);
    expect(() => multiclassMetrics(mc(['a'], ['a'], [{ a: -1e-17, b: 1 }]), { classes: ['a', 'b'], topK: [] })).not.toThrow();
    expect(() => multiclassMetrics(mc(['a'], ['a']), { classes: ['a', 'a'], topK: [] })).toThrow();
  });

  it('randomized: macro ROC AUC equals the pairwise definition; recall_weighted equals accuracy', () => {
    let seed = 99;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const classes = ['x', 'y', 'z'];
    for (let trial = 0; trial < 40; trial += 1) {
      const n = 2 + Math.floor(rand() * 25);
      const rows: MulticlassRow[] = [];
      for (let i = 0; i < n; i += 1) {
        const scores: Record<string, number> = {};
        for (const c of classes) scores[c] = 1 + Math.floor(rand() * 4); // integers: many ties
        rows.push({ label: classes[Math.floor(rand() * 3)]!, predicted: classes[Math.floor(rand() * 3)]!, scores });
      }
      const m = multiclassMetrics(rows, { classes, topK: [3] });
      // sklearn: recall_weighted = sum tp / n = accuracy
      expect(v(m, 'recall_weighted')).toBeCloseTo(v(m, 'accuracy')!, 12);
      expect(v(m, 'top_3_accuracy')).toBe(1);
      for (const c of classes) {
        if (!rows.some((r) => r.label === c)) continue;
        const p = (r: MulticlassRow): number => r.scores![c]! / classes.reduce((s, k) => s + r.scores![k]!, 0);
        const pos = rows.filter((r) => r.label === c);
        const neg = rows.filter((r) => r.label !== c);
        if (neg.length === 0) {
          expect(v(m, 'roc_auc', c)).toBeNull();
          continue;
        }
        let wins = 0;
        for (const a of pos) for (const b of neg) wins += p(a) > p(b) ? 1 : p(a) === p(b) ? 0.5 : 0;
        expect(v(m, 'roc_auc', c)).toBeCloseTo(wins / (pos.length * neg.length), 12);
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------
// regressionMetrics

const reg = (labels: (number | null)[], predictions: (number | null)[]) => labels.map((label, i) => ({ label, prediction: predictions[i]! }));

describe('regressionMetrics', () => {
  // scikit-learn docs: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0.0, 2, 8]
  const doc = regressionMetrics(reg([3, -0.5, 2, 7], [2.5, 0, 2, 8]));

  it('scikit-learn documented values', () => {
    // e = [-.5, .5, 0, 1], |e| = [.5, .5, 0, 1]
    expect(v(doc, 'mae')).toBeCloseTo(0.5, 12); // mean_absolute_error 0.5
    expect(v(doc, 'mse')).toBeCloseTo(0.375, 12); // mean_squared_error 0.375
    expect(v(doc, 'rmse')).toBeCloseTo(Math.sqrt(0.375), 12); // root_mean_squared_error 0.612...
    // mean label 2.875; SS_tot = .125^2 + 3.375^2 + .875^2 + 4.125^2 = 29.1875; SS_res = 1.5
    expect(v(doc, 'r2')).toBeCloseTo(1 - 1.5 / 29.1875, 12); // r2_score 0.948...
    expect(truncated(v(doc, 'r2'), 3)).toBe(0.948);
    // var(e) = mean((e - .25)^2) = (.5625 + .0625 + .0625 + .5625) / 4 = .3125; var(y) = 29.1875 / 4
    expect(v(doc, 'explained_variance')).toBeCloseTo(1 - 0.3125 / 7.296875, 12); // 0.957...
    expect(truncated(v(doc, 'explained_variance'), 3)).toBe(0.957);
    // mape: (.5/3 + .5/.5 + 0/2 + 1/7) / 4 = 0.3273...
    expect(v(doc, 'mape')).toBeCloseTo((0.5 / 3 + 1 + 0 + 1 / 7) / 4, 12);
    expect(truncated(v(doc, 'mape'), 4)).toBe(0.3273);
    expect(v(doc, 'median_absolute_error')).toBeCloseTo(0.5, 12); // median_absolute_error 0.5
  });

  it('the other metrics on the same data', () => {
    expect(v(doc, 'count')).toBe(4);
    expect(v(doc, 'mean_prediction')).toBeCloseTo(12.5 / 4, 12);
    expect(v(doc, 'mean_label')).toBeCloseTo(11.5 / 4, 12);
    expect(v(doc, 'mean_error')).toBeCloseTo(0.25, 12); // (−.5 + .5 + 0 + 1) / 4
    // smape: 2*.5/5.5, 2*.5/.5, 0/4, 2*1/15
    expect(v(doc, 'smape')).toBeCloseTo((1 / 5.5 + 2 + 0 + 2 / 15) / 4, 12);
    expect(v(doc, 'wape')).toBeCloseTo(2 / 12.5, 12); // sum |e| / (3 + .5 + 2 + 7)
    // |e| sorted [0, .5, .5, 1]: p90 h = 2.7 -> .5 + .7 * .5; p99 h = 2.97 -> .5 + .97 * .5
    expect(v(doc, 'abs_error_p90')).toBeCloseTo(0.85, 12);
    expect(v(doc, 'abs_error_p99')).toBeCloseTo(0.985, 12);
    expect(v(doc, 'max_error')).toBe(1);
    expect(doc.map((r) => r.metric)).toEqual([...REGRESSION_METRIC_NAMES]);
    for (const r of doc) {
      expect(r.qualifier).toBeNull();
      expect(r.sampleSize).toBe(4);
    }
  });

  it('max_error doc: [3,2,7,1] vs [4,2,7,1] -> 1', () => {
    expect(v(regressionMetrics(reg([3, 2, 7, 1], [4, 2, 7, 1])), 'max_error')).toBe(1);
  });

  it('constant labels: r2 and explained_variance NULL (even when the mean is not exactly the label)', () => {
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004: a computed mean differs from 0.1 in the last bit
    const m = regressionMetrics(reg([0.1, 0.1, 0.1], [0.1, 0.2, 0]));
    expect(v(m, 'r2')).toBeNull();
    expect(v(m, 'explained_variance')).toBeNull();
    expect(v(m, 'mae')).toBeCloseTo(0.2 / 3, 12);
    expect(v(m, 'mape')).toBeCloseTo((0 + 1 + 1) / 3, 12);
  });

  it('zero labels: MAPE leaves them out and counts them out of sample_size; smape both-zero counts 0', () => {
    // labels [0, 2, -4, 0], predictions [1, 3, -2, 0]: e = [1, 1, 2, 0]
    const m = regressionMetrics(reg([0, 2, -4, 0], [1, 3, -2, 0]));
    expect(v(m, 'mape')).toBeCloseTo((1 / 2 + 2 / 4) / 2, 12);
    expect(row(m, 'mape').sampleSize).toBe(2);
    expect(row(m, 'mae').sampleSize).toBe(4);
    // smape: 2/1, 2/5, 4/6, 0 (both 0)
    expect(v(m, 'smape')).toBeCloseTo((2 + 0.4 + 4 / 6 + 0) / 4, 12);
    expect(v(m, 'wape')).toBeCloseTo(4 / 6, 12);
    // mean label -.5; SS_tot = .25 + 6.25 + 12.25 + .25 = 19; SS_res = 1 + 1 + 4 + 0 = 6
    expect(v(m, 'r2')).toBeCloseTo(13 / 19, 12);
    // var(e) = ((0)^2 + 0 + 1 + 1) / 4 = .5 around mean 1; var(y) = 19/4
    expect(v(m, 'explained_variance')).toBeCloseTo(1 - 0.5 / 4.75, 12);
    expect(v(m, 'mean_error')).toBe(1);
  });

  it('all labels 0: mape NULL (sample_size 0), wape NULL, r2 NULL', () => {
    const m = regressionMetrics(reg([0, 0], [0, -2]));
    expect(v(m, 'mape')).toBeNull();
    expect(row(m, 'mape').sampleSize).toBe(0);
    expect(v(m, 'wape')).toBeNull();
    expect(v(m, 'r2')).toBeNull();
    expect(v(m, 'smape')).toBeCloseTo((0 + 2) / 2, 12); // 0 (both 0), 2*2/(2+0)
  });

  it('NULL predictions or labels are not evaluated; one row; none', () => {
    const m = regressionMetrics(reg([5, null, 1], [3, 2, null]));
    expect(v(m, 'count')).toBe(1);
    expect(v(m, 'mae')).toBe(2);
    expect(v(m, 'mean_error')).toBe(-2);
    expect(v(m, 'r2')).toBeNull(); // one label is constant
    expect(v(m, 'explained_variance')).toBeNull();
    expect([v(m, 'median_absolute_error'), v(m, 'abs_error_p90'), v(m, 'abs_error_p99'), v(m, 'max_error')]).toEqual([2, 2, 2, 2]);
    expect(v(m, 'mape')).toBeCloseTo(0.4, 12);
    expect(regressionMetrics(reg([null, 1], [1, null]))).toEqual([]);
    expect(regressionMetrics([])).toEqual([]);
    expect(() => regressionMetrics(reg([1], [Number.POSITIVE_INFINITY]))).toThrow();
  });

  it('percentiles of |e| by linear interpolation', () => {
    // |e| = 0..10 (given unsorted, with signs): p50 5, p90 h = 9 -> 9, p99 h = 9.9 -> 9.9
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const predictions = [3, -7, 10, 0, -1, 5, 2, -9, 4, 8, -6];
    const m = regressionMetrics(reg(labels, predictions));
    expect(v(m, 'median_absolute_error')).toBe(5);
    expect(v(m, 'abs_error_p90')).toBeCloseTo(9, 12);
    expect(v(m, 'abs_error_p99')).toBeCloseTo(9.9, 12);
    expect(v(m, 'max_error')).toBe(10);
    // two values 1 and 3: p50 2, p90 1 + .9 * 2 = 2.8, p99 2.98
    const t = regressionMetrics(reg([0, 10], [1, 7]));
    expect([v(t, 'median_absolute_error'), v(t, 'abs_error_p90'), v(t, 'abs_error_p99')].map((x) => Number(x!.toFixed(12)))).toEqual([2, 2.8, 2.98]);
  });
});

describe('multiOutputRegressionMetrics', () => {
  // scikit-learn docs: y_true = [[0.5, 1], [-1, 1], [7, -6]], y_pred = [[0, 2], [-1, 2], [8, -5]]
  const docRows = [
    { a: { label: 0.5, prediction: 0 }, b: { label: 1, prediction: 2 } },
    { a: { label: -1, prediction: -1 }, b: { label: 1, prediction: 2 } },
    { a: { label: 7, prediction: 8 }, b: { label: -6, prediction: -5 } },
  ];

  it('scikit-learn documented values (uniform_average and raw_values)', () => {
    const m = multiOutputRegressionMetrics(docRows, ['a', 'b']);
    // mean_absolute_error raw_values [0.5, 1.0], uniform 0.75
    expect(v(m, 'mae', 'a')).toBeCloseTo(0.5, 12);
    expect(v(m, 'mae', 'b')).toBeCloseTo(1, 12);
    expect(v(m, 'mae')).toBeCloseTo(0.75, 12);
    // mean_squared_error: a (.25 + 0 + 1)/3 = 5/12, b 1 -> 0.7083...
    expect(v(m, 'mse')).toBeCloseTo((5 / 12 + 1) / 2, 12);
    expect(truncated(v(m, 'mse'), 3)).toBe(0.708);
    // r2 a: mean 13/6, SS_tot = (100 + 361 + 841)/36 = 1302/36, SS_res 1.25 -> 1 - 45/1302
    // r2 b: mean -4/3, SS_tot = (49 + 49 + 196)/9 = 294/9, SS_res 3 -> 1 - 27/294; uniform 0.936...
    expect(v(m, 'r2', 'a')).toBeCloseTo(1 - 45 / 1302, 12);
    expect(v(m, 'r2', 'b')).toBeCloseTo(1 - 27 / 294, 12);
    expect(v(m, 'r2')).toBeCloseTo((1 - 45 / 1302 + 1 - 27 / 294) / 2, 12);
    expect(truncated(v(m, 'r2'), 3)).toBe(0.936);
    // per output rows plus the averages
    expect(m).toHaveLength(3 * REGRESSION_METRIC_NAMES.length);
    expect(m.filter((r) => r.qualifier === null).map((r) => r.metric)).toEqual([...REGRESSION_METRIC_NAMES]);
    for (const r of m) expect(r.sampleSize).toBe(3);
  });

  it('a NULL label in one output leaves the row out of that output only', () => {
    const rows = [...docRows, { a: { label: 1, prediction: 3 }, b: { label: null, prediction: 9 } }];
    const m = multiOutputRegressionMetrics(rows, ['a', 'b']);
    expect(v(m, 'count', 'a')).toBe(4);
    expect(v(m, 'count', 'b')).toBe(3);
    // a: |e| = .5, 0, 1, 2 -> 3.5 / 4
    expect(v(m, 'mae', 'a')).toBeCloseTo(0.875, 12);
    expect(v(m, 'mae', 'b')).toBeCloseTo(1, 12);
    expect(v(m, 'mae')).toBeCloseTo((0.875 + 1) / 2, 12);
    expect(v(m, 'count')).toBe(4); // not averaged: the largest output count (docs/semantics.md 5c)
    // was: the uniform average of every metric, count included
    for (const r of m.filter((x) => x.qualifier === null)) expect(r.sampleSize).toBe(4); // largest output count
    expect(row(m, 'mae', 'b').sampleSize).toBe(3);
  });

  it('NULL values are left out of the average; an output with no evaluated row has no rows', () => {
    const rows = [
      { a: { label: 2, prediction: 1 }, b: { label: 5, prediction: 4 }, c: { label: null, prediction: 1 } },
      { a: { label: 4, prediction: 4 }, b: { label: 5, prediction: 7 }, c: { label: 3, prediction: null } },
    ];
    const m = multiOutputRegressionMetrics(rows, ['a', 'b', 'c']);
    expect(m.some((r) => r.qualifier === 'c')).toBe(false);
    // a: labels 2, 4 (mean 3, SS_tot 2), e = -1, 0 -> r2 = 1 - 1/2; b: labels constant -> NULL
    expect(v(m, 'r2', 'a')).toBeCloseTo(0.5, 12);
    expect(v(m, 'r2', 'b')).toBeNull();
    expect(v(m, 'r2')).toBeCloseTo(0.5, 12); // b left out
    expect(v(m, 'mae')).toBeCloseTo((0.5 + 1.5) / 2, 12); // a .5, b (1 + 3)/2
    // both outputs NULL: NULL average
    const z = multiOutputRegressionMetrics([{ a: { label: 1, prediction: 1 }, b: { label: 0, prediction: 2 } }], ['a', 'b']);
    expect(v(z, 'r2')).toBeNull();
    expect(v(z, 'mape')).toBeCloseTo(0, 12); // a: 0/1; b: label 0 left out -> NULL, left out of the average
    expect(v(z, 'mape', 'b')).toBeNull();
    expect(row(z, 'mape').sampleSize).toBe(1);
    expect(multiOutputRegressionMetrics([{ a: { label: null, prediction: 1 } }], ['a'])).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// Pipelines

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const d = (iso: string): Date => new Date(iso);
const D10 = '2024-03-10T00:00:00.000Z';
const T = '2024-03-10T12:00:00.000Z';
const at = (h: number): Date => new Date(d(T).getTime() + h * HOUR);

interface Q {
  granularity?: string;
  windowStart?: string;
  modelVersion?: string | null;
  segment?: string | null;
  segmentValue?: string | null;
  metric: string;
  qualifier?: string | null;
}
function pick(metrics: MetricRow[], q: Q): MetricRow {
  const found = metrics.filter(
    (r) =>
      r.granularity === (q.granularity ?? 'day') &&
      r.windowStart === (q.windowStart ?? D10) &&
      r.modelVersion === (q.modelVersion ?? null) &&
      r.segment === (q.segment ?? null) &&
      r.segmentValue === (q.segmentValue ?? null) &&
      r.metric === q.metric &&
      r.qualifier === (q.qualifier ?? null),
  );
  expect(found, JSON.stringify(q)).toHaveLength(1);
  return found[0]!;
}
const val = (metrics: MetricRow[], q: Q): number | null => pick(metrics, q).value;

const base = {
  withinMs: DAY,
  predictionDedupe: 'latest' as const,
  outcomeDedupe: 'latest' as const,
  granularities: ['day' as const],
  segments: [] as { column: string; top: number }[],
  asOf: d('2024-03-11T18:00:00.000Z'),
};

const mcPred = (key: string, ts: Date | string, predictedClass: string | number | null, classScores?: Record<string, number | null>, modelVersion: string | null = null, segments: Record<string, string | null> = {}): MulticlassPredictionEvent => ({
  key: [key],
  ts: typeof ts === 'string' ? d(ts) : ts,
  predictedClass,
  ...(classScores ? { classScores } : {}),
  modelVersion,
  segments,
});
const mcOut = (key: string, ts: Date | string, label: string | number | null): MulticlassOutcomeEvent => ({ key: [key], ts: typeof ts === 'string' ? d(ts) : ts, label });

describe('referenceMulticlassPipeline', () => {
  // as_of 03-11T18:00, within 24h: predictions at T (03-10T12) are past their window
  const predictions = [
    mcPred('k1', T, 'a', { a: 3, b: 1 }),
    mcPred('k2', T, 'b', { a: 1, b: 3 }),
    mcPred('k3', T, null, { a: 1, b: 1 }), // observed but no predicted class: not evaluated
    mcPred('k4', T, 'a', { a: 1, b: 1 }), // no outcome: missing
    mcPred('k5', '2024-03-10T20:00:00.000Z', 'b'), // observed, no scores
    mcPred('k6', '2024-03-10T23:00:00.000Z', 'a'), // pending (as_of < 03-11T23:00)
    mcPred('k7', '2024-03-10T01:00:00.000Z', 1), // predicted class 1 (number) compared as text
  ];
  const outcomes = [
    mcOut('k1', at(1), 'a'),
    mcOut('k2', at(1), 'a'),
    mcOut('k2', at(1), 'b'), // same timestamp: the higher label ('b' > 'a') wins
    mcOut('k3', at(2), 'a'),
    mcOut('k5', '2024-03-10T21:00:00.000Z', 'B'),
    mcOut('k5', '2024-03-10T21:00:00.000Z', 'a'), // 'a' (97) > 'B' (66) by code point
    mcOut('k7', '2024-03-10T02:00:00.000Z', '1'),
    mcOut('k4', at(-30), null), // NULL label: dropped before everything
    mcOut('zz', at(0), 'a'), // orphan
  ];
  const cfg: MulticlassConfig = { ...base, classes: ['a', 'b'], topK: [1] };
  const { evaluations, metrics } = referenceMulticlassPipeline(predictions, outcomes, cfg);

  it('label status and the text tie-break of outcomes', () => {
    const e = (k: string) => evaluations.find((x) => x.key[0] === k)!;
    expect(e('k2')).toMatchObject({ label: 'b', labelStatus: 'observed', predictedClass: 'b' });
    expect(e('k3')).toMatchObject({ label: 'a', labelStatus: 'observed', predictedClass: null });
    expect(e('k4')).toMatchObject({ label: null, labelStatus: 'missing' });
    expect(e('k5')).toMatchObject({ label: 'a', labelStatus: 'observed', classScores: null });
    expect(e('k6')).toMatchObject({ labelStatus: 'pending' });
    expect(e('k7')).toMatchObject({ label: '1', predictedClass: '1' });
    expect(evaluations.map((x) => x.key[0])).toEqual(['k7', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
  });

  it('evaluated: observed with a predicted class (k1, k2, k5, k7)', () => {
    // k1 a→a, k2 b→b, k5 a→b, k7 1→1
    expect(val(metrics, { metric: 'count' })).toBe(4);
    expect(val(metrics, { metric: 'accuracy' })).toBeCloseTo(0.75, 12);
    expect(val(metrics, { metric: 'confusion', qualifier: 'a→b' })).toBe(1);
    expect(val(metrics, { metric: 'confusion', qualifier: '1→1' })).toBe(1);
    expect(val(metrics, { metric: 'support', qualifier: 'a' })).toBe(2);
    expect(pick(metrics, { metric: 'support', qualifier: 'a' }).sampleSize).toBe(4);
    // scores usable on k1 (.75/.25, label a) and k2 (.25/.75, label b); k5 and k7 have none
    expect(pick(metrics, { metric: 'log_loss' }).sampleSize).toBe(2);
    expect(val(metrics, { metric: 'log_loss' })).toBeCloseTo(-Math.log(0.75), 12);
    expect(val(metrics, { metric: 'top_1_accuracy' })).toBe(1);
    // macro over a and b (present in labels with a score column); class '1' has no score column
    expect(val(metrics, { metric: 'roc_auc', qualifier: 'a' })).toBe(1);
    expect(val(metrics, { metric: 'roc_auc', qualifier: '1' })).toBeNull();
    expect(val(metrics, { metric: 'roc_auc_ovr_macro' })).toBe(1);
    expect(pick(metrics, { metric: 'count' }).windowEnd).toBe('2024-03-11T00:00:00.000Z');
  });

  it('data-quality rows are those of the binary pipeline on the same events', () => {
    expect(val(metrics, { metric: 'observed' })).toBe(5);
    expect(val(metrics, { metric: 'missing' })).toBe(1);
    expect(val(metrics, { metric: 'pending' })).toBe(1);
    expect(val(metrics, { metric: 'outcomes_orphan' })).toBe(1);
    const asBinary = referencePipeline(
      predictions.map((p): PredictionEvent => ({ key: p.key, ts: p.ts, score: 0.5, modelVersion: p.modelVersion, segments: p.segments })),
      outcomes.map((o): OutcomeEvent => ({ key: o.key, ts: o.ts, label: o.label === null ? null : 1 })),
      { ...base, missing: 'drop', threshold: 0.5 },
    );
    const dq = (rows: MetricRow[]) => rows.filter((r) => [...DATA_QUALITY_METRICS, 'outcomes_orphan'].includes(r.metric as never));
    expect(dq(metrics)).toEqual(dq(asBinary.metrics));
    // 03-10's ten rows and its outcomes_orphan; 03-11, under way at the as-of (18:00) without a
    // prediction event, its prediction_events 0 and outcomes_orphan 0 (section 6)
    expect(dq(metrics)).toHaveLength(13);
    expect(val(metrics, { windowStart: '2024-03-11T00:00:00.000Z', metric: 'prediction_events' })).toBe(0);
  });

  it("join.missing must be 'drop'", () => {
    expect(() => referenceMulticlassPipeline(predictions, outcomes, { ...cfg, missing: 'negative' })).toThrow();
  });

  it('without class scores: no score-based rows, per-class roc_auc NULL', () => {
    const r = referenceMulticlassPipeline(predictions, outcomes, { ...base, topK: [1] });
    expect(r.metrics.some((x) => ['log_loss', 'brier_score', 'roc_auc_ovr_macro', 'top_1_accuracy'].includes(x.metric))).toBe(false);
    expect(val(r.metrics, { metric: 'roc_auc', qualifier: 'a' })).toBeNull();
  });

  it('segments with top-N folding and versions, like the binary pipeline', () => {
    const preds = [
      mcPred('s1', T, 'a', undefined, 'v1', { region: 'eu' }),
      mcPred('s2', T, 'b', undefined, 'v1', { region: 'eu' }),
      mcPred('s3', T, 'a', undefined, 'v1', { region: 'us' }),
      mcPred('s4', T, 'b', undefined, 'v2', { region: null }),
    ];
    const outs = ['s1', 's2', 's3', 's4'].map((k) => mcOut(k, at(1), 'a'));
    const r = referenceMulticlassPipeline(preds, outs, { ...base, segments: [{ column: 'region', top: 1 }], topK: [] });
    // window counts: eu 2, us 1 -> eu kept, us folded into __other__; NULL its own group
    expect(val(r.metrics, { modelVersion: 'v1', segment: 'region', segmentValue: 'eu', metric: 'count' })).toBe(2);
    expect(val(r.metrics, { modelVersion: 'v1', segment: 'region', segmentValue: OTHER, metric: 'count' })).toBe(1);
    expect(val(r.metrics, { modelVersion: 'v2', segment: 'region', segmentValue: null, metric: 'count' })).toBe(1);
    expect(val(r.metrics, { modelVersion: 'v1', metric: 'accuracy' })).toBeCloseTo(2 / 3, 12);
    expect(val(r.metrics, { modelVersion: 'v1', segment: 'region', segmentValue: 'eu', metric: 'confusion', qualifier: 'a→b' })).toBe(1);
  });
});

const rgPred = (key: string, ts: Date | string, predictions: Record<string, number | null>, segments: Record<string, string | null> = {}): RegressionPredictionEvent => ({
  key: [key],
  ts: typeof ts === 'string' ? d(ts) : ts,
  predictions,
  modelVersion: null,
  segments,
});
const rgOut = (key: string, ts: Date | string, labels: Record<string, number | null> | null): RegressionOutcomeEvent => ({ key: [key], ts: typeof ts === 'string' ? d(ts) : ts, labels });

describe('referenceRegressionPipeline', () => {
  it('single output: qualifier NULL; NULL predictions and NULL-label outcomes are not evaluated', () => {
    const cfg: RegressionConfig = { ...base, outputs: ['y'], multiOutput: false };
    const preds = [rgPred('a', T, { y: 3 }), rgPred('b', T, { y: 5 }), rgPred('c', T, { y: null }), rgPred('d', T, { y: 1 })];
    const outs = [
      rgOut('a', at(1), { y: 1 }),
      rgOut('a', at(1), { y: 2 }), // same timestamp: the higher label wins
      rgOut('b', at(2), { y: 9 }),
      rgOut('b', at(3), { y: 4 }), // later correction (latest)
      rgOut('c', at(1), { y: 7 }),
      rgOut('d', at(1), { y: null }), // NULL label: dropped -> d is missing
    ];
    const { evaluations, metrics } = referenceRegressionPipeline(preds, outs, cfg);
    expect(evaluations.find((e) => e.key[0] === 'a')).toMatchObject({ labels: { y: 2 }, labelStatus: 'observed' });
    expect(evaluations.find((e) => e.key[0] === 'b')).toMatchObject({ labels: { y: 4 }, labelDelayHours: 3 });
    expect(evaluations.find((e) => e.key[0] === 'd')).toMatchObject({ labels: null, labelStatus: 'missing' });
    // evaluated: a (3 vs 2), b (5 vs 4): e = 1, 1
    expect(val(metrics, { metric: 'count' })).toBe(2);
    expect(val(metrics, { metric: 'mae' })).toBe(1);
    expect(val(metrics, { metric: 'mape' })).toBeCloseTo((1 / 2 + 1 / 4) / 2, 12);
    expect(val(metrics, { metric: 'r2' })).toBeCloseTo(1 - 2 / 2, 12); // labels 2, 4: SS_tot 2, SS_res 2
    expect(metrics.filter((r) => r.qualifier !== null)).toHaveLength(0);
    expect(val(metrics, { metric: 'observed' })).toBe(3);
    expect(val(metrics, { metric: 'missing' })).toBe(1);
    expect(() => referenceRegressionPipeline(preds, outs, { ...cfg, missing: 'negative' })).toThrow();
    expect(() => referenceRegressionPipeline(preds, outs, { ...cfg, outputs: ['y', 'z'] })).toThrow();
  });

  it('multi-output: per-output rows, averages, a NULL label in one output', () => {
    const cfg: RegressionConfig = { ...base, outputs: ['p', 'q'], multiOutput: true };
    const preds = [rgPred('a', T, { p: 1, q: 10 }), rgPred('b', T, { p: 2, q: 20 }), rgPred('c', T, { p: 3, q: null }), rgPred('n', T, { p: 1, q: 1 })];
    const outs = [
      rgOut('a', at(1), { p: 2, q: 12 }),
      rgOut('b', at(1), { p: 2, q: null }), // q NULL: b counts for p only
      rgOut('b', at(1), { p: 2, q: 30 }), // same time, same p: the non-NULL q is higher -> wins
      rgOut('c', at(1), { p: 5, q: 5 }), // q prediction NULL: c counts for p only
      rgOut('n', at(1), { p: null, q: null }), // every label NULL: dropped -> n missing
    ];
    const { evaluations, metrics } = referenceRegressionPipeline(preds, outs, cfg);
    expect(evaluations.find((e) => e.key[0] === 'b')!.labels).toEqual({ p: 2, q: 30 });
    expect(evaluations.find((e) => e.key[0] === 'n')!.labelStatus).toBe('missing');
    // p: e = -1, 0, -2 -> mae 1; q: a (10 vs 12), b (20 vs 30): e = -2, -10 -> mae 6
    expect(val(metrics, { metric: 'count', qualifier: 'p' })).toBe(3);
    expect(val(metrics, { metric: 'count', qualifier: 'q' })).toBe(2);
    expect(val(metrics, { metric: 'mae', qualifier: 'p' })).toBe(1);
    expect(val(metrics, { metric: 'mae', qualifier: 'q' })).toBe(6);
    expect(val(metrics, { metric: 'mae' })).toBe(3.5);
    expect(pick(metrics, { metric: 'mae' }).sampleSize).toBe(3);
    expect(val(metrics, { metric: 'mean_error' })).toBeCloseTo((-1 + -6) / 2, 12);
    // p labels 2, 2, 5: r2 = 1 - (1 + 0 + 4) / (1 + 1 + 4) = 1/6; q labels 12, 30 (mean 21): 1 - 104/162
    expect(val(metrics, { metric: 'r2', qualifier: 'p' })).toBeCloseTo(1 / 6, 12);
    expect(val(metrics, { metric: 'r2', qualifier: 'q' })).toBeCloseTo(1 - 104 / 162, 12);
    expect(val(metrics, { metric: 'r2' })).toBeCloseTo((1 / 6 + 1 - 104 / 162) / 2, 12);
  });

  it('data-quality rows equal the binary and multiclass ones on randomized events', () => {
    let seed = 2024;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const start = Date.UTC(2024, 2, 1);
    for (let trial = 0; trial < 25; trial += 1) {
      const nk = 1 + Math.floor(rand() * 15);
      const events = Array.from({ length: nk * 2 }, (_, i) => ({
        key: [`k${Math.floor(rand() * nk)}`],
        ts: new Date(start + Math.floor(rand() * 40) * 5 * HOUR + i), // distinct timestamps: no tie-break needed
        modelVersion: rand() < 0.5 ? 'v1' : null,
        segments: { s: rand() < 0.3 ? null : `s${Math.floor(rand() * 3)}` },
      }));
      const outcomeEvents = Array.from({ length: nk * 2 }, () => ({
        key: [`k${Math.floor(rand() * (nk + 2))}`],
        ts: new Date(start + Math.floor(rand() * 45) * 5 * HOUR),
        y: Math.floor(rand() * 3),
      }));
      const common = {
        ...base,
        granularities: ['day' as const, 'week' as const, 'month' as const],
        segments: [{ column: 's', top: 2 }],
        asOf: new Date(start + Math.floor(rand() * 45) * 5 * HOUR),
        withinMs: (1 + Math.floor(rand() * 3)) * DAY,
      };
      const binary = referencePipeline(
        events.map((e) => ({ ...e, score: rand() })),
        outcomeEvents.map((o) => ({ key: o.key, ts: o.ts, label: o.y % 2 })),
        { ...common, missing: 'drop', threshold: 0.5 },
      );
      const multi = referenceMulticlassPipeline(
        events.map((e) => ({ ...e, predictedClass: `c${Math.floor(rand() * 3)}`, classScores: { c0: rand(), c1: rand(), c2: rand() } })),
        outcomeEvents.map((o) => ({ key: o.key, ts: o.ts, label: `c${o.y}` })),
        { ...common, classes: ['c0', 'c1', 'c2'], topK: [1, 2] },
      );
      const regression = referenceRegressionPipeline(
        events.map((e) => ({ ...e, predictions: { u: rand(), w: rand() < 0.2 ? null : rand() } })),
        outcomeEvents.map((o) => ({ key: o.key, ts: o.ts, labels: { u: o.y, w: rand() < 0.2 ? null : o.y } })),
        { ...common, outputs: ['u', 'w'], multiOutput: true },
      );
      const dq = (rows: MetricRow[]) => rows.filter((r) => [...DATA_QUALITY_METRICS, 'outcomes_orphan'].includes(r.metric as never));
      expect(dq(multi.metrics)).toEqual(dq(binary.metrics));
      expect(dq(regression.metrics)).toEqual(dq(binary.metrics));
      // the same predictions are evaluated (observed; every prediction has a class / a u value)
      const groups = (rows: MetricRow[], qualifier: string | null) =>
        rows.filter((r) => r.metric === 'count' && r.qualifier === qualifier).map((r) => [r.granularity, r.windowStart, r.modelVersion, r.segment, r.segmentValue, r.value]);
      expect(groups(multi.metrics, null)).toEqual(groups(binary.metrics, null));
      expect(groups(regression.metrics, 'u')).toEqual(groups(binary.metrics, null));
    }
  });
});
