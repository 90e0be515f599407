{#-
  Binary-classification metrics: where each metric is defined.
  `summary` has one row per group (granularity, window, version, segment, value) with these sums,
  all taken over the evaluated predictions of the group:
    n, positives, negatives, sum_score      counts and the score total
    tp, fp                                   predictions with score >= threshold that are positive / negative
    auc_pairs_x2    sum over positives of (2 x negatives scored lower + negatives scored equal)
    ap_sum          sum over distinct scores s of positives(s) * precision(score >= s)
    ks_max          max over distinct scores s of TPR(score >= s) - FPR(score >= s)
    log_loss_sum, brier_sum, ece_gap_sum     per-row losses summed; per-bin |labels - scores| summed
  `metrics`: [metric name, value expression] in the order they are written. Undefined values divide by nullif(…, 0) and so are NULL.
-#}
{% set tn = '(negatives - fp)' %}
{% set fn = '(positives - tp)' %}
{% set mcc_denominator = 'sqrt(' + d.toDouble('tp + fp') + ' * (tp + ' + fn + ') * (' + tn + ' + fp) * (' + tn + ' + ' + fn + '))' %}
{% set metrics = [
    ['count', 'n'],
    ['positive_rate', d.divide('positives', 'n')],
    ['mean_score', d.divide('sum_score', 'n')],
    ['tp', 'tp'],
    ['fp', 'fp'],
    ['tn', tn],
    ['fn', fn],
    ['accuracy', d.divide('tp + ' + tn, 'n')],
    ['precision', d.divide('tp', 'tp + fp')],
    ['recall', d.divide('tp', 'positives')],
    ['specificity', d.divide(tn, 'negatives')],
    ['f1', d.divide('2 * tp', '2 * tp + fp + ' + fn)],
    ['mcc', d.divide(d.toDouble('tp') + ' * ' + tn + ' - ' + d.toDouble('fp') + ' * ' + fn, mcc_denominator)],
    ['roc_auc', d.divide('auc_pairs_x2', '2 * ' + d.toDouble('positives') + ' * negatives')],
    ['average_precision', d.divide('ap_sum', 'positives')],
    ['log_loss', d.divide('log_loss_sum', 'n')],
    ['brier_score', d.divide('brier_sum', 'n')],
    ['ece', d.divide('ece_gap_sum', 'n')],
    ['ks', 'case when positives > 0 and negatives > 0 then greatest(ks_max, 0) end']
] %}
